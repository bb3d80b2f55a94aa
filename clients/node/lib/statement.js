// @ts-check
'use strict';

/**
 * One argument in named notation: [name, SQL type, value].
 * @typedef {[string, string, unknown]} Arg
 */

/**
 * SELECT <columns> FROM ticketing.<fn>(name => $1::type, ...) and its values. A
 * required argument of null or undefined is passed as NULL (the function raises
 * 22004); an optional one is left out, so the function's default applies. Names and
 * types come from this module, never from callers.
 * @param {string} fn
 * @param {string} columns
 * @param {Arg[]} required
 * @param {Arg[]} [optional]
 * @returns {{text: string, values: unknown[]}}
 */
function statement(fn, columns, required, optional = []) {
  const given = [...required, ...optional.filter(([, , value]) => value !== null && value !== undefined)];
  const params = given.map(([name, type], i) => `${name} => $${i + 1}::${type}`).join(', ');
  return {
    text: `SELECT ${columns} FROM ticketing.${fn}(${params})`,
    values: given.map(([, , value]) => (value === undefined ? null : value)),
  };
}

/**
 * Seconds as an interval literal.
 * @param {number | undefined} seconds
 * @returns {string | undefined}
 */
function seconds(seconds) {
  return seconds === undefined ? undefined : `${seconds} seconds`;
}

module.exports = { statement, seconds };
