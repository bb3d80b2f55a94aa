// @ts-check
'use strict';
// Failover.call: a call whose connection is lost is repeated on a new connection (the
// first host that accepts writes) with the same idempotency key, and sells once; a call
// without a key whose answer was lost is not repeated.

const test = require('node:test');
const assert = require('node:assert/strict');
const net = require('node:net');
const { Failover, OutcomeUnknownError, NoPrimaryError } = require('../lib');
const { LostAnswerProxy } = require('./lost-answer-proxy');
const { connect, newEvent, unique, sales, problems } = require('./support');

/** @returns {Promise<number>} a local port where nothing listens (a primary that went away) */
function deadPort() {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = /** @type {net.AddressInfo} */ (s.address());
      s.close(() => resolve(port));
    });
  });
}

test('failover', async (t) => {
  const admin = await connect();
  t.after(() => admin.end());
  const event = await newEvent(admin, 20);

  /** @param {number} proxyPort */
  const hosts = async (proxyPort) => [{ host: '127.0.0.1', port: await deadPort() }, { host: '127.0.0.1', port: proxyPort }];

  await t.test('a keyed call repeated after a lost answer sells once', async () => {
    const buyer = unique('buyer');
    const key = unique('order');
    const proxy = new LostAnswerProxy();
    const fo = new Failover({ hosts: await hosts(await proxy.listen()), ssl: false }, { waitMs: 10000 });
    try {
      await fo.call((tk) => tk.eventSummary(event), { idempotencyKey: null }); // connected
      proxy.arm();
      const r = await fo.call((tk) => tk.claimAny(event, buyer, { quantity: 2, idempotencyKey: key }), { idempotencyKey: key });
      assert.ok(proxy.dropped);
      assert.equal(fo.repeats, 1);
      assert.equal(r.outcome, 'claimed');
      assert.deepEqual(await sales(admin, event, buyer), [...r.ticketIds].sort((a, b) => a - b),
        'the repeat was answered from the key: the first attempt\'s two tickets, no more');
    } finally {
      await fo.end();
      proxy.close();
    }
    assert.equal(await problems(admin, event), 0);
  });

  await t.test('an unkeyed call whose answer was lost is not repeated', async () => {
    const buyer = unique('buyer');
    const proxy = new LostAnswerProxy();
    const fo = new Failover({ hosts: await hosts(await proxy.listen()), ssl: false }, { waitMs: 10000 });
    try {
      await fo.call((tk) => tk.eventSummary(event), { idempotencyKey: null });
      proxy.arm();
      await assert.rejects(fo.call((tk) => tk.claimAny(event, buyer), { idempotencyKey: null }), OutcomeUnknownError);
      assert.equal(fo.repeats, 0);
    } finally {
      await fo.end();
      proxy.close();
    }
    assert.equal((await sales(admin, event, buyer)).length, 1, 'it had committed, once');
  });

  await t.test('no primary is waited for, then reported', async () => {
    const fo = new Failover({ hosts: [{ host: '127.0.0.1', port: await deadPort() }] }, { waitMs: 600, pauseMs: 100 });
    await assert.rejects(fo.call((tk) => tk.claimAny(event, unique('buyer')), { idempotencyKey: null }), NoPrimaryError);
    assert.ok(fo.repeats >= 2, 'connecting was tried again until waitMs passed');
  });
});
