// @ts-check
'use strict';
// Categories, quotas and carts against the database (issue 18).

const test = require('node:test');
const assert = require('node:assert/strict');
const { Ticketing, DatabaseError, InvalidInputError } = require('../lib');
const { connect, unique, sales, problems } = require('./support');

/**
 * An event of four GA tickets of category vip (ids 1-4) and seats S-1..S-4 of category
 * standard (ids 5-8).
 * @param {import('pg').Client} client
 * @param {InstanceType<typeof Ticketing>} tk
 */
async function categoryEvent(client, tk) {
  const { rows } = await client.query("SELECT ticketing.create_event('node categories') AS id");
  const event = Number(rows[0].id);
  assert.equal(await tk.addTickets(event, 4, { category: 'vip' }), 4);
  assert.equal(await tk.addSeats(event, ['S-1', 'S-2', 'S-3', 'S-4'], { category: 'standard' }), 4);
  return event;
}

test('categories, quotas and carts', async (t) => {
  const client = await connect();
  t.after(() => client.end());
  const tk = new Ticketing(client);

  await t.test('quotas and categories', async () => {
    const event = await categoryEvent(client, tk);
    assert.ok(await tk.createQuota(event, 'hall', 5, ['vip', 'standard'], { stripes: 4 }) > 0);
    await tk.createQuota(event, 'vip-only', 2, ['vip']);
    const two = await tk.claimAny(event, unique('ann'), { quantity: 2, category: 'vip' });
    assert.deepEqual([two.outcome, two.ticketIds.length, two.quota], ['claimed', 2, null]);
    assert.ok(two.ticketIds.every((id) => id <= 4), String(two.ticketIds));
    const refused = await tk.claimAny(event, unique('bob'), { category: 'vip' });
    assert.deepEqual([refused.outcome, refused.ok, refused.quota], ['quota_exhausted', false, 'vip-only']);
    assert.equal((await tk.hold(event, 5, unique('bob'))).outcome, 'hold_placed');
    assert.deepEqual(await tk.quotaSummary(event), [
      { eventId: event, quota: 'hall', categories: ['standard', 'vip'], size: 5, sold: 2, held: 1, available: 2 },
      { eventId: event, quota: 'vip-only', categories: ['vip'], size: 2, sold: 2, held: 0, available: 0 },
    ]);
    assert.deepEqual(await tk.categorySummary(event), [
      { eventId: event, category: 'standard', total: 4, available: 3, held: 1, sold: 0 },
      { eventId: event, category: 'vip', total: 4, available: 2, held: 0, sold: 2 },
    ]);
    await assert.rejects(tk.resizeQuota(event, 'hall', 2), (err) => err instanceof DatabaseError && err.sqlstate === '23514');
    await tk.resizeQuota(event, 'hall', 3);
    const full = await tk.claim(event, 6, unique('cy'));
    assert.deepEqual([full.outcome, full.quota], ['quota_exhausted', 'hall']);
    await tk.dropQuota(event, 'hall');
    assert.equal((await tk.claim(event, 6, unique('cy'))).outcome, 'claimed');
    await assert.rejects(tk.createQuota(event, '', 1, ['vip']), InvalidInputError);
    assert.equal(await problems(client, event), 0);
  });

  await t.test('a cart opened, filled, checked out; another abandoned', async () => {
    const event = await categoryEvent(client, tk);
    const dee = unique('dee');
    const eli = unique('eli');
    const cart = await tk.openCart(event, dee, { expiresInSeconds: 300 });
    assert.equal(cart.outcome, 'opened');
    assert.ok(cart.token && cart.expiresAt, JSON.stringify(cart));
    const left = cart.expiresAt.getTime() - Date.now();
    assert.ok(left > 240e3 && left <= 305e3, `a 300 s cart ends in ${left} ms`);
    const token = cart.token;
    assert.equal((await tk.hold(event, 1, dee, { cart: token })).outcome, 'hold_placed');
    const pair = await tk.claimTickets(event, [3, 2], dee, { cart: token, idempotencyKey: 't-1' });
    assert.deepEqual([pair.outcome, pair.ticketIds], ['hold_placed', [2, 3]]);
    assert.equal((await tk.claimAny(event, dee, { category: 'standard', cart: token })).outcome, 'hold_placed');
    const batch = await tk.claimBatch(event, [
      { customer: dee, category: 'standard', cart: token, idempotencyKey: 'b-1' },
      { customer: eli, ticketId: 1 },
      { customer: eli, ticketId: 99 },
    ]);
    assert.deepEqual(batch.map((b) => [b.requestNo, b.outcome]), [[1, 'hold_placed'], [2, 'held'], [3, 'not_found']]);
    const contents = await tk.cartContents(event, token, dee);
    assert.deepEqual([contents.outcome, contents.ticketIds.length, contents.seats.length, contents.token],
      ['opened', 5, 5, null]);
    assert.equal((await tk.cartContents(event, token, eli)).outcome, 'cart_not_found');
    const extended = await tk.extendCart(event, token, dee, 60);
    assert.equal(extended.outcome, 'extended');
    assert.ok((extended.expiresAt?.getTime() ?? 0) > cart.expiresAt.getTime());
    const sold = await tk.checkoutCart(event, token, dee, { idempotencyKey: 'co-1' });
    assert.deepEqual([sold.outcome, sold.ticketIds.length], ['claimed', 5]);
    assert.deepEqual(await tk.checkoutCart(event, token, dee, { idempotencyKey: 'co-1' }), sold);
    assert.equal((await tk.checkoutCart(event, token, dee, { idempotencyKey: 'co-2' })).outcome, 'already_owned');
    assert.equal((await tk.cartContents(event, token, dee)).outcome, 'already_owned');
    assert.equal((await tk.hold(event, 4, dee, { cart: token })).outcome, 'cart_closed');
    assert.deepEqual(await sales(client, event, dee), [...sold.ticketIds].sort((a, b) => a - b));

    const fin = unique('fin');
    const other = await tk.openCart(event, fin);
    assert.ok(other.token);
    assert.equal((await tk.checkoutCart(event, other.token, fin)).outcome, 'empty_cart');
    await tk.hold(event, 4, fin, { cart: other.token });
    const released = await tk.abandonCart(event, other.token, fin, { idempotencyKey: 'ab-1' });
    assert.deepEqual([released.outcome, released.ticketIds], ['released', [4]]);
    assert.equal((await tk.cartContents(event, other.token, fin)).outcome, 'cart_closed');
    await assert.rejects(tk.checkoutCart(event, '', fin), InvalidInputError);
    await assert.rejects(tk.claimBatch(event, []), InvalidInputError);
    assert.equal(await problems(client, event), 0);
  });
});
