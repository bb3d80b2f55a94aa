package main

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v4"
	"github.com/jackc/pgx/v4/pgxpool"
)

// The extension's notifications, seen by a plain LISTEN (the library is preloaded in
// this suite's cluster): one per event per interval however many transactions commit,
// the last one naming the highest audit id; nothing for a rollback, and a savepoint rolled
// back announces nothing of its own.
func notifications(pool *pgxpool.Pool) error {
	var on bool
	if err := pool.QueryRow(ctx, "SELECT ticketing.feed_notifications_on()").Scan(&on); err != nil {
		return err
	}
	if !on {
		return fmt.Errorf("feed_notifications_on() is false in a cluster that preloads ticketing")
	}
	var event int64
	if err := pool.QueryRow(ctx, "SELECT ticketing.create_event('notifications')").Scan(&event); err != nil {
		return err
	}
	if _, err := pool.Exec(ctx, "SELECT ticketing.add_tickets($1, 400)", event); err != nil {
		return err
	}
	conn, err := pgx.Connect(ctx, "")
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, fmt.Sprintf("LISTEN ticketing_feed_%d", event)); err != nil {
		return err
	}
	type note struct {
		EventID int64 `json:"event_id"`
		AuditID int64 `json:"audit_id"`
	}
	listen := func(quiet time.Duration) ([]note, error) {
		var notes []note
		for {
			wait, cancel := context.WithTimeout(ctx, quiet)
			n, err := conn.WaitForNotification(wait)
			cancel()
			if err != nil {
				if wait.Err() != nil {
					return notes, nil // quiet for that long: done
				}
				return nil, err
			}
			var p note
			if err := json.Unmarshal([]byte(n.Payload), &p); err != nil || p.EventID != event {
				return nil, fmt.Errorf("payload %q on %s", n.Payload, n.Channel)
			}
			notes = append(notes, p)
		}
	}
	maxAudit := func() (id int64) {
		pool.QueryRow(ctx, "SELECT coalesce(max(audit_id), 0) FROM ticketing.audit_log WHERE event_id = $1", event).Scan(&id)
		return id
	}

	// 400 claims in 400 transactions from 8 sessions.
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for b := 0; b < 8; b++ {
		wg.Add(1)
		go func(b int) {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				var outcome string
				if err := pool.QueryRow(ctx, "SELECT outcome FROM ticketing.claim_ticket($1, $2, $3)",
					event, b*50+i+1, fmt.Sprintf("buyer-%d", b)).Scan(&outcome); err != nil || outcome != "claimed" {
					errs <- fmt.Errorf("claim: %s %v", outcome, err)
					return
				}
			}
		}(b)
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return err
	}
	notes, err := listen(time.Second)
	if err != nil {
		return err
	}
	if len(notes) == 0 || len(notes) >= 400 {
		return fmt.Errorf("%d notifications for 400 committed transactions: want at least one, fewer than one each", len(notes))
	}
	if last := notes[len(notes)-1].AuditID; last != maxAudit() {
		return fmt.Errorf("the last notification names audit id %d, the event's highest is %d", last, maxAudit())
	}
	fmt.Printf("    400 transactions announced in %d notifications; the last names audit id %d\n",
		len(notes), notes[len(notes)-1].AuditID)

	// A rollback announces nothing.
	tx, err := pool.Begin(ctx)
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, "SELECT ticketing.release_ticket($1, 1, 'buyer-0')", event); err != nil {
		return err
	}
	tx.Rollback(ctx)
	if notes, err := listen(500 * time.Millisecond); err != nil || len(notes) != 0 {
		return fmt.Errorf("after a rollback: %d notifications (%v)", len(notes), err)
	}

	// A savepoint rolled back: the notification names the change that committed.
	tx, err = pool.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	var kept int64
	if _, err := tx.Exec(ctx, "SELECT ticketing.release_ticket($1, 2, 'buyer-0')", event); err != nil {
		return err
	}
	if err := tx.QueryRow(ctx, "SELECT max(audit_id) FROM ticketing.audit_log WHERE event_id = $1", event).Scan(&kept); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, "SAVEPOINT s"); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, "SELECT ticketing.release_ticket($1, 3, 'buyer-0')", event); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, "ROLLBACK TO SAVEPOINT s"); err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return err
	}
	notes, err = listen(time.Second)
	if err != nil {
		return err
	}
	if len(notes) != 1 || notes[0].AuditID != kept {
		return fmt.Errorf("after a savepoint rolled back: %v, want one notification naming %d", notes, kept)
	}
	return nil
}

// The waiting list's writes are announced like any other: a refund offered to the list
// (the release and the offer's hold, in the refund's transaction) comes as one
// notification on the feed's channel naming the offer's audit id, beside the list's own
// notification on ticketing_waitlist_<event>.
func waitlistNotifications(pool *pgxpool.Pool) error {
	var event int64
	if err := pool.QueryRow(ctx, "SELECT ticketing.create_event('notifications, waiting list')").Scan(&event); err != nil {
		return err
	}
	for _, sql := range []string{
		"SELECT ticketing.add_tickets($1, 2)",
		"SELECT ticketing.open_waitlist($1)",
		"SELECT ticketing.claim_tickets($1, ARRAY[1, 2]::bigint[], 'ivan')",
		"SELECT ticketing.join_waitlist($1, 'wendy')",
	} {
		if _, err := pool.Exec(ctx, sql, event); err != nil {
			return fmt.Errorf("%s: %v", sql, err)
		}
	}
	conn, err := pgx.Connect(ctx, "")
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	feedChannel := fmt.Sprintf("ticketing_feed_%d", event)
	listChannel := fmt.Sprintf("ticketing_waitlist_%d", event)
	if _, err := conn.Exec(ctx, "LISTEN "+feedChannel+"; LISTEN "+listChannel); err != nil {
		return err
	}
	var outcome string
	if err := pool.QueryRow(ctx, "SELECT outcome FROM ticketing.release_ticket($1, 1, 'ivan')", event).Scan(&outcome); err != nil || outcome != "released" {
		return fmt.Errorf("the refund: %s %v", outcome, err)
	}
	var offerAudit int64
	var offerStatus string
	if err := pool.QueryRow(ctx, `SELECT audit_id, to_status FROM ticketing.audit_log WHERE event_id = $1
		ORDER BY audit_id DESC LIMIT 1`, event).Scan(&offerAudit, &offerStatus); err != nil {
		return err
	}
	if offerStatus != "held" {
		return fmt.Errorf("the refund's last audit row is %q, want the offer's hold", offerStatus)
	}
	var feedNotes []int64
	listNotes := 0
	for {
		wait, cancel := context.WithTimeout(ctx, time.Second)
		n, err := conn.WaitForNotification(wait)
		cancel()
		if err != nil {
			if wait.Err() != nil {
				break
			}
			return err
		}
		switch n.Channel {
		case feedChannel:
			var p struct {
				EventID int64 `json:"event_id"`
				AuditID int64 `json:"audit_id"`
			}
			if err := json.Unmarshal([]byte(n.Payload), &p); err != nil || p.EventID != event {
				return fmt.Errorf("payload %q on %s", n.Payload, n.Channel)
			}
			feedNotes = append(feedNotes, p.AuditID)
		case listChannel:
			listNotes++
		}
	}
	if len(feedNotes) != 1 || feedNotes[0] != offerAudit || listNotes != 1 {
		return fmt.Errorf("after a refund offered to the list: feed notifications %v (want one naming %d), %d on %s (want 1)",
			feedNotes, offerAudit, listNotes, listChannel)
	}
	return nil
}
