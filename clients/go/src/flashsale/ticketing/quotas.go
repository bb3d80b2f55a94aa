package ticketing

import "context"

// QuotaExhausted: a quota covering the ticket's category has no unit left; the
// result's Quota names it, and nothing changed.
const QuotaExhausted Outcome = "quota_exhausted"

// QuotaCounts is ticketing.quota_counts (quota_summary).
type QuotaCounts struct {
	EventID    int64    `json:"event_id"`
	Quota      string   `json:"quota"`
	Categories []string `json:"categories"`
	Size       int32    `json:"size"`
	Sold       int64    `json:"sold"`
	Held       int64    `json:"held"`
	Available  int64    `json:"available"`
}

// CategoryCounts is ticketing.category_counts (category_summary): a lapsed hold
// counts as available.
type CategoryCounts struct {
	EventID   int64  `json:"event_id"`
	Category  string `json:"category"`
	Total     int64  `json:"total"`
	Available int64  `json:"available"`
	Held      int64  `json:"held"`
	Sold      int64  `json:"sold"`
}

// QuotaSummary is one row per quota of the event, by name (quota_summary).
func (c *Client) QuotaSummary(ctx context.Context, event int64) ([]QuotaCounts, error) {
	var rows []QuotaCounts
	err := c.jsonRows(ctx, &rows, `SELECT coalesce(json_agg(q ORDER BY q.quota), '[]')
	                                 FROM ticketing.quota_summary($1::bigint) AS q`, event)
	return rows, err
}

// CategorySummary is one row per category of the event's tickets (category_summary).
func (c *Client) CategorySummary(ctx context.Context, event int64) ([]CategoryCounts, error) {
	var rows []CategoryCounts
	err := c.jsonRows(ctx, &rows, `SELECT coalesce(json_agg(s ORDER BY s.category), '[]')
	                                 FROM ticketing.category_summary($1::bigint) AS s`, event)
	return rows, err
}

// The administrative calls run with the caller's rights: the extension's owner, or a
// role with the grants the README lists.

// AddTickets adds quantity tickets labelled seatPrefix + id ("" for the default, GA-)
// of the category ("" for the default, general); it returns how many (add_tickets).
func (c *Client) AddTickets(ctx context.Context, event int64, quantity int, seatPrefix, category string) (int64, error) {
	return c.count(ctx, "add_tickets",
		named("event_id", "bigint", event),
		named("quantity", "integer", quantity),
		optionalText("seat_prefix", seatPrefix),
		optionalText("category", category))
}

// AddSeats adds one ticket per seat label, in order, of the category ("" for the
// default); it returns how many (add_tickets with seats).
func (c *Client) AddSeats(ctx context.Context, event int64, seats []string, category string) (int64, error) {
	return c.count(ctx, "add_tickets",
		named("event_id", "bigint", event),
		named("seats", "text[]", seats),
		optionalText("category", category))
}

// CreateQuota caps how many tickets of the categories may be sold or held together;
// stripes 0 means the default (create_quota). It returns the quota's id. A size below
// what is sold and held already is 23514 (KindOther).
func (c *Client) CreateQuota(ctx context.Context, event int64, name string, size int, categories []string, stripes int) (int64, error) {
	return c.count(ctx, "create_quota",
		named("event_id", "bigint", event),
		named("name", "text", name),
		named("size", "integer", size),
		named("categories", "text[]", categories),
		arg{name: "stripes", sqlType: "integer", value: stripes, omitted: stripes == 0})
}

// ResizeQuota changes a quota's size, never below what is sold and held (23514).
func (c *Client) ResizeQuota(ctx context.Context, event int64, name string, size int) error {
	return c.done(ctx, "resize_quota",
		named("event_id", "bigint", event), named("name", "text", name), named("size", "integer", size))
}

// DropQuota removes a quota.
func (c *Client) DropQuota(ctx context.Context, event int64, name string) error {
	return c.done(ctx, "drop_quota", named("event_id", "bigint", event), named("name", "text", name))
}

// count runs a function that returns one bigint.
func (c *Client) count(ctx context.Context, fn string, args ...arg) (int64, error) {
	sql, values := statement(fn, fn, args...)
	var n int64
	if err := c.db.QueryRow(ctx, sql, values...).Scan(&n); err != nil {
		return 0, classify(err)
	}
	return n, nil
}

// done runs a function that returns nothing.
func (c *Client) done(ctx context.Context, fn string, args ...arg) error {
	sql, values := statement(fn, "true", args...)
	var ok bool
	return classify(c.db.QueryRow(ctx, sql, values...).Scan(&ok))
}
