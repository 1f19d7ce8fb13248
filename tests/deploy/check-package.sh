#!/bin/sh
# The install rules and the Debian package (cmake/packaging.cmake):
#  - `cmake --install` into a scratch prefix puts the binary, the systemd
#    units (ExecStart= naming that installed binary), the example config,
#    the deploy files and the LICENSE in place, and the binary runs;
#  - `cpack -G DEB` builds the .deb; dpkg-deb shows /usr/bin/envstats,
#    a unit whose ExecStart= is /usr/bin/envstats, the libraries' packages
#    and the font among its Depends, the postinst and the copyright.
# usage: check-package.sh BUILD_DIR
# Exit 77 (skipped) without cpack or dpkg-deb.
set -eu
build=$1
for tool in cpack dpkg-deb; do
	command -v "$tool" >/dev/null 2>&1 ||
	    { echo "check-package: SKIPPED: no $tool"; exit 77; }
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

fail() {
	echo "check-package: $*"
	exit 1
}

# --- cmake --install
prefix="$tmp/prefix"
cmake --install "$build" --prefix "$prefix" >/dev/null
for f in bin/envstats lib/systemd/system/envstats.service \
    lib/systemd/system/envstats-backup.service \
    lib/systemd/system/envstats-backup.timer \
    share/envstats/envstats.example.json \
    share/envstats/deploy/container/Containerfile \
    share/envstats/deploy/kubernetes/deployment.yaml \
    share/envstats/deploy/datadog/dashboard.json \
    share/envstats/deploy/databricks/tables.sql \
    share/envstats/deploy/slack/manifest.yaml \
    share/doc/envstats/LICENSE; do
	[ -e "$prefix/$f" ] || fail "cmake --install did not install $f"
done
grep -qx "ExecStart=$prefix/bin/envstats run" \
    "$prefix/lib/systemd/system/envstats.service" ||
    fail "the installed unit does not run $prefix/bin/envstats"
if grep -q /usr/local/bin/envstats "$prefix"/lib/systemd/system/*; then
	fail "an installed unit still names /usr/local/bin/envstats"
fi
"$prefix/bin/envstats" --help >/dev/null ||
    fail "the installed binary does not run"
grep -q "MIT License" "$prefix/share/doc/envstats/LICENSE" ||
    fail "LICENSE is not the MIT license"
echo "check-package: cmake --install: binary, units, config, deploy files"

# --- the .deb
(cd "$tmp" && cpack -G DEB --config "$build/CPackConfig.cmake" -B "$tmp/deb" \
    >"$tmp/cpack.log" 2>&1) || { cat "$tmp/cpack.log"; fail "cpack failed"; }
deb=$(ls "$tmp"/deb/envstats_*.deb 2>/dev/null | head -n 1)
[ -n "$deb" ] || fail "cpack made no envstats_*.deb"
dpkg-deb -c "$deb" >"$tmp/contents"
for f in ./usr/bin/envstats ./usr/lib/systemd/system/envstats.service \
    ./usr/lib/systemd/system/envstats-backup.timer \
    ./usr/share/envstats/envstats.example.json \
    ./usr/share/doc/envstats/LICENSE; do
	grep -q " $f\$" "$tmp/contents" || fail "$(basename "$deb") lacks $f"
done
dpkg-deb -x "$deb" "$tmp/root"
grep -qx "ExecStart=/usr/bin/envstats run" \
    "$tmp/root/usr/lib/systemd/system/envstats.service" ||
    fail "the packaged unit does not run /usr/bin/envstats"
[ -x "$tmp/root/usr/bin/envstats" ] || fail "/usr/bin/envstats not executable"
depends=$(dpkg-deb -f "$deb" Depends)
for p in libcairo2 libfontconfig1 libwebsockets17 libcurl4 libsqlite3-0 \
    libjansson4 fonts-dejavu-core ca-certificates tzdata; do
	echo "$depends" | grep -q "\\b$p\\b" || fail "Depends lacks $p: $depends"
done
dpkg-deb -I "$deb" postinst >/dev/null || fail "no postinst"
echo "check-package: $(basename "$deb"): /usr/bin/envstats, its unit, Depends: $depends"
