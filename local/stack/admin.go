package stack

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/sluicehq/sluice/local/events"
)

// adminPrefix is the path of the local runtime's own API, for what AWS does through services the stack
// does not emulate. No S3 bucket can be named "_sluice", so the prefix never shadows an S3 request.
const adminPrefix = "/_sluice/"

// DeadLetterList is the answer of GET /_sluice/dead-letters.
type DeadLetterList struct {
	DeadLetters []events.DeadLetter `json:"deadLetters"`
}

// RedriveRequest is the body of POST /_sluice/dead-letters/redrive; no ids redrives them all.
type RedriveRequest struct {
	IDs []string `json:"ids"`
}

// RedriveResult is its answer.
type RedriveResult struct {
	Redriven int `json:"redriven"`
}

// serveAdmin answers the local runtime's own API. On AWS, events that exhaust a target's retries land in
// the rule's SQS dead-letter queue; locally they are kept in EventBridge's dead-letter list, which this
// API lists and redrives (sluice dlq).
func (st *Stack) serveAdmin(w http.ResponseWriter, r *http.Request) {
	path := strings.TrimPrefix(r.URL.Path, adminPrefix)
	w.Header().Set("Content-Type", "application/json")
	switch {
	case path == "health" && (r.Method == http.MethodGet || r.Method == http.MethodHead):
		h, status := st.health(r.Context())
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(h)
	case path == "dead-letters" && r.Method == http.MethodGet:
		list := st.Events.DeadLetters()
		if list == nil {
			list = []events.DeadLetter{}
		}
		st.writeAdmin(w, http.StatusOK, DeadLetterList{DeadLetters: list})
	case path == "dead-letters/redrive" && r.Method == http.MethodPost:
		var req RedriveRequest
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&req); err != nil && !errors.Is(err, io.EOF) {
			http.Error(w, `{"message":"the body must be {\"ids\": [...]}"}`, http.StatusBadRequest)
			return
		}
		n, err := st.Events.Redrive(r.Context(), req.IDs...)
		if err != nil {
			st.writeAdmin(w, http.StatusNotFound, map[string]string{"message": err.Error()})
			return
		}
		st.writeAdmin(w, http.StatusOK, RedriveResult{Redriven: n})
	default:
		st.writeAdmin(w, http.StatusNotFound, map[string]string{"message": "no such local API: " + r.Method + " " + r.URL.Path})
	}
}

// writeAdmin answers v as JSON with status; a failed write (the client went away) is logged.
func (st *Stack) writeAdmin(w http.ResponseWriter, status int, v any) {
	w.WriteHeader(status)
	if err := json.NewEncoder(w).Encode(v); err != nil {
		st.cfg.Logger.Debug("local API: write response", "err", err)
	}
}
