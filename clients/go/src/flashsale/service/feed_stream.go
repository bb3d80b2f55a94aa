package service

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// GET /events/{event}/stream: Server-Sent Events. A new client first gets
//
//	id: <audit id>                       the position the state is as of
//	event: snapshot
//	data: {"event":E,"through":P,"seats":[[ticket,"A-1-1","general","a",0],...]}
//
// (status a available, h held, s sold; the last number is when a hold ends, Unix ms, or
// 0), then, as changes commit, one message per read:
//
//	id: <audit id of the last change in it>
//	event: changes
//	data: {"changes":[[audit_id,ticket,"s",0],[audit_id,ticket,"h",1767225600000],...]}
//
// (a ticket the snapshot did not have comes with its seat and category: [id,ticket,"s",0,
// "B-3-4","general"]). A client that reconnects with Last-Event-ID (or ?last_event_id=,
// for a client that cannot set headers) gets exactly the changes after that id, from this
// service's memory or from the database, then the stream goes on. A client that reads
// too slowly loses its queued messages and gets one snapshot of the newest state instead.

const (
	streamRetryMillis = 1000
	streamPing        = 15 * time.Second
	streamWriteLimit  = 10 * time.Second
)

func (s *Server) stream(w http.ResponseWriter, r *http.Request, event int64) {
	lastID, err := lastEventID(r)
	if err != nil {
		writeError(w, err)
		return
	}
	ef := s.feed.follow(event)
	first, client, err := ef.subscribe(r.Context(), lastID)
	if err != nil {
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return
		}
		writeError(w, err)
		return
	}
	defer ef.unsubscribe(client)
	hijacker, ok := w.(http.Hijacker)
	if !ok {
		writeJSON(w, http.StatusInternalServerError, errorBody{Error: "no_stream",
			Message: "this server cannot stream"})
		return
	}
	conn, buffered, err := hijacker.Hijack()
	if err != nil {
		return
	}
	defer conn.Close()
	out := buffered.Writer
	// The connection is ours now: the headers by hand, no chunked encoding, closed at the
	// end of the stream.
	fmt.Fprintf(out, "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"+
		"Cache-Control: no-store\r\nConnection: close\r\nX-Accel-Buffering: no\r\n\r\n"+
		"retry: %d\n\n", streamRetryMillis)
	if first != nil {
		out.Write(first)
	}
	if err := flushWithin(conn, out); err != nil {
		return
	}
	closed := make(chan struct{})
	go func() {
		// The client says nothing after its request; a read returns when it hangs up.
		io.Copy(io.Discard, buffered.Reader)
		close(closed)
	}()
	ping := time.NewTicker(streamPing)
	defer ping.Stop()
	for {
		var msg []byte
		select {
		case msg = <-client.queue:
		case <-client.lagging:
			msg = ef.newest(client)
		case <-ping.C:
			msg = []byte(": ping\n\n")
		case <-client.gone:
			return
		case <-closed:
			return
		}
		out.Write(msg)
		// Whatever else is queued goes in the same write.
		for more := true; more; {
			select {
			case next := <-client.queue:
				out.Write(next)
			default:
				more = false
			}
		}
		if err := flushWithin(conn, out); err != nil {
			return
		}
	}
}

// flushWithin writes what is buffered, giving up on a client that does not read.
func flushWithin(conn net.Conn, out *bufio.Writer) error {
	conn.SetWriteDeadline(time.Now().Add(streamWriteLimit))
	return out.Flush()
}

// lastEventID is the client's resume point: the Last-Event-ID header, else the
// last_event_id parameter; nil for a new client.
func lastEventID(r *http.Request) (*int64, error) {
	value := r.Header.Get("Last-Event-ID")
	if value == "" {
		value = r.URL.Query().Get("last_event_id")
	}
	value = strings.TrimSpace(value)
	if value == "" {
		return nil, nil
	}
	id, err := strconv.ParseInt(value, 10, 64)
	if err != nil || id < 0 {
		return nil, badRequest("Last-Event-ID must be an audit id this stream sent, got " + strconv.Quote(value))
	}
	return &id, nil
}

// encodeSnapshot is the snapshot message of an event as of `through`.
func encodeSnapshot(event, through int64, seats []seatState) []byte {
	b := make([]byte, 0, 64+len(seats)*32)
	b = append(b, "id: "...)
	b = strconv.AppendInt(b, through, 10)
	b = append(b, "\nevent: snapshot\ndata: {\"event\":"...)
	b = strconv.AppendInt(b, event, 10)
	b = append(b, ",\"through\":"...)
	b = strconv.AppendInt(b, through, 10)
	b = append(b, ",\"seats\":["...)
	for i, s := range seats {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '[')
		b = strconv.AppendInt(b, s.ticket, 10)
		b = append(b, ',')
		b = appendJSONString(b, s.label)
		b = append(b, ',')
		b = appendJSONString(b, s.category)
		b = append(b, ",\""...)
		b = append(b, s.status)
		b = append(b, "\","...)
		b = strconv.AppendInt(b, s.holdEnds, 10)
		b = append(b, ']')
	}
	return append(b, "]}\n\n"...)
}

// encodeChanges is one changes message; `through` is the position after it.
func encodeChanges(through int64, changes []feedChange) []byte {
	b := make([]byte, 0, 48+len(changes)*28)
	b = append(b, "id: "...)
	b = strconv.AppendInt(b, through, 10)
	b = append(b, "\nevent: changes\ndata: {\"changes\":["...)
	for i, c := range changes {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '[')
		b = strconv.AppendInt(b, c.id, 10)
		b = append(b, ',')
		b = strconv.AppendInt(b, c.ticket, 10)
		b = append(b, ",\""...)
		b = append(b, c.status)
		b = append(b, "\","...)
		b = strconv.AppendInt(b, c.holdEnds, 10)
		if c.label != "" {
			b = append(b, ',')
			b = appendJSONString(b, c.label)
			b = append(b, ',')
			b = appendJSONString(b, c.category)
		}
		b = append(b, ']')
	}
	return append(b, "]}\n\n"...)
}

// appendJSONString appends s as a JSON string: quotes, backslashes and control
// characters escaped, the rest (UTF-8) as is.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}
