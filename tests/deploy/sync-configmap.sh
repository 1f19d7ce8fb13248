#!/bin/sh
# Rewrite the Kubernetes ConfigMap's envstats.json from
# deploy/envstats.example.json (check-deploy.sh wants them identical).
# usage: tests/deploy/sync-configmap.sh   (from anywhere)
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
cm="$top/deploy/kubernetes/configmap.yaml"
tmp=$(mktemp)
sed '/^  envstats.json: |$/q' "$cm" >"$tmp"
sed 's/^/    /; s/^    $//' "$top/deploy/envstats.example.json" >>"$tmp"
mv "$tmp" "$cm"
