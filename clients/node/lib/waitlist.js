// @ts-check
'use strict';
// The waiting list's rows (issue 19), as typed values.

const { toCount } = require('./results');

/** Outcomes of the waiting list that leave the customer where they asked to be. */
const WAITLIST_SUCCESSES = new Set(['joined', 'offered', 'waiting', 'already_waiting', 'left']);

/**
 * ticketing.waitlist_result: the answer of joinWaitlist, leaveWaitlist and
 * waitlistPosition. place is the entry's place in line (1: next to be offered tickets)
 * while it waits; skippedFor says why the last offer that fitted went past it.
 * @typedef {object} WaitlistResult
 * @property {string} outcome 'joined', 'offered', 'waiting', 'already_waiting', 'left', 'not_waiting', 'waitlist_closed', 'not_found', or one added later
 * @property {boolean} ok
 * @property {number | null} eventId
 * @property {number | null} entryId
 * @property {number | null} place
 * @property {string | null} status
 * @property {number[]} ticketIds the tickets of an offer (held for the customer), or those a leave gave up
 * @property {Date | null} offerExpiresAt
 * @property {string | null} skippedFor 'limit_reached' or 'quota_exhausted'
 */

/**
 * One row of ticketing.waitlist(), in list order. status: waiting, left or closed, or
 * for an entry that got an offer what became of it: offered (still held), accepted,
 * lapsed or declined; bought counts the offer's tickets bought.
 * @typedef {object} WaitlistEntry
 * @property {number} entryId
 * @property {string} customer
 * @property {number | null} place
 * @property {number} quantity
 * @property {string | null} category
 * @property {boolean} together
 * @property {string} status
 * @property {Date} joinedAt
 * @property {Date | null} offeredAt
 * @property {Date | null} offerExpiresAt
 * @property {number[]} ticketIds
 * @property {number | null} bought
 * @property {string | null} skippedFor
 * @property {Date | null} skippedAt
 */

/**
 * One row of ticketing.pending_offers(): an offer still open, what a mailer sends.
 * @typedef {object} PendingOffer
 * @property {number} entryId
 * @property {string} customer
 * @property {number[]} ticketIds
 * @property {string[]} seats
 * @property {Date} offerExpiresAt
 */

/**
 * @param {unknown} value
 * @returns {number | null}
 */
function toIntOrNull(value) {
  return value === null || value === undefined ? null : toCount(value);
}

/**
 * @param {Record<string, any>} row
 * @returns {WaitlistResult}
 */
function waitlistResult(row) {
  return {
    outcome: row.outcome,
    ok: WAITLIST_SUCCESSES.has(row.outcome),
    eventId: toIntOrNull(row.event_id),
    entryId: toIntOrNull(row.entry_id),
    place: toIntOrNull(row.place),
    status: row.status ?? null,
    ticketIds: (row.ticket_ids || []).map(toCount),
    offerExpiresAt: row.offer_expires_at ?? null,
    skippedFor: row.skipped_for ?? null,
  };
}

/**
 * @param {Record<string, any>} row
 * @returns {WaitlistEntry}
 */
function waitlistEntry(row) {
  return {
    entryId: toCount(row.entry_id),
    customer: row.customer,
    place: toIntOrNull(row.place),
    quantity: toCount(row.quantity),
    category: row.category ?? null,
    together: row.together,
    status: row.status,
    joinedAt: row.joined_at,
    offeredAt: row.offered_at ?? null,
    offerExpiresAt: row.offer_expires_at ?? null,
    ticketIds: (row.ticket_ids || []).map(toCount),
    bought: toIntOrNull(row.bought),
    skippedFor: row.skipped_for ?? null,
    skippedAt: row.skipped_at ?? null,
  };
}

/**
 * @param {Record<string, any>} row
 * @returns {PendingOffer}
 */
function pendingOffer(row) {
  return {
    entryId: toCount(row.entry_id),
    customer: row.customer,
    ticketIds: (row.ticket_ids || []).map(toCount),
    seats: row.seats || [],
    offerExpiresAt: row.offer_expires_at,
  };
}

module.exports = { WAITLIST_SUCCESSES, waitlistResult, waitlistEntry, pendingOffer };
