#!/usr/bin/env bash
# Builds the flash-sale binaries (flashsale, flashload, flashreport) into $1, offline,
# in GOPATH mode against Debian's pgx v4 (golang-github-jackc-pgx-v4-dev):
#   bash clients/go/build.sh /tmp/flashsale-bin
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/goenv.sh"
out=${1:?usage: build.sh OUTDIR}
mkdir -p "$out"
for cmd in flashsale flashload flashreport; do
    go build -o "$out/$cmd" "flashsale/cmd/$cmd"
done
