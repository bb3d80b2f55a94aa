// @ts-check
'use strict';
// No database: results, outcomes, the error classes and the statements.

const test = require('node:test');
const assert = require('node:assert/strict');
const { ticketResult, orderResult } = require('../lib/results');
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
