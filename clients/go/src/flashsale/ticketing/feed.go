package ticketing

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v4"
)

// The live availability feed (docs/live-feed.md): feed_snapshot, changes_since and the
// notifications on channel ticketing_feed_<event>.

// SeatState is one ticket of an event as feed_snapshot answers it.
type SeatState struct {
	TicketID      int64
	Seat          string
	Category      string
	Status        string // available, held or sold; a held seat whose hold ended is available
	HoldExpiresAt *time.Time
}

// Snapshot is every ticket of an event as of Through: follow it with
// ChangesSince(event, Through, ...).
type Snapshot struct {
	Through int64
	Seats   []SeatState
}

// Change is one row of changes_since: a ticket's new status, in audit id order.
type Change struct {
	AuditID       int64
	TicketID      int64
	Seat          string
	Category      string
	Status        string
	At            time.Time
	HoldExpiresAt *time.Time
}

// Rows is what a feed read runs on: a *pgxpool.Pool, a *pgx.Conn or a pgx.Tx.
type Rows interface {
	Query(ctx context.Context, sql string, args ...interface{}) (pgx.Rows, error)
}

// FeedSnapshot reads feed_snapshot(event). An unknown event is an *Error of KindNotFound.
func FeedSnapshot(ctx context.Context, db Rows, event int64) (Snapshot, error) {
	rows, err := db.Query(ctx, `SELECT through_audit_id, ticket_id, seat, category, status, hold_expires_at
	                              FROM ticketing.feed_snapshot($1::bigint)`, event)
	if err != nil {
		return Snapshot{}, classify(err)
	}
	defer rows.Close()
	var s Snapshot
	for rows.Next() {
		var seat SeatState
		if err := rows.Scan(&s.Through, &seat.TicketID, &seat.Seat, &seat.Category, &seat.Status,
			&seat.HoldExpiresAt); err != nil {
			return Snapshot{}, classify(err)
		}
		s.Seats = append(s.Seats, seat)
	}
	if err := rows.Err(); err != nil {
		return Snapshot{}, classify(err)
	}
	return s, nil
}

// ChangesSince reads changes_since(event, after, maxRows, settledThrough): at most
// maxRows changes after the audit id `after`, in id order, never one past a change still
// to be committed. settledThrough is an id known to be settled (a Snapshot's Through, or
// an AuditID read before), 0 if none.
func ChangesSince(ctx context.Context, db Rows, event, after int64, maxRows int, settledThrough int64) ([]Change, error) {
	rows, err := db.Query(ctx, `SELECT audit_id, ticket_id, seat, category, status, at, hold_expires_at
	                              FROM ticketing.changes_since($1::bigint, $2::bigint, $3::integer, $4::bigint)`,
		event, after, maxRows, settledThrough)
	if err != nil {
		return nil, classify(err)
	}
	defer rows.Close()
	var changes []Change
	for rows.Next() {
		var c Change
		if err := rows.Scan(&c.AuditID, &c.TicketID, &c.Seat, &c.Category, &c.Status, &c.At,
			&c.HoldExpiresAt); err != nil {
			return nil, classify(err)
		}
		changes = append(changes, c)
	}
	if err := rows.Err(); err != nil {
		return nil, classify(err)
	}
	return changes, nil
}

// FeedNotificationsOn reports whether the server announces committed changes
// (feed_notifications_on(): the library is preloaded and ticketing.feed_interval is not
// 0). When it does not, follow events by polling ChangesSince.
func FeedNotificationsOn(ctx context.Context, db Querier) (bool, error) {
	var on bool
	if err := db.QueryRow(ctx, "SELECT ticketing.feed_notifications_on()").Scan(&on); err != nil {
		return false, classify(err)
	}
	return on, nil
}

// FeedChannelPrefix starts the channel of each event: LISTEN ticketing_feed_42.
const FeedChannelPrefix = "ticketing_feed_"

// FeedResyncChannel is told when the server lost track of which events changed: every
// event may have changed.
const FeedResyncChannel = "ticketing_feed"

// FeedChannel is the channel that announces an event's changes.
func FeedChannel(event int64) string { return FeedChannelPrefix + strconv.FormatInt(event, 10) }

// Announcement is a notification's payload: the event's highest audit id among the
// transactions committed when it was sent. Read ChangesSince until you have passed it.
type Announcement struct {
	EventID int64 `json:"event_id"`
	AuditID int64 `json:"audit_id"`
}

// ParseAnnouncement decodes a notification of channel ticketing_feed_<event>.
func ParseAnnouncement(channel, payload string) (Announcement, error) {
	if !strings.HasPrefix(channel, FeedChannelPrefix) {
		return Announcement{}, fmt.Errorf("channel %q is not a feed channel", channel)
	}
	var a Announcement
	if err := json.Unmarshal([]byte(payload), &a); err != nil {
		return Announcement{}, fmt.Errorf("payload %q of %s: %v", payload, channel, err)
	}
	if FeedChannel(a.EventID) != channel || a.AuditID <= 0 {
		return Announcement{}, fmt.Errorf("payload %q does not belong to channel %s", payload, channel)
	}
	return a, nil
}
