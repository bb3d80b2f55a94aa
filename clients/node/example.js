// @ts-check
'use strict';
// A sale with the ticketing wrapper. The PG* environment variables name a database
// with the extension; run it as a role that may create events (the extension's owner):
//   PGDATABASE=shop node clients/node/example.js
// With a failover pair, name both nodes (PGHOST=db1,db2 PGPORT=5432,5432): the sales go
// through Failover, which connects to the node that accepts writes and repeats a call
// whose connection was lost with the same idempotency key.

const { Client } = require('pg');
const { Ticketing, RetryableError, Failover, hostsFromEnv } = require('./lib');

async function main() {
  const client = new Client();
  await client.connect();
  const fo = new Failover({ hosts: hostsFromEnv() }, { waitMs: 30000 });
  try {
    const { rows } = await client.query("SELECT ticketing.create_event('Node example') AS id");
    const event = Number(rows[0].id);
    await client.query('SELECT ticketing.add_tickets($1, 10)', [event]);
    const tk = new Ticketing(client);
    const order = `order-${event}-1`; // a key per request: keys are scoped per customer, not per event

    // Repeated with the same key if the primary goes away meanwhile: answered from the
    // key if the first attempt had committed, never sold twice.
    const mine = await fo.call((t) => t.claim(event, 1, 'alice', { idempotencyKey: order }), { idempotencyKey: order });
    console.log(`alice claims ticket 1: ${mine.outcome} (${mine.seat})`);
    const again = await tk.claim(event, 1, 'alice', { idempotencyKey: order });
    console.log(`alice retries ${order}: ${again.outcome} (the first answer again, no second sale)`);
    console.log(`bob claims ticket 1: ${(await tk.claim(event, 1, 'bob')).outcome}`);

    const held = await tk.hold(event, 2, 'bob', { holdForSeconds: 300 });
    console.log(`bob holds ticket 2: ${held.outcome} until ${held.holdExpiresAt?.toISOString()}`);
    console.log(`bob confirms: ${(await tk.confirm(event, 2, 'bob')).outcome}`);

    try {
      const seats = await tk.claimAny(event, 'carol', { quantity: 2 });
      console.log(`carol takes any two: ${seats.outcome} ${seats.seats.join(', ')}`);
    } catch (err) {
      if (!(err instanceof RetryableError)) throw err; // 55P03 or 40001: nothing changed
      console.log(`carol should retry: ${err.message}`);
    }
    // Without a key, a call whose answer was lost is not repeated: OutcomeUnknownError.
    const back = await fo.call((t) => t.release(event, 1, 'alice'), { idempotencyKey: null });
    console.log(`alice returns ticket 1: ${back.outcome}`);
    console.log('summary:', await tk.eventSummary(event));
  } finally {
    await fo.end();
    await client.end();
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
