#!/usr/bin/env bash
# The seat map during the flash-sale demo (scripts/demo.sh --map): starts the flashsale
# service with its live feed, tells you where to open GET /events/{event}/map, waits
# MAP_WAIT seconds (default 15) before the sale so you can open it, takes a screenshot of
# the map mid-sale (or, if the sale went by before the browser drew it, after the sale) in
# headless Chromium when chromium and chromium-driver are installed (the browser test's
# driver, test/browser/driver), and keeps the service up MAP_LINGER seconds (default 30)
# after the sale.
#   map.sh start DB EVENT    (then the sale)    map.sh stop
# MAP_LISTEN (default 127.0.0.1:8080) is where the service listens: 0.0.0.0:8080 to
# open the map from another machine. MAP_SHOT is the screenshot's path.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
STATE=${MAP_STATE:-/tmp/ticketing-demo-map}
LISTEN=${MAP_LISTEN:-127.0.0.1:8080}

case ${1:-} in
start)
    db=${2:?usage: map.sh start DB EVENT} event=${3:?usage: map.sh start DB EVENT}
    mkdir -p "$STATE"
    chmod 755 "$STATE"
    bash "$ROOT/clients/go/build.sh" "$STATE/bin" >/dev/null
    if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then
        (source "$ROOT/clients/go/goenv.sh" && cd "$ROOT" && go build -o "$STATE/bin/driver" ./test/browser/driver)
    fi
    PGDATABASE=$db "$STATE/bin/flashsale" -listen "$LISTEN" -pool 8 2>"$STATE/service.log" &
    echo $! >"$STATE/service.pid"
    for _ in $(seq 100); do
        grep -q 'listening on' "$STATE/service.log" && break
        sleep 0.1
    done
    grep -q 'listening on' "$STATE/service.log" || { cat "$STATE/service.log" >&2; exit 1; }
    host=${LISTEN%:*}
    [ "$host" = 0.0.0.0 ] && host=$(hostname -I 2>/dev/null | awk '{print $1}')
    url="http://$host:${LISTEN##*:}/events/$event/map"
    echo "$url" >"$STATE/url"
    echo
    echo "The seat map: $url"
    echo "(open it now: the sale starts in ${MAP_WAIT:-15} s)"
    if [ -x "$STATE/bin/driver" ]; then
        # Waits for the page, then for a moment with seats sold and seats still free.
        "$STATE/bin/driver" -screenshot "$url" -file "${MAP_SHOT:-$STATE/map-mid-sale.png}" \
            -when 'window.seatMap && seatMap.counts().sold > 0 && seatMap.counts().available > 0' \
            -within "$((${MAP_WAIT:-15} + 120))s" >"$STATE/shot.log" 2>&1 &
        echo $! >"$STATE/shot.pid"
    fi
    sleep "${MAP_WAIT:-15}"
    ;;
stop)
    if [ -f "$STATE/shot.pid" ]; then
        pid=$(cat "$STATE/shot.pid")
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill "$pid" 2>/dev/null || true # the driver closes its browser on SIGTERM
        shot=${MAP_SHOT:-$STATE/map-mid-sale.png}
        if [ -s "$shot" ]; then
            echo "A screenshot of the map mid-sale: $shot"
        else
            # The sale went by faster than the browser drew it (a busy machine): the end.
            shot=$STATE/map-after-sale.png
            "$STATE/bin/driver" -screenshot "$(cat "$STATE/url")" -file "$shot" \
                -when 'window.seatMap && seatMap.counts().available === 0' -within 60s \
                >>"$STATE/shot.log" 2>&1 && echo "A screenshot of the map after the sale: $shot"
        fi
    fi
    if [ -f "$STATE/service.pid" ]; then
        echo "The map stays up for ${MAP_LINGER:-30} s: $(cat "$STATE/url" 2>/dev/null)"
        sleep "${MAP_LINGER:-30}"
        kill "$(cat "$STATE/service.pid")" 2>/dev/null || true
        rm -f "$STATE/service.pid" "$STATE/shot.pid"
    fi
    ;;
*)
    sed -n '2,12p' "$0"
    exit 2
    ;;
esac
