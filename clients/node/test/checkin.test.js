// @ts-check
'use strict';
// Ticket codes, check-in and transfer against the database (issue 19).

const test = require('node:test');
const assert = require('node:assert/strict');
const { Ticketing, InvalidInputError } = require('../lib');
const { connect, unique, problems } = require('./support');

/**
 * An event of six GA tickets (ids 1-6) with a per-customer limit of 3.
 * @param {import('pg').Client} client
 * @param {InstanceType<typeof Ticketing>} tk
 */
async function gateEvent(client, tk) {
  const { rows } = await client.query("SELECT ticketing.create_event('node gates', per_customer_limit => 3) AS id");
  const event = Number(rows[0].id);
  assert.equal(await tk.addTickets(event, 6), 6);
  return event;
}

test('check-in and transfer', async (t) => {
  const client = await connect();
  t.after(() => client.end());
  const tk = new Ticketing(client);

  await t.test('codes and check-in', async () => {
    const event = await gateEvent(client, tk);
    const ann = unique('ann');
    const bob = unique('bob');
    const sale = await tk.claim(event, 1, ann);
    assert.equal(sale.outcome, 'claimed');
    assert.match(String(sale.code), /^TK1\.[A-Za-z0-9_-]{20,48}$/);
    const order = await tk.claimTickets(event, [2, 3], bob);
    assert.deepEqual([order.outcome, order.codes.length], ['claimed', 2]);
    assert.deepEqual((await tk.ticketCodes(event, bob)).map((c) => [c.ticketId, c.code]),
      [[2, order.codes[0]], [3, order.codes[1]]]);
    assert.equal((await tk.hold(event, 4, ann)).code, null);

    const first = await tk.checkIn(event, String(sale.code), 'north');
    assert.deepEqual([first.outcome, first.ticketId, first.gate, first.ok], ['admitted', 1, 'north', true]);
    const again = await tk.checkIn(event, String(sale.code), 'south');
    assert.deepEqual([again.outcome, again.gate, again.ok], ['already_admitted', 'north', false]);
    assert.equal(again.admittedAt?.getTime(), first.admittedAt?.getTime());
    assert.equal((await tk.release(event, 1, ann)).outcome, 'already_admitted');
    assert.equal((await tk.checkIn(event, 'TK1.forged', 'north')).outcome, 'unknown_code');

    const now = Date.now();
    const results = await tk.checkInBatch(event, [
      { code: order.codes[0], gate: 'east', scannedAt: new Date(now - 60000) },
      { code: order.codes[0], gate: 'west', scannedAt: new Date(now - 120000) },
      { code: order.codes[1], gate: 'east', scannedAt: new Date(now - 180000) },
    ]);
    assert.deepEqual(results.map((r) => [r.scanNo, r.outcome, r.ticketId, r.gate]),
      [[1, 'already_admitted', 2, 'west'], [2, 'admitted', 2, 'west'], [3, 'admitted', 3, 'east']]);
    await assert.rejects(tk.checkIn(event, 'x', ''), InvalidInputError);
    await assert.rejects(tk.checkInBatch(event, []), InvalidInputError);
    assert.equal(await problems(client, event), 0);
  });

  await t.test('transfer', async () => {
    const event = await gateEvent(client, tk);
    const [ann, eve, gus] = [unique('ann'), unique('eve'), unique('gus')];
    const sale = await tk.claim(event, 1, ann);
    const moved = await tk.transferTicket(event, 1, ann, eve, { idempotencyKey: 't-1' });
    assert.equal(moved.outcome, 'transferred');
    assert.ok(moved.code && moved.code !== sale.code, String(moved.code));
    assert.equal((await tk.transferTicket(event, 1, ann, eve, { idempotencyKey: 't-1' })).code, moved.code);
    assert.equal((await tk.checkIn(event, String(sale.code), 'north')).outcome, 'revoked');
    assert.equal((await tk.transferTicket(event, 1, ann, gus)).outcome, 'not_owner');
    assert.equal((await tk.transferTicket(event, 2, ann, gus)).outcome, 'not_sold');
    await tk.claimTickets(event, [2, 3], eve);
    await tk.claim(event, 4, gus);
    assert.equal((await tk.transferTicket(event, 4, gus, eve)).outcome, 'limit_reached');
    assert.equal((await tk.checkIn(event, String(moved.code), 'north')).outcome, 'admitted');
    assert.equal((await tk.transferTicket(event, 1, eve, gus)).outcome, 'already_admitted');
    await assert.rejects(tk.transferTicket(event, 4, gus, gus), InvalidInputError);
    assert.equal(await problems(client, event), 0);
  });
});
