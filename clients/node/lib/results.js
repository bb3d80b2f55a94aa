// @ts-check
'use strict';
// The rows the extension's functions answer, as typed values. An outcome is a plain
// string: the extension may add outcomes, and an unknown one is still a value to look
// at, never an error.

/** Outcomes that leave the customer with what they asked for (a cart: open for more). */
const SUCCESSES = new Set(['claimed', 'already_owned', 'hold_placed', 'released', 'opened', 'extended']);

/**
 * ticketing.ticket_result: the answer of claim, hold, confirm, release.
 * @typedef {object} TicketResult
 * @property {string} outcome e.g. 'claimed', 'already_sold', 'held', 'not_found', or one added later
 * @property {boolean} ok true when the customer got (or already had) what they asked for
 * @property {number | null} eventId
 * @property {number | null} ticketId
 * @property {string | null} seat
 * @property {boolean | null} ownerIsYou
 * @property {Date | null} at
 * @property {Date | null} holdExpiresAt
 * @property {string | null} quota quota_exhausted: the quota with no unit left
 * @property {string | null} code the ticket's code for the gate when the answer gives the
 *   customer a sold ticket (claimed, already_owned, transferred: the receiver's)
 */

/**
 * ticketing.order_result: the answer of claimAny, claimTickets, checkoutCart and
 * abandonCart. On success ticketIds and seats are the customer's tickets; when blocked,
 * the tickets in the way; remaining is set when there were not enough.
 * @typedef {object} OrderResult
 * @property {string} outcome
 * @property {boolean} ok
 * @property {number | null} eventId
 * @property {number[]} ticketIds
 * @property {string[]} seats
 * @property {number | null} remaining
 * @property {Date | null} at
 * @property {Date | null} holdExpiresAt
 * @property {string | null} quota
 * @property {string[]} codes the tickets' codes, in ticketIds' order, for a sale
 */

/**
 * ticketing.cart_result: the answer of openCart (with the cart's token, only there),
 * extendCart and cartContents.
 * @typedef {object} CartResult
 * @property {string} outcome e.g. 'opened', 'extended', 'capped', 'cart_expired', 'cart_closed', 'cart_not_found'
 * @property {boolean} ok
 * @property {number | null} eventId
 * @property {string | null} token
 * @property {Date | null} expiresAt
 * @property {number[]} ticketIds
 * @property {string[]} seats
 */

/**
 * ticketing.batch_result: the answer to request requestNo (from 1).
 * @typedef {object} BatchResult
 * @property {number} requestNo
 * @property {string} outcome
 * @property {boolean} ok
 * @property {number | null} ticketId
 * @property {string | null} seat
 * @property {Date | null} at
 * @property {string | null} quota
 * @property {string | null} code the ticket's code when the request bought or owns it
 */

/**
 * ticketing.quota_counts: a quota's size, and what is sold, held and left.
 * @typedef {object} QuotaSummary
 * @property {number} eventId
 * @property {string} quota
 * @property {string[]} categories
 * @property {number} size
 * @property {number} sold
 * @property {number} held
 * @property {number} available
 */

/**
 * ticketing.category_counts (a lapsed hold counts as available).
 * @typedef {object} CategorySummary
 * @property {number} eventId
 * @property {string} category
 * @property {number} total
 * @property {number} available
 * @property {number} held
 * @property {number} sold
 */

/**
 * ticketing.event_counts (a lapsed hold counts as available).
 * @typedef {object} EventSummary
 * @property {number} eventId
 * @property {number} total
 * @property {number} available
 * @property {number} held
 * @property {number} sold
 */

/**
 * A bigint column (node-postgres returns it as a string) as a number.
 * @param {unknown} value
 * @returns {number | null}
 */
function toInt(value) {
  if (value === null || value === undefined) return null;
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new RangeError(`${String(value)} is not a safe integer`);
  return n;
}

/**
 * @param {unknown} value
 * @returns {number}
 */
function toCount(value) {
  const n = toInt(value);
  if (n === null) throw new TypeError('a count is NULL');
  return n;
}

/**
 * @param {Record<string, any>} row
 * @returns {TicketResult}
 */
function ticketResult(row) {
  return {
    outcome: row.outcome,
    ok: SUCCESSES.has(row.outcome),
    eventId: toInt(row.event_id),
    ticketId: toInt(row.ticket_id),
    seat: row.seat,
    ownerIsYou: row.owner_is_you,
    at: row.at,
    holdExpiresAt: row.hold_expires_at,
    quota: row.quota ?? null,
    code: row.code ?? null,
  };
}

/**
 * @param {Record<string, any>} row
 * @returns {OrderResult}
 */
function orderResult(row) {
  return {
    outcome: row.outcome,
    ok: SUCCESSES.has(row.outcome),
    eventId: toInt(row.event_id),
    ticketIds: (row.ticket_ids || []).map(toCount),
    seats: row.seats || [],
    remaining: toInt(row.remaining),
    at: row.at,
    holdExpiresAt: row.hold_expires_at,
    quota: row.quota ?? null,
    codes: row.codes || [],
  };
}

/**
 * @param {Record<string, any>} row
 * @returns {CartResult}
 */
function cartResult(row) {
  return {
    outcome: row.outcome,
    ok: SUCCESSES.has(row.outcome),
    eventId: toInt(row.event_id),
    token: row.token ?? null,
    expiresAt: row.expires_at ?? null,
    ticketIds: (row.ticket_ids || []).map(toCount),
    seats: row.seats || [],
  };
}

/**
 * @param {Record<string, any>} row
 * @returns {BatchResult}
 */
function batchResult(row) {
  return {
    requestNo: toCount(row.request_no),
    outcome: row.outcome,
    ok: SUCCESSES.has(row.outcome),
    ticketId: toInt(row.ticket_id),
    seat: row.seat ?? null,
    at: row.at ?? null,
    quota: row.quota ?? null,
    code: row.code ?? null,
  };
}

/**
 * @param {Record<string, any>} row
 * @returns {QuotaSummary}
 */
function quotaSummary(row) {
  return {
    eventId: toCount(row.event_id),
    quota: row.quota,
    categories: row.categories || [],
    size: toCount(row.size),
    sold: toCount(row.sold),
    held: toCount(row.held),
    available: toCount(row.available),
  };
}

/**
 * @param {Record<string, any>} row
 * @returns {CategorySummary}
 */
function categorySummary(row) {
  return {
    eventId: toCount(row.event_id),
    category: row.category,
    total: toCount(row.total),
    available: toCount(row.available),
    held: toCount(row.held),
    sold: toCount(row.sold),
  };
}

/**
 * @param {Record<string, any>} row
 * @returns {EventSummary}
 */
function eventSummary(row) {
  return {
    eventId: toCount(row.event_id),
    total: toCount(row.total),
    available: toCount(row.available),
    held: toCount(row.held),
    sold: toCount(row.sold),
  };
}

// Check-in and transfer (issue 19).

/**
 * ticketing.check_in_result: ticketId and seat for a genuine code of the event; gate and
 * admittedAt of the admission (this one, or the earlier one for already_admitted).
 * @typedef {object} CheckInResult
 * @property {string} outcome 'admitted', 'already_admitted', 'not_sold', 'unknown_code', 'wrong_event', 'revoked'
 * @property {boolean} ok true when the holder may enter now
 * @property {number | null} ticketId
 * @property {string | null} seat
 * @property {string | null} gate
 * @property {Date | null} admittedAt
 */

/**
 * ticketing.scan: one scan an offline gate uploads, with the time it was made.
 * @typedef {object} Scan
 * @property {string} code
 * @property {string} gate
 * @property {Date} scannedAt
 */

/**
 * ticketing.scan_result: the answer to scan scanNo (from 1); a scan that lost to an
 * earlier one of the same ticket is already_admitted with the winner's gate.
 * @typedef {object} ScanResult
 * @property {number} scanNo
 * @property {string} outcome
 * @property {number | null} ticketId
 * @property {string | null} gate
 * @property {Date | null} admittedAt
 */

/**
 * ticketing.ticket_code: one of a customer's sold tickets and its code.
 * @typedef {object} TicketCode
 * @property {number} ticketId
 * @property {string} seat
 * @property {string} code
 */

/**
 * @param {Record<string, any>} row
 * @returns {CheckInResult}
 */
function checkInResult(row) {
  return {
    outcome: row.outcome,
    ok: row.outcome === 'admitted',
    ticketId: toInt(row.ticket_id),
    seat: row.seat ?? null,
    gate: row.gate ?? null,
    admittedAt: row.admitted_at ?? null,
  };
}

/**
 * @param {Record<string, any>} row
 * @returns {ScanResult}
 */
function scanResult(row) {
  return {
    scanNo: toCount(row.scan_no),
    outcome: row.outcome,
    ticketId: toInt(row.ticket_id),
    gate: row.gate ?? null,
    admittedAt: row.admitted_at ?? null,
  };
}

/**
 * @param {Record<string, any>} row
 * @returns {TicketCode}
 */
function ticketCode(row) {
  return { ticketId: toCount(row.ticket_id), seat: row.seat, code: row.code };
}

module.exports = {
  SUCCESSES, ticketResult, orderResult, eventSummary, cartResult, batchResult, quotaSummary, categorySummary,
  toCount, checkInResult, scanResult, ticketCode,
};

