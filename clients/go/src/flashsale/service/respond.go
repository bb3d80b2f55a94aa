package service

import (
	"encoding/json"
	"log"
	"net/http"

	"flashsale/ticketing"
)

// retryAfterSeconds is the Retry-After value for answers a client should retry.
const retryAfterSeconds = "1"

func writeJSON(w http.ResponseWriter, status int, v interface{}) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	if err := json.NewEncoder(w).Encode(v); err != nil {
		log.Printf("writing the answer: %v", err)
	}
}

// writeOutcome answers with a call's result (which carries its outcome) and the
// outcome's status.
func writeOutcome(w http.ResponseWriter, outcome ticketing.Outcome, result interface{}) {
	if outcomeRetryable(outcome) {
		w.Header().Set("Retry-After", retryAfterSeconds)
	}
	writeJSON(w, outcomeStatus(outcome), result)
}

// writeError answers a request that got no outcome.
func writeError(w http.ResponseWriter, err error) {
	f := errorAnswer(err)
	if f.retryAfter {
		w.Header().Set("Retry-After", retryAfterSeconds)
	}
	if f.status == http.StatusInternalServerError {
		log.Printf("internal error: %v", err)
	}
	writeJSON(w, f.status, f.body)
}
