#!/usr/bin/python3
"""A sale with the ticketing wrapper. The PG* environment variables name a database
with the extension; run it as a role that may create events (the extension's owner):

    PGDATABASE=shop /usr/bin/python3 clients/python/example.py

With a failover pair, name both nodes: libpq keeps the one that accepts writes
(target_session_attrs=read-write, set below), and the sales go through Failover, which
repeats a call whose connection was lost with the same idempotency key:

    PGHOST=db1,db2 PGPORT=5432,5432 PGDATABASE=shop /usr/bin/python3 clients/python/example.py
"""

from datetime import timedelta

import psycopg

from ticketing_client import Failover, RetryableError, Ticketing

# Added to the PG* variables: only a node that accepts writes will do.
CONNINFO = "target_session_attrs=read-write connect_timeout=5"


def main() -> None:
    with psycopg.connect(CONNINFO, autocommit=True) as conn, Failover(CONNINFO, wait=30) as fo:
        row = conn.execute("SELECT ticketing.create_event('Python example')").fetchone()
        assert row is not None
        event: int = row[0]
        conn.execute("SELECT ticketing.add_tickets(%s, 10)", [event])
        tk = Ticketing(conn)
        order = f"order-{event}-1"  # a key per request: keys are scoped per customer, not per event

        # Repeated with the same key if the primary goes away meanwhile: answered from the
        # key if the first attempt had committed, never sold twice.
        mine = fo.call(lambda t: t.claim(event, 1, "alice", idempotency_key=order), idempotency_key=order)
        print(f"alice claims ticket 1: {mine.outcome} ({mine.seat})")
        again = tk.claim(event, 1, "alice", idempotency_key=order)
        print(f"alice retries {order}: {again.outcome} (the first answer again, no second sale)")
        print(f"bob claims ticket 1: {tk.claim(event, 1, 'bob').outcome}")

        held = tk.hold(event, 2, "bob", hold_for=timedelta(minutes=5))
        print(f"bob holds ticket 2: {held.outcome} until {held.hold_expires_at:%H:%M:%S}")
        print(f"bob confirms: {tk.confirm(event, 2, 'bob').outcome}")

        try:
            seats = tk.claim_any(event, "carol", quantity=2)
            print(f"carol takes any two: {seats.outcome} {list(seats.seats)}")
        except RetryableError as exc:  # 55P03 or 40001: nothing changed, try again
            print(f"carol should retry: {exc}")
        # Without a key, a call whose answer was lost is not repeated: Failover raises
        # OutcomeUnknownError (it may have committed).
        back = fo.call(lambda t: t.release(event, 1, "alice"), idempotency_key=None)
        print(f"alice returns ticket 1: {back.outcome}")
        print(f"summary: {tk.event_summary(event)}")


if __name__ == "__main__":
    main()
