"""Listens on an event's waiting-list channel and prints, per offer notification, the
time it arrived (seconds since the epoch, this machine's clock) and its payload: one
line "<received> <payload>". Stops at a notification whose payload is "stop" (sent by
the benchmark when its load is over). Used by bench/waitlist.sh, which joins each line
to the commit time of the transaction that made the offer.
"""

from __future__ import annotations

import argparse
import sys
import time

import psycopg


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--channel", required=True)
    args = parser.parse_args()
    with psycopg.connect(autocommit=True) as conn:
        conn.execute(f'LISTEN "{args.channel}"')  # the channel is the script's own constant
        print("listening", file=sys.stderr, flush=True)
        for note in conn.notifies():
            if note.payload == "stop":
                break
            print(f"{time.time():.6f} {note.payload}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
