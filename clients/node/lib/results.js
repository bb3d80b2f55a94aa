// @ts-check
'use strict';
// The rows the extension's functions answer, as typed values. An outcome is a plain
// string: the extension may add outcomes, and an unknown one is still a value to look
// at, never an error.

/** Outcomes that leave the customer with what they asked for. */
const SUCCESSES = new Set(['claimed', 'already_owned', 'hold_placed', 'released']);

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
 */

/**
 * ticketing.order_result: the answer of claimAny. On success ticketIds and seats are
 * the customer's tickets; when blocked, the tickets in the way; remaining is set when
 * there were not enough.
 * @typedef {object} OrderResult
 * @property {string} outcome
 * @property {boolean} ok
 * @property {number | null} eventId
 * @property {number[]} ticketIds
 * @property {string[]} seats
 * @property {number | null} remaining
 * @property {Date | null} at
 * @property {Date | null} holdExpiresAt
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

module.exports = { SUCCESSES, ticketResult, orderResult, eventSummary };
