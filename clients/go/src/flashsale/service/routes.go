package service

import (
	"strconv"
	"strings"
)

// Actions on one ticket: POST /events/{event}/tickets/{ticket}/{action}.
const (
	actionClaim       = "claim"
	actionHold        = "hold"
	actionConfirm     = "confirm"
	actionRelease     = "release"
	actionReleaseHold = "release-hold"
)

// Routes without a ticket.
const (
	routeSummary  = "summary"   // GET  /events/{event}
	routeClaimAny = "claim-any" // POST /events/{event}/claim-any
)

// route is a parsed request path.
type route struct {
	event  int64
	ticket int64  // 0 for the event routes
	action string // one of the action or route constants
}

// parseRoute parses the request path; ok is false for a path the service does not
// serve. Ids must be decimal integers; their range is the extension's to check.
func parseRoute(path string) (r route, ok bool) {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	if len(parts) < 2 || parts[0] != "events" {
		return route{}, false
	}
	event, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil {
		return route{}, false
	}
	switch {
	case len(parts) == 2:
		return route{event: event, action: routeSummary}, true
	case len(parts) == 3 && parts[2] == routeClaimAny:
		return route{event: event, action: routeClaimAny}, true
	case len(parts) == 5 && parts[2] == "tickets":
		ticket, err := strconv.ParseInt(parts[3], 10, 64)
		if err != nil {
			return route{}, false
		}
		switch parts[4] {
		case actionClaim, actionHold, actionConfirm, actionRelease, actionReleaseHold:
			return route{event: event, ticket: ticket, action: parts[4]}, true
		}
	}
	return route{}, false
}

// method is the HTTP method a route answers.
func (r route) method() string {
	if r.action == routeSummary {
		return "GET"
	}
	return "POST"
}
