// @ts-check
'use strict';
// The calls against the database: outcomes as values.

const test = require('node:test');
const assert = require('node:assert/strict');
const { Ticketing, DatabaseError } = require('../lib');
const { connect, newEvent, unique, sales, problems } = require('./support');

test('calls', async (t) => {
  const client = await connect();
  t.after(() => client.end());
  const tk = new Ticketing(client);

  await t.test('claim answers conflicts as outcomes', async () => {
    const event = await newEvent(client, 3);
    const alice = unique('alice');
    const bob = unique('bob');
    const first = await tk.claim(event, 1, alice);
    assert.deepEqual([first.outcome, first.ticketId, first.seat, first.ownerIsYou, first.ok],
      ['claimed', 1, 'GA-1', true, true]);
    assert.ok(first.at instanceof Date);
    const taken = await tk.claim(event, 1, bob);
    assert.deepEqual([taken.outcome, taken.ownerIsYou, taken.ok], ['already_sold', false, false]);
    assert.equal((await tk.claim(event, 1, alice)).outcome, 'already_owned');
    assert.equal((await tk.claim(event, 99, bob)).outcome, 'not_found');
    assert.deepEqual(await sales(client, event, alice), [1]);
    assert.equal(await problems(client, event), 0);
  });

  await t.test('holds and releases', async () => {
    const event = await newEvent(client, 3);
    const bob = unique('bob');
    const carol = unique('carol');
    const held = await tk.hold(event, 1, bob, { holdForSeconds: 300 });
    assert.equal(held.outcome, 'hold_placed');
    const left = (held.holdExpiresAt?.getTime() ?? 0) - Date.now();
    assert.ok(left > 240e3 && left <= 305e3, `a 300 s hold ends in ${left} ms`);
    assert.equal((await tk.claim(event, 1, carol)).outcome, 'held');
    assert.equal((await tk.confirm(event, 1, carol)).outcome, 'not_owner');
    assert.equal((await tk.confirm(event, 1, bob)).outcome, 'claimed');
    assert.equal((await tk.release(event, 1, bob)).outcome, 'released');
    assert.equal((await tk.hold(event, 2, bob)).outcome, 'hold_placed');
    assert.equal((await tk.releaseHold(event, 2, bob)).outcome, 'released');
    assert.equal((await tk.releaseHold(event, 2, bob)).outcome, 'not_held');
    assert.deepEqual(await tk.eventSummary(event), { eventId: event, total: 3, available: 3, held: 0, sold: 0 });
    assert.equal(await problems(client, event), 0);
  });

  await t.test('claimAny', async () => {
    const event = await newEvent(client, 4);
    const two = await tk.claimAny(event, unique('dave'), { quantity: 2, holdForSeconds: 60 });
    assert.deepEqual([two.outcome, two.ticketIds.length, two.seats.length], ['hold_placed', 2, 2]);
    assert.ok(two.ticketIds.every(Number.isInteger));
    const short = await tk.claimAny(event, unique('erin'), { quantity: 3 });
    assert.deepEqual([short.outcome, short.remaining], ['insufficient', 2]);
    assert.equal((await tk.claimAny(event, unique('erin'), { quantity: 2, seatPrefix: 'GA-' })).outcome, 'claimed');
    assert.equal((await tk.claimAny(event, unique('finn'))).outcome, 'sold_out');
    assert.equal((await tk.claimAny(1e12, unique('finn'))).outcome, 'not_found');
    assert.equal(await problems(client, event), 0);
  });

  await t.test('eventSummary of an unknown event', async () => {
    await assert.rejects(tk.eventSummary(1e12), (err) => err instanceof DatabaseError && err.sqlstate === 'P0002');
  });
});
