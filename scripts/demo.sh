#!/usr/bin/env bash
# The flash-sale demo, from nothing: installs missing Debian packages, builds, installs,
# starts a throwaway cluster, sells TICKETS tickets (default 10000) to CLIENTS concurrent
# buyers (default 64), prints the sold-out table, and removes the cluster.
#   TICKETS=50000 CLIENTS=32 bash scripts/demo.sh
#   bash scripts/demo.sh --map    # also the live seat map during the sale (demo/map.sh):
#                                 # open the address it prints; MAP_LISTEN=0.0.0.0:8080 to
#                                 # open it from another machine
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

map=()
for arg in "$@"; do
    case $arg in
        --map) map=(--map) ;;
        *) say "unknown argument: $arg (only --map)"; exit 2 ;;
    esac
done

require_root
if [ ${#map[@]} -gt 0 ]; then
    # The Go service and, for the screenshot, Chromium; the server preloads ticketing so
    # that it announces each sale to the map at once.
    ensure_packages golang-go golang-github-jackc-pgx-v4-dev chromium chromium-driver
    build_and_install
    with_cluster -o shared_preload_libraries=ticketing \
        bash "$TICKETING_ROOT/demo/flash_sale.sh" "$TICKETING_BUILD/test/loadgen/ticketing-load" "${map[@]}"
else
    ensure_packages
    build_and_install
    with_cluster bash "$TICKETING_ROOT/demo/flash_sale.sh" "$TICKETING_BUILD/test/loadgen/ticketing-load"
fi
