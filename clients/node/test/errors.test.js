// @ts-check
'use strict';
// Each SQLSTATE group rejects with its class, from real calls.

const test = require('node:test');
const assert = require('node:assert/strict');
const {
  Ticketing, TicketingError, InvalidInputError, RetryableError, IdempotencyKeyReusedError, PrivilegeError,
} = require('../lib');
const { connect, newEvent, unique } = require('./support');

/**
 * @param {typeof TicketingError} cls
 * @param {string} sqlstate
 * @returns {(err: unknown) => boolean}
 */
const raised = (cls, sqlstate) => (err) => err instanceof cls && err.sqlstate === sqlstate && err.cause instanceof Error;

test('errors', async (t) => {
  const client = await connect();
  t.after(() => client.end());
  const tk = new Ticketing(client);
  const event = await newEvent(client, 3);

  await t.test('invalid input', async () => {
    await assert.rejects(tk.claim(event, 1, ''), raised(InvalidInputError, '22023'));
    await assert.rejects(tk.claim(event, 0, 'x'), raised(InvalidInputError, '22023'));
    await assert.rejects(tk.claim(event, 1, 'x', { wait: /** @type {any} */ ('later') }), raised(InvalidInputError, '22023'));
    await assert.rejects(tk.claimAny(event, 'x', { quantity: 0 }), raised(InvalidInputError, '22023'));
    await assert.rejects(tk.claim(event, 1, /** @type {any} */ (null)), raised(InvalidInputError, '22004'));
  });

  await t.test('a locked ticket with nowait is retryable', async () => {
    const other = await connect();
    try {
      await other.query('BEGIN');
      await other.query('SELECT 1 FROM ticketing.tickets WHERE event_id = $1 AND ticket_id = 1 FOR UPDATE', [event]);
      await assert.rejects(tk.claim(event, 1, unique('x'), { wait: 'nowait' }), raised(RetryableError, '55P03'));
      assert.equal((await tk.claim(event, 1, unique('x'), { wait: 'skip' })).outcome, 'busy');
      await other.query('ROLLBACK');
    } finally {
      await other.end();
    }
  });

  await t.test('a serialization failure is retryable', async () => {
    const late = await connect();
    try {
      await late.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
      await late.query('SELECT 1'); // the snapshot is taken here
      assert.equal((await tk.claim(event, 2, unique('early'))).outcome, 'claimed');
      await assert.rejects(new Ticketing(late).claim(event, 2, unique('late')), raised(RetryableError, '40001'));
      await late.query('ROLLBACK');
    } finally {
      await late.end();
    }
  });

  await t.test('an idempotency key reused for another request', async () => {
    const who = unique('k');
    assert.equal((await tk.claim(event, 3, who, { idempotencyKey: 'key-1' })).outcome, 'claimed');
    await assert.rejects(tk.claim(event, 2, who, { idempotencyKey: 'key-1' }), raised(IdempotencyKeyReusedError, 'TK001'));
  });

  await t.test('a role without grants', async () => {
    const role = unique('nogrants').replace('-', '_');
    await client.query(`CREATE ROLE ${role} NOLOGIN`);
    const restricted = await connect();
    try {
      await restricted.query(`SET ROLE ${role}`);
      await assert.rejects(new Ticketing(restricted).claim(event, 1, 'x'), raised(PrivilegeError, '42501'));
    } finally {
      await restricted.end();
      await client.query(`DROP ROLE ${role}`);
    }
  });
});
