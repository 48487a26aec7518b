package stack

import (
	"encoding/json"
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
	case path == "dead-letters" && r.Method == http.MethodGet:
		list := st.Events.DeadLetters()
		if list == nil {
			list = []events.DeadLetter{}
		}
		_ = json.NewEncoder(w).Encode(DeadLetterList{DeadLetters: list})
	case path == "dead-letters/redrive" && r.Method == http.MethodPost:
		var req RedriveRequest
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&req); err != nil && err.Error() != "EOF" {
			http.Error(w, `{"message":"the body must be {\"ids\": [...]}"}`, http.StatusBadRequest)
			return
		}
		n, err := st.Events.Redrive(r.Context(), req.IDs...)
		if err != nil {
			w.WriteHeader(http.StatusNotFound)
			_ = json.NewEncoder(w).Encode(map[string]string{"message": err.Error()})
			return
		}
		_ = json.NewEncoder(w).Encode(RedriveResult{Redriven: n})
	default:
		w.WriteHeader(http.StatusNotFound)
		_ = json.NewEncoder(w).Encode(map[string]string{"message": "no such local API: " + r.Method + " " + r.URL.Path})
	}
}
