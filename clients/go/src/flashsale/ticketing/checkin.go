package ticketing

import (
	"context"
	"time"
)

// The outcomes of check-in and transfer (issue 19).
const (
	// Admitted: the code is good and the holder may enter; recorded now.
	Admitted Outcome = "admitted"
	// AlreadyAdmitted: the ticket was checked in before (Gate and AdmittedAt say where
	// and when); a checked-in ticket is not released or transferred either.
	AlreadyAdmitted Outcome = "already_admitted"
	// NotSold: a genuine code of a ticket that is not sold now (refunded, held again);
	// from TransferTicket, a ticket that is not sold.
	NotSold Outcome = "not_sold"
	// UnknownCode: not a code of this server's tickets (malformed, forged, made under a
	// rotated secret). Anything can be scanned: this is an answer, never an error.
	UnknownCode Outcome = "unknown_code"
	// WrongEvent: a genuine code of another event.
	WrongEvent Outcome = "wrong_event"
	// Revoked: a genuine code of an earlier sale: the ticket was transferred or resold.
	Revoked Outcome = "revoked"
	// Transferred: the ticket is the receiver's now, with a new code.
	Transferred Outcome = "transferred"
)

// CheckInResult is ticketing.check_in_result: TicketID and Seat for a genuine code of
// the event, Gate and AdmittedAt of the admission (this one, or the earlier one).
type CheckInResult struct {
	Outcome    Outcome    `json:"outcome"`
	TicketID   *int64     `json:"ticket_id,omitempty"`
	Seat       *string    `json:"seat,omitempty"`
	Gate       *string    `json:"gate,omitempty"`
	AdmittedAt *time.Time `json:"admitted_at,omitempty"`
}

// Scan is ticketing.scan: one scan an offline gate uploads, with its own time.
type Scan struct {
	Code      string    `json:"code"`
	Gate      string    `json:"gate"`
	ScannedAt time.Time `json:"scanned_at"`
}

// ScanResult is ticketing.scan_result: the answer to scan ScanNo (from 1). A scan that
// lost to an earlier scan of the same ticket is AlreadyAdmitted with the winner's Gate
// and AdmittedAt.
type ScanResult struct {
	ScanNo     int32      `json:"scan_no"`
	Outcome    Outcome    `json:"outcome"`
	TicketID   *int64     `json:"ticket_id,omitempty"`
	Gate       *string    `json:"gate,omitempty"`
	AdmittedAt *time.Time `json:"admitted_at,omitempty"`
}

// TicketCode is ticketing.ticket_code: one of a customer's sold tickets and its code.
type TicketCode struct {
	TicketID int64  `json:"ticket_id"`
	Seat     string `json:"seat"`
	Code     string `json:"code"`
}

// CheckIn admits the holder of a ticket's code once (check_in): Admitted, then
// AlreadyAdmitted; NotSold, UnknownCode, WrongEvent or Revoked otherwise.
func (c *Client) CheckIn(ctx context.Context, event int64, code, gate string) (CheckInResult, error) {
	sql, values := statement("check_in", "outcome, ticket_id, seat, gate, admitted_at",
		named("event_id", "bigint", event), named("code", "text", code), named("gate", "text", gate))
	var r CheckInResult
	var outcome string
	if err := c.db.QueryRow(ctx, sql, values...).Scan(&outcome, &r.TicketID, &r.Seat, &r.Gate, &r.AdmittedAt); err != nil {
		return CheckInResult{}, classify(err)
	}
	r.Outcome = Outcome(outcome)
	return r, nil
}

// The scans travel as parallel arrays and are put together on the server (as
// claimBatchSQL does); the answers come back as one JSON array, in scan order.
const checkInBatchSQL = `SELECT coalesce(json_agg(s ORDER BY s.scan_no), '[]')
  FROM ticketing.check_in_batch($1::bigint, ARRAY(
         SELECT ROW(u.code, u.gate, u.scanned_at)::ticketing.scan
           FROM unnest($2::text[], $3::text[], $4::timestamptz[]) WITH ORDINALITY AS u(code, gate, scanned_at, n)
          ORDER BY u.n)) AS s`

// CheckInBatch records an offline gate's scans (check_in_batch), one answer per scan in
// order: of several scans of one ticket the earliest is the admission, whichever upload
// arrives first. 1 to 1000 scans per call.
func (c *Client) CheckInBatch(ctx context.Context, event int64, scans []Scan) ([]ScanResult, error) {
	codes, gates, times := make([]string, len(scans)), make([]string, len(scans)), make([]time.Time, len(scans))
	for i, s := range scans {
		codes[i], gates[i], times[i] = s.Code, s.Gate, s.ScannedAt
	}
	var results []ScanResult
	err := c.jsonRows(ctx, &results, checkInBatchSQL, event, codes, gates, times)
	return results, err
}

// TransferTicket moves a sold ticket from its owner to another customer
// (transfer_ticket): Transferred with the receiver's new Code (the old one answers
// Revoked at the gate); NotOwner, NotSold, AlreadyAdmitted, LimitReached (the
// receiver's per-customer limit) or NotFound change nothing.
func (c *Client) TransferTicket(ctx context.Context, event, ticket int64, from, to, idempotencyKey string) (TicketResult, error) {
	return c.ticketCall(ctx, "transfer_ticket", []arg{
		named("event_id", "bigint", event),
		named("ticket_id", "bigint", ticket),
		named("from_customer", "text", from),
		named("to_customer", "text", to),
		optionalText("idempotency_key", idempotencyKey),
	})
}

// TicketCodes lists the customer's sold tickets in the event with their codes, in
// ticket order (ticket_codes).
func (c *Client) TicketCodes(ctx context.Context, event int64, customer string) ([]TicketCode, error) {
	var codes []TicketCode
	err := c.jsonRows(ctx, &codes, `SELECT coalesce(json_agg(c ORDER BY c.ticket_id), '[]')
  FROM ticketing.ticket_codes($1::bigint, $2::text) AS c`, event, customer)
	return codes, err
}
