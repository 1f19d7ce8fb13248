#!/bin/sh
# Install what envstats needs to build and test, from Debian's packages
# (systemd and python3-yaml only check the files of deploy/).
# Run as root on a fresh Debian (bookworm) machine; safe to run again.
set -eu
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends \
	build-essential cmake pkg-config ca-certificates tzdata \
	libsqlite3-dev libjansson-dev libcmocka-dev \
	libwebsockets-dev libcurl4-openssl-dev libssl-dev \
	libcairo2-dev libfontconfig-dev fonts-dejavu-core \
	zlib1g-dev systemd python3-yaml clang libclang-rt-14-dev \
	clang-format >/dev/null
echo "setup-debian: build dependencies installed"
