// @ts-check
'use strict';
// Calls that carry on through a failover. node-postgres has no multi-host connection
// strings: connectReadWrite tries the hosts in order and keeps the first that accepts
// writes (what libpq's target_session_attrs=read-write does). Failover.call repeats a
// call whose connection was lost (the primary went away) on a new connection, with
// the same idempotency key, until waitMs has passed: a call that had committed is
// answered from its key (its first answer, nothing sold twice), one that had not runs
// on the new primary. A call without a key is repeated only when it certainly was not
// sent (no connection could be made, or a read-only node refused it with 25006);
// otherwise OutcomeUnknownError says that it may have committed.

const { Client } = require('pg');
const { Ticketing } = require('./client');
const { TicketingError } = require('./errors');

/** The connection was lost during a call without an idempotency key: it may have committed. */
class OutcomeUnknownError extends Error {
  /** @param {unknown} cause */
  constructor(cause) {
    super('the connection was lost during a call without an idempotency key; it may have committed', { cause });
    this.name = 'OutcomeUnknownError';
  }
}

/** No host accepted a read-write connection. */
class NoPrimaryError extends Error {
  /** @param {string} message @param {unknown[]} causes */
  constructor(message, causes) {
    super(message, { cause: causes });
    this.name = 'NoPrimaryError';
  }
}

/**
 * @typedef {{host: string, port?: number}} Host
 * @typedef {Omit<import('pg').ClientConfig, 'host' | 'port'> & {hosts: Host[]}} MultiHostConfig
 */

/**
 * A client connected to the first host that accepts writes (SHOW transaction_read_only
 * is off: not a standby, not a demoted primary).
 * @param {MultiHostConfig} config
 * @returns {Promise<Client>}
 */
async function connectReadWrite(config) {
  const { hosts, ...rest } = config;
  /** @type {unknown[]} */
  const causes = [];
  for (const { host, port } of hosts) {
    const client = new Client({ ...rest, host, port });
    client.on('error', () => {}); // a server that goes away while idle: seen at the next call
    try {
      await client.connect();
      const { rows } = await client.query('SHOW transaction_read_only');
      if (rows[0].transaction_read_only === 'off') return client;
      causes.push(new Error(`${host}:${port ?? ''} is read-only`));
    } catch (err) {
      causes.push(err);
    }
    await client.end().catch(() => {});
  }
  throw new NoPrimaryError(`no host of ${hosts.map((h) => `${h.host}:${h.port ?? ''}`).join(',')} accepts writes`, causes);
}

/**
 * The hosts of PGHOST and PGPORT, which may list several (db1,db2 and 5432,5432), as
 * libpq reads them; PGHOST defaults to localhost and PGPORT to 5432.
 * @returns {Host[]}
 */
function hostsFromEnv() {
  const hosts = (process.env.PGHOST || 'localhost').split(',');
  const ports = (process.env.PGPORT || '5432').split(',');
  return hosts.map((host, i) => ({ host, port: Number(ports.length === 1 ? ports[0] : ports[i]) }));
}

/**
 * True when err means the call's connection failed rather than that the server
 * answered: a socket error or a closed connection (no SQLSTATE), class 08,
 * 57P01..57P03, or 25006 (the node no longer accepts writes).
 * @param {unknown} err
 */
function connectionLost(err) {
  if (err instanceof NoPrimaryError) return true;
  if (err instanceof TicketingError) return err.sqlstate === '25006';
  if (!(err instanceof Error)) return false;
  const { code } = /** @type {{code?: unknown}} */ (err);
  if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) {
    return code.startsWith('08') || ['57P01', '57P02', '57P03', '25006'].includes(code);
  }
  return true; // no SQLSTATE: the driver's own error of a socket or a closed connection
}

class Failover {
  /**
   * @param {MultiHostConfig} config
   * @param {{waitMs?: number, pauseMs?: number}} [options]
   */
  constructor(config, { waitMs = 30000, pauseMs = 200 } = {}) {
    this.config = config;
    this.waitMs = waitMs;
    this.pauseMs = pauseMs;
    /** @type {Client | null} */
    this.client = null;
    this.repeats = 0; // calls repeated after a lost connection
  }

  /**
   * Runs fn on a Ticketing of the current primary (see the module's text).
   * idempotencyKey is the key fn passes to its call (null: it has none).
   * @template T
   * @param {(tk: Ticketing) => Promise<T>} fn
   * @param {{idempotencyKey: string | null}} options
   * @returns {Promise<T>}
   */
  async call(fn, { idempotencyKey }) {
    const deadline = Date.now() + this.waitMs;
    for (;;) {
      let sent = false;
      try {
        if (!this.client) this.client = await connectReadWrite(this.config);
        sent = true;
        return await fn(new Ticketing(this.client));
      } catch (err) {
        if (!connectionLost(err)) throw err;
        const nothingSent = !sent || (err instanceof TicketingError && err.sqlstate === '25006') ||
          /** @type {{code?: unknown}} */ (err).code === '25006';
        await this.end();
        if (idempotencyKey === null && !nothingSent) throw new OutcomeUnknownError(err);
        if (Date.now() + this.pauseMs >= deadline) throw err;
        this.repeats += 1;
        await new Promise((resolve) => setTimeout(resolve, this.pauseMs));
      }
    }
  }

  async end() {
    const client = this.client;
    this.client = null;
    if (client) await client.end().catch(() => {});
  }
}

module.exports = { Failover, OutcomeUnknownError, NoPrimaryError, connectReadWrite, connectionLost, hostsFromEnv };
