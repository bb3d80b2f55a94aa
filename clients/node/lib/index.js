// @ts-check
'use strict';
// A typed wrapper of the ticketing extension for node-postgres (pg).

const { Ticketing } = require('./client');
const errors = require('./errors');
const { SUCCESSES } = require('./results');
const { WAITLIST_SUCCESSES } = require('./waitlist');
const { Failover, OutcomeUnknownError, NoPrimaryError, connectReadWrite, hostsFromEnv } = require('./failover');

module.exports = { Ticketing, SUCCESSES, WAITLIST_SUCCESSES, ...errors, Failover, OutcomeUnknownError, NoPrimaryError, connectReadWrite, hostsFromEnv };
