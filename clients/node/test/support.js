// @ts-check
'use strict';
// Shared by the tests that need a database: the PG* environment variables name one
// where the ticketing extension is installed (test/clients/run_clients.sh makes it).

const crypto = require('node:crypto');
const { Client } = require('pg');

/**
 * A connected client (PG* variables; config overrides). Connection errors the server
 * sends while the client is idle (e.g. after pg_terminate_backend) are recorded on
 * client.lastError instead of crashing the process.
 * @param {import('pg').ClientConfig} [config]
 * @returns {Promise<Client & {lastError?: Error}>}
 */
async function connect(config = {}) {
  /** @type {Client & {lastError?: Error}} */
  const client = new Client(config);
  client.on('error', (err) => { client.lastError = err; });
  await client.connect();
  return client;
}

/**
 * @param {Client} client
 * @param {number} tickets
 * @returns {Promise<number>}
 */
async function newEvent(client, tickets) {
  const { rows } = await client.query("SELECT ticketing.create_event('node test') AS id");
  const event = Number(rows[0].id);
  await client.query('SELECT ticketing.add_tickets($1::bigint, $2::integer)', [event, tickets]);
  return event;
}

/** @param {string} prefix */
function unique(prefix) {
  return `${prefix}-${crypto.randomBytes(6).toString('hex')}`;
}

/**
 * The tickets the audit log says were sold to the customer in the event.
 * @param {Client} client
 * @param {number} event
 * @param {string} customer
 * @returns {Promise<number[]>}
 */
async function sales(client, event, customer) {
  const { rows } = await client.query(
    `SELECT ticket_id FROM ticketing.audit_log
      WHERE event_id = $1 AND customer = $2 AND to_status = 'sold' ORDER BY ticket_id`,
    [event, customer]);
  return rows.map((r) => Number(r.ticket_id));
}

/**
 * @param {Client} client
 * @param {number} event
 */
async function problems(client, event) {
  const { rows } = await client.query('SELECT count(*) AS n FROM ticketing.verify($1)', [event]);
  return Number(rows[0].n);
}

module.exports = { connect, newEvent, unique, sales, problems };
