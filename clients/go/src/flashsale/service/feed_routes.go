package service

import (
	"net/http"
	"strconv"
	"strings"
)

// The live feed's routes, served before the JSON routes:
//
//	GET /events/{event}/stream   Server-Sent Events: a snapshot, then changes (feed_stream.go)
//	GET /events/{event}/map      the seat map page (feed_page.go)
//	GET /feed-assets/map.js, map.css

// SetFeed serves the feed's routes from f (nil: they answer 404 feed_off).
func (s *Server) SetFeed(f *Feed) { s.feed = f }

// serveFeed serves a feed route and reports whether the path was one.
func (s *Server) serveFeed(w http.ResponseWriter, r *http.Request) bool {
	path := r.URL.Path
	if name := strings.TrimPrefix(path, "/feed-assets/"); name != path {
		if !getOnly(w, r) {
			return true
		}
		if !serveAsset(w, name) {
			writeJSON(w, http.StatusNotFound, errorBody{Error: "no_route", Message: "no such file: " + path})
		}
		return true
	}
	parts := strings.Split(strings.Trim(path, "/"), "/")
	if len(parts) != 3 || parts[0] != "events" || (parts[2] != "stream" && parts[2] != "map") {
		return false
	}
	event, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil {
		return false
	}
	if !getOnly(w, r) {
		return true
	}
	if parts[2] == "map" {
		serveMapPage(w)
		return true
	}
	if s.feed == nil {
		writeJSON(w, http.StatusNotFound, errorBody{Error: "feed_off",
			Message: "this service was started without the live feed"})
		return true
	}
	s.stream(w, r, event)
	return true
}

func getOnly(w http.ResponseWriter, r *http.Request) bool {
	if r.Method == http.MethodGet {
		return true
	}
	w.Header().Set("Allow", http.MethodGet)
	writeJSON(w, http.StatusMethodNotAllowed, errorBody{Error: "method_not_allowed", Message: "GET only"})
	return false
}
