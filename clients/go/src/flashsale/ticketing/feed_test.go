package ticketing

import "testing"

func TestParseAnnouncement(t *testing.T) {
	a, err := ParseAnnouncement("ticketing_feed_42", `{"event_id":42,"audit_id":1017}`)
	if err != nil || a != (Announcement{EventID: 42, AuditID: 1017}) {
		t.Fatalf("got %+v, %v", a, err)
	}
	if FeedChannel(42) != "ticketing_feed_42" {
		t.Fatalf("channel %q", FeedChannel(42))
	}
	for _, bad := range []struct{ channel, payload string }{
		{"ticketing_feed_42", `{"event_id":43,"audit_id":1}`}, // another event's payload
		{"ticketing_feed_42", `{"event_id":42,"audit_id":0}`}, // no audit id
		{"ticketing_feed_42", `not json`},
		{"other_channel", `{"event_id":42,"audit_id":1}`},
	} {
		if _, err := ParseAnnouncement(bad.channel, bad.payload); err == nil {
			t.Fatalf("%s %s: accepted", bad.channel, bad.payload)
		}
	}
}
