package service

import (
	_ "embed" // the seat map's files are part of the binary
	"net/http"
)

// GET /events/{event}/map: the seat map page (mapui/), and its script and style sheet
// under /feed-assets/. Everything is in the binary; the page loads nothing from another
// host (its Content-Security-Policy says so).

var (
	//go:embed mapui/map.html
	mapHTML []byte
	//go:embed mapui/map.js
	mapJS []byte
	//go:embed mapui/map.css
	mapCSS []byte
)

const mapPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; " +
	"img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

func serveMapPage(w http.ResponseWriter) {
	serveFile(w, "text/html; charset=utf-8", mapHTML, "no-cache")
}

// serveAsset serves /feed-assets/<name>; false for a name it does not have.
func serveAsset(w http.ResponseWriter, name string) bool {
	switch name {
	case "map.js":
		serveFile(w, "text/javascript; charset=utf-8", mapJS, "no-cache")
	case "map.css":
		serveFile(w, "text/css; charset=utf-8", mapCSS, "no-cache")
	default:
		return false
	}
	return true
}

func serveFile(w http.ResponseWriter, contentType string, body []byte, cache string) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Cache-Control", cache)
	h.Set("Content-Security-Policy", mapPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	w.WriteHeader(http.StatusOK)
	w.Write(body)
}
