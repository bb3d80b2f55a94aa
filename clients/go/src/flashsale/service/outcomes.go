package service

import (
	"net/http"

	"flashsale/ticketing"
)

// outcomeStatus is the HTTP status for an outcome. The customer getting (or keeping)
// what they asked for is 200; a missing ticket or event is 404; every other outcome is
// a conflict with the inventory's state, 409, including outcomes this service does not
// know yet (the extension may add some): the body always carries the outcome itself.
func outcomeStatus(o ticketing.Outcome) int {
	switch o {
	case ticketing.Claimed, ticketing.AlreadyOwned, ticketing.HoldPlaced, ticketing.Released:
		return http.StatusOK
	case ticketing.NotFound:
		return http.StatusNotFound
	default:
		return http.StatusConflict
	}
}

// outcomeRetryable says whether a later identical request may succeed: busy means
// the request did not run because the tickets were locked by others.
func outcomeRetryable(o ticketing.Outcome) bool {
	return o == ticketing.Busy
}
