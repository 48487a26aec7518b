package events

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
)

var _ http.Handler = (*Service)(nil)

// operation decodes a request body and answers with a response value; ctx is the request's.
type operation func(s *Service, ctx context.Context, body []byte) (any, *apiError)

var operations = map[string]operation{
	"PutEvents":             (*Service).putEvents,
	"PutRule":               (*Service).putRule,
	"DescribeRule":          (*Service).describeRule,
	"ListRules":             (*Service).listRules,
	"DeleteRule":            (*Service).deleteRule,
	"EnableRule":            (*Service).enableRule,
	"DisableRule":           (*Service).disableRule,
	"PutTargets":            (*Service).putTargets,
	"ListTargetsByRule":     (*Service).listTargetsByRule,
	"ListRuleNamesByTarget": (*Service).listRuleNamesByTarget,
	"RemoveTargets":         (*Service).removeTargets,
	"TestEventPattern":      (*Service).testEventPattern,
	"ListEventBuses":        (*Service).listEventBuses,
	"DescribeEventBus":      (*Service).describeEventBus,
}

// maxDrain bounds how much of an oversized request body is read and
// discarded before the error is answered.
const maxDrain = 64 << 20

// TargetPrefix starts the X-Amz-Target header of every EventBridge
// operation; a host serving several services on one endpoint routes requests
// with it.
const TargetPrefix = "AWSEvents."

// ServeHTTP answers the EventBridge JSON API (AWS JSON 1.1): a POST whose
// X-Amz-Target header is "AWSEvents.<Operation>".
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

func (s *Service) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		writeError(w, fail(codeUnknownOperation, ""))
		return
	}
	target := r.Header.Get("X-Amz-Target")
	op, ok := operations[strings.TrimPrefix(target, TargetPrefix)]
	if !ok || !strings.HasPrefix(target, TargetPrefix) {
		writeError(w, fail(codeUnknownOperation, ""))
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, s.maxBody+1))
	if err != nil {
		writeError(w, fail(codeSerialization, "failed to read the request body"))
		return
	}
	if int64(len(body)) > s.maxBody {
		// Drain (within reason) before answering so the client reads the
		// error instead of a connection reset.
		_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, maxDrain)) // best effort: the answer is an error either way
		writeError(w, fail(codeTooLarge, "Request size exceeds the limit"))
		return
	}
	out, apiErr := op(s, r.Context(), body)
	if apiErr != nil {
		writeError(w, apiErr)
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	if out == nil {
		out = struct{}{}
	}
	if err := json.NewEncoder(w).Encode(out); err != nil {
		s.log.Debug("events: write response", "target", target, "err", err) // the client went away
	}
}

// decode reads a request body into v. An empty body is an empty request; JSON
// that is malformed or of the wrong shape is a SerializationException.
func decode(body []byte, v any) *apiError {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		body = []byte("{}")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(v); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			return fail(codeSerialization, "Unexpected value type for field '"+typeErr.Field+"'")
		}
		return fail(codeSerialization, "Malformed request body: the input is not valid JSON")
	}
	if dec.More() {
		return fail(codeSerialization, "Malformed request body: unexpected data after the JSON object")
	}
	return nil
}
