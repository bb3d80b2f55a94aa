// @ts-check
'use strict';
// A retry with the same idempotency key after the connection dropped buys once.

const test = require('node:test');
const assert = require('node:assert/strict');
const { Ticketing, TicketingError } = require('../lib');
const { LostAnswerProxy } = require('./lost-answer-proxy');
const { connect, newEvent, unique, sales, problems } = require('./support');

/** A dropped connection rejects with the driver's error, not one of this module's. */
const driverError = (/** @type {unknown} */ err) => err instanceof Error && !(err instanceof TicketingError);

test('retries', async (t) => {
  const admin = await connect();
  t.after(() => admin.end());
  const event = await newEvent(admin, 20);

  await t.test('after the backend was terminated', async () => {
    const buyer = unique('buyer');
    const key = unique('order');
    const conn = await connect();
    const first = await new Ticketing(conn).claimAny(event, buyer, { quantity: 2, idempotencyKey: key });
    assert.equal(first.outcome, 'claimed');
    const { rows } = await conn.query('SELECT pg_backend_pid() AS pid');
    await admin.query('SELECT pg_terminate_backend($1)', [rows[0].pid]);
    await assert.rejects(new Ticketing(conn).claimAny(event, buyer, { quantity: 2, idempotencyKey: key }), driverError);
    await conn.end().catch(() => {});
    const again = await connect();
    try {
      const retry = await new Ticketing(again).claimAny(event, buyer, { quantity: 2, idempotencyKey: key });
      assert.deepEqual([retry.outcome, retry.ticketIds], ['claimed', first.ticketIds]);
    } finally {
      await again.end();
    }
    assert.deepEqual(await sales(admin, event, buyer), [...first.ticketIds].sort((a, b) => a - b));
    assert.equal(await problems(admin, event), 0);
  });

  await t.test('after a lost answer', async () => {
    const buyer = unique('buyer');
    const key = unique('order');
    const proxy = new LostAnswerProxy();
    const port = await proxy.listen();
    try {
      const conn = await connect({ host: '127.0.0.1', port, ssl: false });
      proxy.arm();
      await assert.rejects(new Ticketing(conn).claimAny(event, buyer, { idempotencyKey: key }), driverError);
      assert.ok(proxy.dropped);
      await conn.end().catch(() => {});
    } finally {
      proxy.close();
    }
    const sold = await sales(admin, event, buyer);
    assert.equal(sold.length, 1, 'the call committed before its answer was lost');
    const again = await connect();
    try {
      const retry = await new Ticketing(again).claimAny(event, buyer, { idempotencyKey: key });
      assert.deepEqual([retry.outcome, retry.ticketIds], ['claimed', sold]);
    } finally {
      await again.end();
    }
    assert.deepEqual(await sales(admin, event, buyer), sold);
    assert.equal(await problems(admin, event), 0);
  });
});
