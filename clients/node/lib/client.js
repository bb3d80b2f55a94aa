// @ts-check
'use strict';
// The calls: one SQL statement each, on a node-postgres Client or Pool.

const { translate } = require('./errors');
const {
  ticketResult, orderResult, eventSummary, cartResult, batchResult, quotaSummary, categorySummary, toCount,
} = require('./results');
const { checkInResult, scanResult, ticketCode } = require('./results');
const { statement, seconds } = require('./statement');
const { waitlistResult, waitlistEntry, pendingOffer } = require('./waitlist');

const TICKET_COLUMNS = 'outcome, event_id, ticket_id, seat, owner_is_you, at, hold_expires_at, quota, code';
const ORDER_COLUMNS = 'outcome, event_id, ticket_ids, seats, remaining, at, hold_expires_at, quota, codes';
const CART_COLUMNS = 'outcome, event_id, token, expires_at, ticket_ids, seats';
const WAITLIST_COLUMNS = 'outcome, event_id, entry_id, place, status, ticket_ids, offer_expires_at, skipped_for';
const WAITLIST_ENTRY_COLUMNS = 'entry_id, customer, place, quantity, category, together, status, joined_at,'
  + ' offered_at, offer_expires_at, ticket_ids, bought, skipped_for, skipped_at';

// claim_batch's requests travel as parallel arrays, put together on the server (no
// composite literal is built here); one row per request, in order.
const CLAIM_BATCH = 'SELECT b.request_no, b.outcome, b.ticket_id, b.seat, b.at, b.quota, b.code'
  + ' FROM ticketing.claim_batch($1::bigint, ARRAY('
  + 'SELECT ROW(u.ticket_id, u.customer, u.idempotency_key, u.category, u.cart)::ticketing.batch_request'
  + ' FROM unnest($2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[])'
  + ' WITH ORDINALITY AS u(ticket_id, customer, idempotency_key, category, cart, n)'
  + ' ORDER BY u.n)) AS b ORDER BY b.request_no';

// check_in_batch's scans travel as parallel arrays too; one row per scan, in order.
const CHECK_IN_BATCH = 'SELECT s.scan_no, s.outcome, s.ticket_id, s.gate, s.admitted_at'
  + ' FROM ticketing.check_in_batch($1::bigint, ARRAY('
  + 'SELECT ROW(u.code, u.gate, u.scanned_at)::ticketing.scan'
  + ' FROM unnest($2::text[], $3::text[], $4::timestamptz[])'
  + ' WITH ORDINALITY AS u(code, gate, scanned_at, n)'
  + ' ORDER BY u.n)) AS s ORDER BY s.scan_no';

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
 * @property {string} [category] only tickets of this category
 * @property {string} [cart] hold into this cart (its token)
 */

/**
 * @typedef {object} HoldOptions
 * @property {number} [holdForSeconds] default 600
 * @property {Wait} [wait]
 * @property {string} [idempotencyKey]
 * @property {string} [cart] hold into this cart (its token): the hold lasts as long as the cart
 */

/**
 * @typedef {object} TicketsOptions
 * @property {Wait} [wait]
 * @property {number} [holdForSeconds] hold instead of buying
 * @property {string} [idempotencyKey]
 * @property {string} [cart] hold into this cart (its token)
 */

/**
 * One request of claimBatch (ticketing.batch_request): a given ticket, or any seat
 * (ticketId left out) of a category if given, held into a cart if given.
 * @typedef {object} BatchRequest
 * @property {string} customer
 * @property {number} [ticketId]
 * @property {string} [idempotencyKey]
 * @property {string} [category]
 * @property {string} [cart]
 */

/**
 * @typedef {object} CartOptions
 * @property {number} [expiresInSeconds] default 900
 */

/**
 * @typedef {object} AddOptions
 * @property {string} [seatPrefix] default 'GA-'
 * @property {string} [category] default 'general'
 */

/**
 * joinWaitlist's options; left out, the function's defaults (one ticket of any
 * category, not together, offers held for 15 minutes).
 * @typedef {object} WaitlistOptions
 * @property {number} [quantity]
 * @property {string} [category] only tickets of this category
 * @property {boolean} [together] adjacent seats only
 * @property {number} [offerForSeconds] how long an offer is held (60 to 604800)
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
   * @template T
   * @param {{text: string, values: unknown[]}} query
   * @param {(row: Record<string, any>) => T} build
   * @returns {Promise<T[]>}
   */
  async all(query, build) {
    let result;
    try {
      result = await this.db.query(query);
    } catch (err) {
      throw translate(err);
    }
    return result.rows.map(build);
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
      ['category', 'text', options.category],
      ['cart', 'text', options.cart],
    ]);
    return this.one(query, orderResult);
  }

  /**
   * Buys (or holds) the given tickets, all or nothing (claim_tickets).
   * @param {number} eventId
   * @param {number[]} ticketIds
   * @param {string} customer
   * @param {TicketsOptions} [options]
   * @returns {Promise<import('./results').OrderResult>}
   */
  claimTickets(eventId, ticketIds, customer, options = {}) {
    const query = statement('claim_tickets', ORDER_COLUMNS, [
      ['event_id', 'bigint', eventId],
      ['ticket_ids', 'bigint[]', ticketIds],
      ['customer', 'text', customer],
    ], [
      ['wait', 'text', options.wait],
      ['hold_for', 'interval', seconds(options.holdForSeconds)],
      ['idempotency_key', 'text', options.idempotencyKey],
      ['cart', 'text', options.cart],
    ]);
    return this.one(query, orderResult);
  }

  /**
   * Many claims in one call and one transaction, one answer per request in order
   * (claim_batch with ticketing.batch_request[]); it never waits for a lock.
   * @param {number} eventId
   * @param {BatchRequest[]} requests
   * @returns {Promise<import('./results').BatchResult[]>}
   */
  claimBatch(eventId, requests) {
    const column = (/** @type {(r: BatchRequest) => unknown} */ pick) => requests.map((r) => pick(r) ?? null);
    return this.all({
      text: CLAIM_BATCH,
      values: [eventId, column((r) => r.ticketId), column((r) => r.customer), column((r) => r.idempotencyKey),
        column((r) => r.category), column((r) => r.cart)],
    }, batchResult);
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
      ['cart', 'text', options.cart],
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

  // Carts: a token bound to one customer and one event; another customer's token is
  // answered as an unknown one.

  /**
   * @template T
   * @param {string} fn
   * @param {number} eventId
   * @param {string} token
   * @param {string} customer
   * @param {string} columns
   * @param {(row: Record<string, any>) => T} build
   * @param {import('./statement').Arg[]} [rest]
   * @returns {Promise<T>}
   */
  cartCall(fn, eventId, token, customer, columns, build, rest = []) {
    const required = /** @type {import('./statement').Arg[]} */ ([
      ['event_id', 'bigint', eventId],
      ['token', 'text', token],
      ['customer', 'text', customer],
    ]);
    return this.one(statement(fn, columns, required, rest), build);
  }

  /**
   * Opens a cart (open_cart; default 15 minutes): its token names it in the other calls
   * (the cart option of hold, claimTickets, claimAny and claimBatch's requests). No
   * idempotency key: a repeat opens another cart; an empty cart costs nothing and expires.
   * @param {number} eventId
   * @param {string} customer
   * @param {CartOptions} [options]
   * @returns {Promise<import('./results').CartResult>}
   */
  openCart(eventId, customer, options = {}) {
    const query = statement('open_cart', CART_COLUMNS, [
      ['event_id', 'bigint', eventId],
      ['customer', 'text', customer],
    ], [
      ['expires_in', 'interval', seconds(options.expiresInSeconds)],
    ]);
    return this.one(query, cartResult);
  }

  /**
   * Makes the cart and its holds last longer, up to the ceiling of a cart's lifetime
   * ('capped' when the ceiling cut it) (extend_cart).
   * @param {number} eventId
   * @param {string} token
   * @param {string} customer
   * @param {number} extendBySeconds
   * @returns {Promise<import('./results').CartResult>}
   */
  extendCart(eventId, token, customer, extendBySeconds) {
    return this.cartCall('extend_cart', eventId, token, customer, CART_COLUMNS, cartResult,
      [['extend_by', 'interval', seconds(extendBySeconds) ?? null]]);
  }

  /**
   * Sells every item of the cart, or nothing (checkout_cart).
   * @param {number} eventId
   * @param {string} token
   * @param {string} customer
   * @param {KeyOptions} [options]
   * @returns {Promise<import('./results').OrderResult>}
   */
  checkoutCart(eventId, token, customer, options = {}) {
    return this.cartCall('checkout_cart', eventId, token, customer, ORDER_COLUMNS, orderResult,
      [['idempotency_key', 'text', options.idempotencyKey]]);
  }

  /**
   * Releases every item of the cart (abandon_cart).
   * @param {number} eventId
   * @param {string} token
   * @param {string} customer
   * @param {KeyOptions} [options]
   * @returns {Promise<import('./results').OrderResult>}
   */
  abandonCart(eventId, token, customer, options = {}) {
    return this.cartCall('abandon_cart', eventId, token, customer, ORDER_COLUMNS, orderResult,
      [['idempotency_key', 'text', options.idempotencyKey]]);
  }

  /**
   * What the cart holds, and whether it is open (cart_contents).
   * @param {number} eventId
   * @param {string} token
   * @param {string} customer
   * @returns {Promise<import('./results').CartResult>}
   */
  cartContents(eventId, token, customer) {
    return this.cartCall('cart_contents', eventId, token, customer, CART_COLUMNS, cartResult);
  }

  // The waiting list (issue 19): an event's list, once open, is offered every ticket
  // that comes free, in the transaction that freed it, as a hold in the waiter's name.

  /**
   * Puts the customer in the event's list (join_waitlist): 'joined' with the place in
   * line, 'offered' when tickets that fit were free at once, 'already_waiting' (the
   * entry as it stands), 'waitlist_closed', 'not_found'.
   * @param {number} eventId
   * @param {string} customer
   * @param {WaitlistOptions} [options]
   * @returns {Promise<import('./waitlist').WaitlistResult>}
   */
  joinWaitlist(eventId, customer, options = {}) {
    return this.one(statement('join_waitlist', WAITLIST_COLUMNS, [
      ['event_id', 'bigint', eventId],
      ['customer', 'text', customer],
    ], [
      ['quantity', 'integer', options.quantity],
      ['category', 'text', options.category],
      ['together', 'boolean', options.together],
      ['offer_for', 'interval', seconds(options.offerForSeconds)],
    ]), waitlistResult);
  }

  /**
   * Takes the customer out of the list (leave_waitlist): 'left' (an open offer is given
   * up and passed on; its tickets in ticketIds), 'not_waiting'.
   * @param {number} eventId
   * @param {string} customer
   * @returns {Promise<import('./waitlist').WaitlistResult>}
   */
  leaveWaitlist(eventId, customer) {
    return this.one(statement('leave_waitlist', WAITLIST_COLUMNS, [
      ['event_id', 'bigint', eventId],
      ['customer', 'text', customer],
    ]), waitlistResult);
  }

  /**
   * Where the customer stands (waitlist_position): 'waiting' with the place, 'offered'
   * with the tickets held and until when, 'not_waiting'.
   * @param {number} eventId
   * @param {string} customer
   * @returns {Promise<import('./waitlist').WaitlistResult>}
   */
  waitlistPosition(eventId, customer) {
    return this.one(statement('waitlist_position', WAITLIST_COLUMNS, [
      ['event_id', 'bigint', eventId],
      ['customer', 'text', customer],
    ]), waitlistResult);
  }

  /**
   * Every entry of the event's list, in list order, for the shop's staff (waitlist).
   * @param {number} eventId
   * @returns {Promise<import('./waitlist').WaitlistEntry[]>}
   */
  waitlist(eventId) {
    return this.all(statement('waitlist', WAITLIST_ENTRY_COLUMNS, [['event_id', 'bigint', eventId]]),
      waitlistEntry);
  }

  /**
   * The event's offers still open (pending_offers), for a mailer woken by LISTEN
   * ticketing_waitlist_<eventId>.
   * @param {number} eventId
   * @returns {Promise<import('./waitlist').PendingOffer[]>}
   */
  pendingOffers(eventId) {
    return this.all(statement('pending_offers', 'entry_id, customer, ticket_ids, seats, offer_expires_at',
      [['event_id', 'bigint', eventId]]), pendingOffer);
  }

  /**
   * Opens the event's list (open_waitlist); an unknown event rejects with
   * DatabaseError 'P0002'.
   * @param {number} eventId
   * @returns {Promise<void>}
   */
  async openWaitlist(eventId) {
    await this.one(statement('open_waitlist', 'true AS done', [['event_id', 'bigint', eventId]]), () => undefined);
  }

  /**
   * Closes the event's list (close_waitlist); resolves to how many waiting entries it
   * closed (offers already made stand).
   * @param {number} eventId
   * @returns {Promise<number>}
   */
  closeWaitlist(eventId) {
    return this.one(statement('close_waitlist', 'close_waitlist', [['event_id', 'bigint', eventId]]),
      (row) => toCount(row.close_waitlist));
  }

  // Quotas and categories.

  /**
   * One row per quota of the event: size, sold, held, available (quota_summary).
   * @param {number} eventId
   * @returns {Promise<import('./results').QuotaSummary[]>}
   */
  quotaSummary(eventId) {
    return this.all(statement('quota_summary', 'event_id, quota, categories, size, sold, held, available',
      [['event_id', 'bigint', eventId]]), quotaSummary);
  }

  /**
   * One row per category of the event's tickets (category_summary).
   * @param {number} eventId
   * @returns {Promise<import('./results').CategorySummary[]>}
   */
  categorySummary(eventId) {
    return this.all(statement('category_summary', 'event_id, category, total, available, held, sold',
      [['event_id', 'bigint', eventId]]), categorySummary);
  }

  // Administration: these run with the caller's rights (the extension's owner, or a
  // role with the grants the README lists).

  /**
   * Adds quantity tickets labelled prefix + id; resolves to how many (add_tickets).
   * @param {number} eventId
   * @param {number} quantity
   * @param {AddOptions} [options]
   * @returns {Promise<number>}
   */
  addTickets(eventId, quantity, options = {}) {
    return this.one(statement('add_tickets', 'add_tickets', [
      ['event_id', 'bigint', eventId],
      ['quantity', 'integer', quantity],
    ], [
      ['seat_prefix', 'text', options.seatPrefix],
      ['category', 'text', options.category],
    ]), (row) => toCount(row.add_tickets));
  }

  /**
   * Adds one ticket per seat label, in order; resolves to how many (add_tickets).
   * @param {number} eventId
   * @param {string[]} seats
   * @param {{category?: string}} [options]
   * @returns {Promise<number>}
   */
  addSeats(eventId, seats, options = {}) {
    return this.one(statement('add_tickets', 'add_tickets', [
      ['event_id', 'bigint', eventId],
      ['seats', 'text[]', seats],
    ], [['category', 'text', options.category]]), (row) => toCount(row.add_tickets));
  }

  /**
   * Caps how many tickets of the categories may be sold or held together; resolves to
   * the quota's id (create_quota). Smaller than what is sold and held: DatabaseError 23514.
   * @param {number} eventId
   * @param {string} name
   * @param {number} size
   * @param {string[]} categories
   * @param {{stripes?: number}} [options]
   * @returns {Promise<number>}
   */
  createQuota(eventId, name, size, categories, options = {}) {
    return this.one(statement('create_quota', 'create_quota', [
      ['event_id', 'bigint', eventId],
      ['name', 'text', name],
      ['size', 'integer', size],
      ['categories', 'text[]', categories],
    ], [['stripes', 'integer', options.stripes]]), (row) => toCount(row.create_quota));
  }

  /**
   * Changes a quota's size, never below what is sold and held (23514) (resize_quota).
   * @param {number} eventId
   * @param {string} name
   * @param {number} size
   * @returns {Promise<void>}
   */
  async resizeQuota(eventId, name, size) {
    await this.one(statement('resize_quota', 'true AS done', [
      ['event_id', 'bigint', eventId],
      ['name', 'text', name],
      ['size', 'integer', size],
    ]), () => undefined);
  }

  /**
   * Removes a quota (drop_quota).
   * @param {number} eventId
   * @param {string} name
   * @returns {Promise<void>}
   */
  async dropQuota(eventId, name) {
    await this.one(statement('drop_quota', 'true AS done', [
      ['event_id', 'bigint', eventId],
      ['name', 'text', name],
    ]), () => undefined);
  }

  // Check-in and transfer (issue 19).

  /**
   * The customer's sold tickets in the event with their codes, in ticket order
   * (ticket_codes).
   * @param {number} eventId
   * @param {string} customer
   * @returns {Promise<import('./results').TicketCode[]>}
   */
  ticketCodes(eventId, customer) {
    return this.all(statement('ticket_codes', 'ticket_id, seat, code', [
      ['event_id', 'bigint', eventId],
      ['customer', 'text', customer],
    ]), ticketCode);
  }

  /**
   * Admits the holder of a ticket's code once (check_in): admitted, then
   * already_admitted; not_sold, unknown_code, wrong_event or revoked otherwise.
   * @param {number} eventId
   * @param {string} code
   * @param {string} gate
   * @returns {Promise<import('./results').CheckInResult>}
   */
  checkIn(eventId, code, gate) {
    return this.one(statement('check_in', 'outcome, ticket_id, seat, gate, admitted_at', [
      ['event_id', 'bigint', eventId],
      ['code', 'text', code],
      ['gate', 'text', gate],
    ]), checkInResult);
  }

  /**
   * An offline gate's scans, one answer per scan in order (check_in_batch): of several
   * scans of one ticket the earliest is the admission. 1 to 1000 scans.
   * @param {number} eventId
   * @param {import('./results').Scan[]} scans
   * @returns {Promise<import('./results').ScanResult[]>}
   */
  checkInBatch(eventId, scans) {
    return this.all({
      text: CHECK_IN_BATCH,
      values: [eventId, scans.map((s) => s.code), scans.map((s) => s.gate), scans.map((s) => s.scannedAt)],
    }, scanResult);
  }

  /**
   * Moves a sold ticket to another customer (transfer_ticket): transferred with the
   * receiver's new code (the old one answers revoked); not_owner, not_sold,
   * already_admitted, limit_reached (the receiver's limit) or not_found change nothing.
   * @param {number} eventId
   * @param {number} ticketId
   * @param {string} fromCustomer
   * @param {string} toCustomer
   * @param {{idempotencyKey?: string}} [options]
   * @returns {Promise<import('./results').TicketResult>}
   */
  transferTicket(eventId, ticketId, fromCustomer, toCustomer, options = {}) {
    return this.one(statement('transfer_ticket', TICKET_COLUMNS, [
      ['event_id', 'bigint', eventId],
      ['ticket_id', 'bigint', ticketId],
      ['from_customer', 'text', fromCustomer],
      ['to_customer', 'text', toCustomer],
    ], [['idempotency_key', 'text', options.idempotencyKey]]), ticketResult);
  }
}

module.exports = { Ticketing };

