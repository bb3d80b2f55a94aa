// @ts-check
'use strict';
// A sale with the ticketing wrapper. The PG* environment variables name a database
// with the extension; run it as a role that may create events (the extension's owner):
//   PGDATABASE=shop node clients/node/example.js

const { Client } = require('pg');
const { Ticketing, RetryableError } = require('./lib');

async function main() {
  const client = new Client();
  await client.connect();
  try {
    const { rows } = await client.query("SELECT ticketing.create_event('Node example') AS id");
    const event = Number(rows[0].id);
    await client.query('SELECT ticketing.add_tickets($1, 10)', [event]);
    const tk = new Ticketing(client);
    const order = `order-${event}-1`; // a key per request: keys are scoped per customer, not per event

    const mine = await tk.claim(event, 1, 'alice', { idempotencyKey: order });
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
    console.log(`alice returns ticket 1: ${(await tk.release(event, 1, 'alice')).outcome}`);
    console.log('summary:', await tk.eventSummary(event));
  } finally {
    await client.end();
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
