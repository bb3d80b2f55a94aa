// @ts-check
'use strict';
// One error class per SQLSTATE group. A connection that fails (no SQLSTATE, or class
// 08 / 57P01..57P03: the server closed it) is the driver's own error, rethrown
// unchanged: the call may or may not have committed, so retry it with the same
// idempotency key.

/** A call of the extension raised a PostgreSQL error. */
class TicketingError extends Error {
  /**
   * @param {string} sqlstate
   * @param {string} message
   * @param {unknown} [cause] the driver's error
   */
  constructor(sqlstate, message, cause) {
    super(`${message} (SQLSTATE ${sqlstate})`, { cause });
    this.name = new.target.name;
    this.sqlstate = sqlstate;
  }
}

/** Class 22 (22023 invalid_parameter_value, 22004 null_value_not_allowed, ...): fix the request. */
class InvalidInputError extends TicketingError {}

/** 55P03 lock_not_available or 40001 serialization_failure: nothing changed; retry later. */
class RetryableError extends TicketingError {}

/** TK001: an idempotency key reused with different parameters. */
class IdempotencyKeyReusedError extends TicketingError {}

/** 42501: the role lacks a grant (see the README's "Privileges"). */
class PrivilegeError extends TicketingError {}

/** Any other SQLSTATE, e.g. P0002 for eventSummary of an unknown event. */
class DatabaseError extends TicketingError {}

/**
 * The error of the SQLSTATE's group.
 * @param {string} sqlstate
 * @param {string} message
 * @param {unknown} [cause]
 * @returns {TicketingError}
 */
function errorFor(sqlstate, message, cause) {
  if (sqlstate.startsWith('22')) return new InvalidInputError(sqlstate, message, cause);
  if (sqlstate === '55P03' || sqlstate === '40001') return new RetryableError(sqlstate, message, cause);
  if (sqlstate === 'TK001') return new IdempotencyKeyReusedError(sqlstate, message, cause);
  if (sqlstate === '42501') return new PrivilegeError(sqlstate, message, cause);
  return new DatabaseError(sqlstate, message, cause);
}

/**
 * True for SQLSTATEs of a connection the server closed or lost.
 * @param {string} sqlstate
 */
function connectionLost(sqlstate) {
  return sqlstate.startsWith('08') || ['57P01', '57P02', '57P03'].includes(sqlstate);
}

/**
 * A driver error as this module's error, or unchanged when it is not a PostgreSQL
 * error of the request (node-postgres gives server errors a `code` that is a
 * SQLSTATE and a `severity`; socket errors have neither a severity nor a SQLSTATE).
 * @param {unknown} err
 * @returns {unknown}
 */
function translate(err) {
  if (!(err instanceof Error)) return err;
  const { code, severity } = /** @type {{code?: unknown, severity?: unknown}} */ (err);
  if (typeof code !== 'string' || typeof severity !== 'string' || !/^[0-9A-Z]{5}$/.test(code)) return err;
  if (connectionLost(code)) return err;
  return errorFor(code, err.message, err);
}

module.exports = {
  TicketingError,
  InvalidInputError,
  RetryableError,
  IdempotencyKeyReusedError,
  PrivilegeError,
  DatabaseError,
  errorFor,
  translate,
};
