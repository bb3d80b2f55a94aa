#!/bin/sh
# Checks that the versions derived from ticketing.control's default_version agree:
#   changelog  debian/changelog's top entry is default_version itself (a native package)
#   meta       META.json's version and every provides.*.version are its SemVer form
# Usage: sh packaging/check-version.sh [changelog] [meta]   (default: both)
# One line per check; exit status 1 on a mismatch (packaging/sync-version.sh fixes it).
set -eu
TICKETING_ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$TICKETING_ROOT/packaging/version.sh"

want=$(control_version)
if [ -z "$want" ]; then
    echo "no default_version in ticketing.control"
    exit 1
fi
status=0
# shellcheck disable=SC2048 # the arguments are words: changelog, meta
for what in ${*:-changelog meta}; do
    case $what in
        changelog)
            got=$(changelog_version)
            expected=$want ;;
        meta)
            got=$(meta_versions)
            # the version, then one per extension provided (at least ticketing)
            expected=$(semver "$want")
            for _ in $(echo "$got" | cut -d' ' -f2-); do expected="$expected $(semver "$want")"; done
            [ "$(echo "$got" | wc -w)" -ge 2 ] || expected="$expected (and ticketing in provides)" ;;
        *)
            echo "unknown check: $what"
            exit 2 ;;
    esac
    if [ "$got" = "$expected" ]; then
        echo "$what: $got matches ticketing.control's default_version $want"
    else
        echo "$what: '$got', but ticketing.control's default_version $want needs '$expected'" \
            "(run packaging/sync-version.sh)"
        status=1
    fi
done
exit $status
