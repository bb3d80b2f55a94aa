// @ts-check
'use strict';
// The waiting list against the database (issue 19), and the statements it sends.

const test = require('node:test');
const assert = require('node:assert/strict');
const { Ticketing, DatabaseError, InvalidInputError } = require('../lib');
const { connect, newEvent, unique, problems } = require('./support');

test('the waiting list: join, an offer, confirm, leave, close', async () => {
  const client = await connect();
  try {
    const tk = new Ticketing(client);
    const event = await newEvent(client, 3);
    assert.equal((await tk.joinWaitlist(event, unique('early'))).outcome, 'waitlist_closed');
    await tk.openWaitlist(event);
    const buyer = unique('buyer');
    assert.equal((await tk.claimAny(event, buyer, { quantity: 3 })).outcome, 'claimed');

    const wendy = unique('wendy');
    const xavier = unique('xavier');
    const joined = await tk.joinWaitlist(event, wendy);
    assert.deepEqual([joined.outcome, joined.place, joined.status, joined.ok], ['joined', 1, 'waiting', true]);
    const pair = await tk.joinWaitlist(event, xavier,
      { quantity: 2, category: 'general', together: true, offerForSeconds: 300 });
    assert.deepEqual([pair.outcome, pair.place], ['joined', 2]);
    const { rows } = await client.query(
      `SELECT quantity, category, together, offer_for::text AS offer_for FROM ticketing.waitlist_entries
        WHERE event_id = $1 AND entry_id = $2`, [event, pair.entryId]);
    assert.deepEqual(rows[0], { quantity: 2, category: 'general', together: true, offer_for: '00:05:00' });
    const again = await tk.joinWaitlist(event, wendy, { quantity: 2 });
    assert.deepEqual([again.outcome, again.entryId, again.place], ['already_waiting', joined.entryId, 1]);
    const position = await tk.waitlistPosition(event, xavier);
    assert.deepEqual([position.outcome, position.place], ['waiting', 2]);
    assert.equal((await tk.waitlistPosition(event, unique('nobody'))).outcome, 'not_waiting');

    // A refund is offered to wendy in its own transaction.
    assert.equal((await tk.release(event, 1, buyer)).outcome, 'released');
    const offer = await tk.waitlistPosition(event, wendy);
    assert.deepEqual([offer.outcome, offer.ticketIds], ['offered', [1]]);
    assert.ok(offer.offerExpiresAt instanceof Date && offer.offerExpiresAt.getTime() > Date.now() + 14 * 60000);
    assert.equal((await tk.claim(event, 1, unique('sneaky'))).outcome, 'held');
    assert.deepEqual(await tk.pendingOffers(event), [{ entryId: joined.entryId, customer: wendy, ticketIds: [1],
      seats: ['GA-1'], offerExpiresAt: offer.offerExpiresAt }]);
    const entries = await tk.waitlist(event);
    assert.deepEqual(entries.map((e) => [e.customer, e.place, e.status, e.quantity, e.category, e.together]),
      [[wendy, null, 'offered', 1, null, false], [xavier, 1, 'waiting', 2, 'general', true]]);
    assert.ok(entries[0].offeredAt instanceof Date && entries[1].joinedAt instanceof Date);
    assert.equal((await tk.confirm(event, 1, wendy)).outcome, 'claimed');
    const [accepted] = await tk.waitlist(event);
    assert.deepEqual([accepted.status, accepted.bought], ['accepted', 1]);

    const left = await tk.leaveWaitlist(event, xavier);
    assert.deepEqual([left.outcome, left.entryId, left.status], ['left', pair.entryId, 'left']);
    const gone = await tk.leaveWaitlist(event, xavier);
    assert.deepEqual([gone.outcome, gone.ok], ['not_waiting', false]);
    await tk.joinWaitlist(event, unique('zed'));
    assert.equal(await tk.closeWaitlist(event), 1);
    assert.equal((await tk.joinWaitlist(event, unique('late'))).outcome, 'waitlist_closed');
    assert.equal(await problems(client, event), 0);

    // Bad input and an unknown event.
    await assert.rejects(tk.joinWaitlist(event, 'x', { offerForSeconds: 30 }),
      (err) => err instanceof InvalidInputError && err.sqlstate === '22023');
    await assert.rejects(tk.joinWaitlist(event, 'x', { quantity: 101 }), InvalidInputError);
    await assert.rejects(tk.openWaitlist(2 ** 50), (err) => err instanceof DatabaseError && err.sqlstate === 'P0002');
    assert.equal((await tk.waitlistPosition(2 ** 50, 'x')).outcome, 'not_found');
    assert.deepEqual(await tk.waitlist(2 ** 50), []);
  } finally {
    await client.end();
  }
});

test('the waiting list\'s statements', async () => {
  /** @type {{text: string, values: unknown[]}[]} */
  const sent = [];
  const db = { query: async (/** @type {{text: string, values: unknown[]}} */ q) => { sent.push(q); return { rows: [] }; } };
  const tk = new Ticketing(db);
  await assert.rejects(tk.joinWaitlist(1, 'ann'), /expected one row/);
  await assert.rejects(tk.joinWaitlist(1, 'ann', { quantity: 2, category: 'vip', together: true, offerForSeconds: 60 }),
    /expected one row/);
  await assert.rejects(tk.closeWaitlist(1), /expected one row/);
  const columns = 'outcome, event_id, entry_id, place, status, ticket_ids, offer_expires_at, skipped_for';
  assert.deepEqual(sent, [
    { text: `SELECT ${columns} FROM ticketing.join_waitlist(event_id => $1::bigint, customer => $2::text)`,
      values: [1, 'ann'] },
    { text: `SELECT ${columns} FROM ticketing.join_waitlist(event_id => $1::bigint, customer => $2::text,`
        + ' quantity => $3::integer, category => $4::text, together => $5::boolean, offer_for => $6::interval)',
      values: [1, 'ann', 2, 'vip', true, '60 seconds'] },
    { text: 'SELECT close_waitlist FROM ticketing.close_waitlist(event_id => $1::bigint)', values: [1] },
  ]);
});
