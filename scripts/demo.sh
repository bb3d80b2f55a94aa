#!/usr/bin/env bash
# The flash-sale demo, from nothing: installs missing Debian packages, builds, installs,
# starts a throwaway cluster, sells TICKETS tickets (default 10000) to CLIENTS concurrent
# buyers (default 64), prints the sold-out table, and removes the cluster.
#   TICKETS=50000 CLIENTS=32 bash scripts/demo.sh
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

require_root
ensure_packages
build_and_install
with_cluster bash "$TICKETING_ROOT/demo/flash_sale.sh" "$TICKETING_BUILD/test/loadgen/ticketing-load"
