// @ts-check
'use strict';
// The calls: one SQL statement each, on a node-postgres Client or Pool.

const { translate } = require('./errors');
const { ticketResult, orderResult, eventSummary } = require('./results');
const { statement, seconds } = require('./statement');

const TICKET_COLUMNS = 'outcome, event_id, ticket_id, seat, owner_is_you, at, hold_expires_at';
const ORDER_COLUMNS = 'outcome, event_id, ticket_ids, seats, remaining, at, hold_expires_at';

/**
 * Anything that runs one statement: a pg.Client, a pg.Pool or a pg.PoolClient.
 * @typedef {{query: (config: {text: string, values: unknown[]}) => Promise<{rows: any[]}>}} Queryable
 */

/** @typedef {'wait' | 'nowait' | 'skip'} Wait */

/**
 * @typedef {object} ClaimOptions
 * @property {Wait} [wait] default 'wait'
 * @property {string} [idempotencyKey]
 */

/**
 * @typedef {object} AnyOptions
 * @property {number} [quantity] default 1
 * @property {string} [section]
 * @property {string} [seatPrefix]
 * @property {boolean} [adjacent]
 * @property {number} [holdForSeconds] hold instead of buying
 * @property {string} [idempotencyKey]
 */

/**
 * @typedef {object} HoldOptions
 * @property {number} [holdForSeconds] default 600
 * @property {Wait} [wait]
 * @property {string} [idempotencyKey]
 */

/**
 * @typedef {object} KeyOptions
 * @property {string} [idempotencyKey]
 */

/**
 * The extension's calls. Through a Pool or an idle Client each call is its own
 * transaction; on a client inside BEGIN it joins that transaction. Outcomes are values
 * (result.outcome); PostgreSQL errors reject with the classes of ./errors. Options
 * left out take the function's defaults.
 */
class Ticketing {
  /** @param {Queryable} db */
  constructor(db) {
    this.db = db;
  }

  /**
   * @template T
   * @param {{text: string, values: unknown[]}} query
   * @param {(row: Record<string, any>) => T} build
   * @returns {Promise<T>}
   */
  async one(query, build) {
    let result;
    try {
      result = await this.db.query(query);
    } catch (err) {
      throw translate(err);
    }
    if (result.rows.length !== 1) throw new Error(`expected one row from: ${query.text}`);
    return build(result.rows[0]);
  }

  /**
   * @param {string} fn
   * @param {number} eventId
   * @param {number} ticketId
   * @param {string} customer
   * @param {import('./statement').Arg[]} optional
   */
  ticketCall(fn, eventId, ticketId, customer, optional) {
    const required = /** @type {import('./statement').Arg[]} */ ([
      ['event_id', 'bigint', eventId],
      ['ticket_id', 'bigint', ticketId],
      ['customer', 'text', customer],
    ]);
    return this.one(statement(fn, TICKET_COLUMNS, required, optional), ticketResult);
  }

  /**
   * Buys one ticket (claim_ticket).
   * @param {number} eventId
   * @param {number} ticketId
   * @param {string} customer
   * @param {ClaimOptions} [options]
   * @returns {Promise<import('./results').TicketResult>}
   */
  claim(eventId, ticketId, customer, options = {}) {
    return this.ticketCall('claim_ticket', eventId, ticketId, customer, [
      ['wait', 'text', options.wait],
      ['idempotency_key', 'text', options.idempotencyKey],
    ]);
  }

  /**
   * Buys (or, with holdForSeconds, holds) any claimable tickets (claim_any).
   * @param {number} eventId
   * @param {string} customer
   * @param {AnyOptions} [options]
   * @returns {Promise<import('./results').OrderResult>}
   */
  claimAny(eventId, customer, options = {}) {
    const query = statement('claim_any', ORDER_COLUMNS, [
      ['event_id', 'bigint', eventId],
      ['customer', 'text', customer],
    ], [
      ['quantity', 'integer', options.quantity],
      ['section', 'text', options.section],
      ['seat_prefix', 'text', options.seatPrefix],
      ['adjacent', 'boolean', options.adjacent],
      ['hold_for', 'interval', seconds(options.holdForSeconds)],
      ['idempotency_key', 'text', options.idempotencyKey],
    ]);
    return this.one(query, orderResult);
  }

  /**
   * Holds one ticket (hold_ticket; default 10 minutes).
   * @param {number} eventId
   * @param {number} ticketId
   * @param {string} customer
   * @param {HoldOptions} [options]
   * @returns {Promise<import('./results').TicketResult>}
   */
  hold(eventId, ticketId, customer, options = {}) {
    return this.ticketCall('hold_ticket', eventId, ticketId, customer, [
      ['hold_for', 'interval', seconds(options.holdForSeconds)],
      ['wait', 'text', options.wait],
      ['idempotency_key', 'text', options.idempotencyKey],
    ]);
  }

  /**
   * Turns the customer's live hold into a sale (confirm_hold).
   * @param {number} eventId
   * @param {number} ticketId
   * @param {string} customer
   * @param {KeyOptions} [options]
   * @returns {Promise<import('./results').TicketResult>}
   */
  confirm(eventId, ticketId, customer, options = {}) {
    return this.ticketCall('confirm_hold', eventId, ticketId, customer,
      [['idempotency_key', 'text', options.idempotencyKey]]);
  }

  /**
   * Returns the customer's sale or live hold to inventory (release_ticket).
   * @param {number} eventId
   * @param {number} ticketId
   * @param {string} customer
   * @param {KeyOptions} [options]
   * @returns {Promise<import('./results').TicketResult>}
   */
  release(eventId, ticketId, customer, options = {}) {
    return this.ticketCall('release_ticket', eventId, ticketId, customer,
      [['idempotency_key', 'text', options.idempotencyKey]]);
  }

  /**
   * Gives up the customer's live hold (release_hold).
   * @param {number} eventId
   * @param {number} ticketId
   * @param {string} customer
   * @param {KeyOptions} [options]
   * @returns {Promise<import('./results').TicketResult>}
   */
  releaseHold(eventId, ticketId, customer, options = {}) {
    return this.ticketCall('release_hold', eventId, ticketId, customer,
      [['idempotency_key', 'text', options.idempotencyKey]]);
  }

  /**
   * Counts the event's tickets by status; an unknown event rejects with DatabaseError
   * (sqlstate 'P0002').
   * @param {number} eventId
   * @returns {Promise<import('./results').EventSummary>}
   */
  eventSummary(eventId) {
    const query = statement('event_summary', 'event_id, total, available, held, sold',
      [['event_id', 'bigint', eventId]]);
    return this.one(query, eventSummary);
  }
}

module.exports = { Ticketing };
