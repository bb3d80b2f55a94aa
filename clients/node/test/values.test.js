// @ts-check
'use strict';
// No database: results, outcomes, the error classes and the statements.

const test = require('node:test');
const assert = require('node:assert/strict');
const { ticketResult, orderResult, cartResult, batchResult, quotaSummary } = require('../lib/results');
const { statement } = require('../lib/statement');
const {
  errorFor, translate, TicketingError, InvalidInputError, RetryableError,
  IdempotencyKeyReusedError, PrivilegeError, DatabaseError,
} = require('../lib');

test('an unknown outcome is a value', () => {
  const r = ticketResult({ outcome: 'waitlisted', event_id: '1', ticket_id: '2', seat: null,
    owner_is_you: false, at: null, hold_expires_at: null });
  assert.equal(r.outcome, 'waitlisted');
  assert.equal(r.ok, false);
  assert.equal(r.ticketId, 2);
  const o = orderResult({ outcome: 'queued', event_id: '1', ticket_ids: null, seats: null,
    remaining: '3', at: null, hold_expires_at: null });
  assert.deepEqual([o.outcome, o.ticketIds, o.seats, o.remaining], ['queued', [], [], 3]);
});

test('the quota a refusal names, and the results of carts', () => {
  const r = ticketResult({ outcome: 'quota_exhausted', event_id: '1', ticket_id: '2', seat: 'B-1',
    owner_is_you: false, at: null, hold_expires_at: null, quota: 'upstairs' });
  assert.deepEqual([r.outcome, r.ok, r.quota], ['quota_exhausted', false, 'upstairs']);
  const o = orderResult({ outcome: 'claimed', event_id: '1', ticket_ids: ['3'], seats: ['A-3'],
    remaining: null, at: null, hold_expires_at: null, quota: null });
  assert.deepEqual([o.ok, o.ticketIds, o.quota], [true, [3], null]);
  for (const [outcome, ok] of [['opened', true], ['extended', true], ['capped', false], ['cart_closed', false],
    ['cart_expired', false], ['cart_not_found', false], ['parked', false]]) {
    const c = cartResult({ outcome, event_id: '1', token: null, expires_at: null, ticket_ids: null, seats: null });
    assert.deepEqual([c.outcome, c.ok, c.ticketIds, c.seats], [outcome, ok, [], []]);
  }
  const b = batchResult({ request_no: 2, outcome: 'quota_exhausted', ticket_id: null, seat: null, at: null, quota: 'hall' });
  assert.deepEqual([b.requestNo, b.ok, b.ticketId, b.quota], [2, false, null, 'hall']);
  const q = quotaSummary({ event_id: '1', quota: 'hall', categories: ['standard', 'vip'], size: 10, sold: '4',
    held: '1', available: '5' });
  assert.deepEqual(q, { eventId: 1, quota: 'hall', categories: ['standard', 'vip'], size: 10, sold: 4, held: 1,
    available: 5 });
});

test('claimBatch sends its requests as parallel arrays, NULL for what a request leaves out', async () => {
  /** @type {{text: string, values: unknown[]}[]} */
  const sent = [];
  const db = { query: async (/** @type {{text: string, values: unknown[]}} */ q) => { sent.push(q); return { rows: [] }; } };
  const { Ticketing } = require('../lib');
  await new Ticketing(db).claimBatch(7, [{ ticketId: 5, customer: 'ann', idempotencyKey: 'k' },
    { customer: 'bob', category: 'vip', cart: 'tok' }]);
  assert.match(sent[0].text, /ticketing\.claim_batch\(\$1::bigint, ARRAY\(/);
  assert.deepEqual(sent[0].values, [7, [5, null], ['ann', 'bob'], ['k', null], [null, 'vip'], [null, 'tok']]);
  await assert.rejects(new Ticketing(db).hold(1, 2, 'ann', { cart: 'tok' }), /expected one row/);
  assert.equal(sent[1].text, 'SELECT outcome, event_id, ticket_id, seat, owner_is_you, at, hold_expires_at, quota, code'
    + ' FROM ticketing.hold_ticket(event_id => $1::bigint, ticket_id => $2::bigint, customer => $3::text, cart => $4::text)');
});

test('bigint ids beyond 2^53 are refused, not rounded', () => {
  assert.throws(() => ticketResult({ outcome: 'claimed', event_id: '9007199254740993' }), RangeError);
});

test('one class per SQLSTATE group', () => {
  for (const [sqlstate, cls] of [['22023', InvalidInputError], ['22004', InvalidInputError],
    ['22P02', InvalidInputError], ['55P03', RetryableError], ['40001', RetryableError],
    ['TK001', IdempotencyKeyReusedError], ['42501', PrivilegeError], ['P0002', DatabaseError],
    ['23505', DatabaseError]]) {
    const err = errorFor(/** @type {string} */ (sqlstate), 'm');
    assert.equal(err.constructor, cls, String(sqlstate));
    assert.ok(err instanceof TicketingError);
    assert.equal(err.sqlstate, sqlstate);
  }
});

test('connection failures stay the driver\'s errors', () => {
  const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
  assert.equal(translate(reset), reset);
  const shutdown = Object.assign(new Error('terminating connection'), { code: '57P01', severity: 'FATAL' });
  assert.equal(translate(shutdown), shutdown);
  const invalid = Object.assign(new Error('bad'), { code: '22023', severity: 'ERROR' });
  assert.ok(translate(invalid) instanceof InvalidInputError);
});

test('optional arguments left out take the defaults', () => {
  const q = statement('claim_any', 'outcome', [['event_id', 'bigint', 1], ['customer', 'text', null]],
    [['quantity', 'integer', undefined], ['idempotency_key', 'text', 'k']]);
  assert.equal(q.text, 'SELECT outcome FROM ticketing.claim_any(event_id => $1::bigint, '
    + 'customer => $2::text, idempotency_key => $3::text)');
  assert.deepEqual(q.values, [1, null, 'k']);
});
