#!/bin/sh
# The PGXN release bundle: OUTDIR/ticketing-VERSION.zip (VERSION: ticketing.control's
# default_version in SemVer form, as META.json has it), every file git tracks, as the
# work tree has it (uncommitted edits included; release from a clean checkout of the
# tag), under the directory ticketing-VERSION/. Refuses a META.json that fails PGXN's
# required fields or disagrees with ticketing.control. Prints the bundle's path.
# Usage: sh packaging/dist.sh [OUTDIR]   (default dist; `make dist` runs it)
set -eu
TICKETING_ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$TICKETING_ROOT/packaging/version.sh"

out=${1:-dist}
version=$(semver "$(control_version)")
sh "$TICKETING_ROOT/packaging/check-version.sh" meta >&2
perl "$TICKETING_ROOT/test/package/meta_fields.pl" "$TICKETING_ROOT/META.json" "$TICKETING_ROOT" >&2
# A commit of the work tree as it is, made without touching the index or any branch.
tree=$(git -C "$TICKETING_ROOT" stash create)
mkdir -p "$out"
bundle="$(cd "$out" && pwd)/ticketing-$version.zip"
rm -f "$bundle"
git -C "$TICKETING_ROOT" archive --format=zip --prefix="ticketing-$version/" -o "$bundle" "${tree:-HEAD}"
echo "$bundle"
