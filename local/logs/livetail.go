package logs

import (
	"context"
	"encoding/json"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/protocol/eventstream"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/sluicehq/sluice/local/logs/filter"

	"github.com/sluicehq/sluice/internal/uuid"
)

// StartLiveTail's limits, https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_StartLiveTail.html:
// up to 10 log groups, a session of at most 3 hours, and updates of at most 500 events (more are sampled).
const (
	maxLiveTailGroups  = 10
	maxLiveTailSession = 3 * time.Hour
	maxLiveTailEvents  = 500
	liveTailInterval   = time.Second
	liveTailGather     = 100 * time.Millisecond
)

// DisableHostPrefix is an AWS SDK for Go v2 API option for clients of a local endpoint: the SDK sends
// StartLiveTail to "stream-" + the endpoint's host (a modeled host prefix), which does not resolve for
// 127.0.0.1; with this option it sends it to the endpoint as given. The AWS CLI has
// AWS_DISABLE_HOST_PREFIX_INJECTION=true for the same purpose.
func DisableHostPrefix(stack *middleware.Stack) error {
	return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("SluiceDisableHostPrefix",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			return next.HandleInitialize(smithyhttp.DisableEndpointHostPrefix(ctx, true), in)
		}), middleware.Before)
}

type liveTailEvent struct {
	LogStreamName      string `json:"logStreamName"`
	LogGroupIdentifier string `json:"logGroupIdentifier"`
	Message            string `json:"message"`
	Timestamp          int64  `json:"timestamp"`
	IngestionTime      int64  `json:"ingestionTime"`
}

// startLiveTail serves StartLiveTail: an event stream (application/vnd.amazon.eventstream) that opens with
// the initial-response and a sessionStart event, then sends a sessionUpdate with the events ingested since
// the previous one that match the session's streams and filter pattern, as they arrive (gathered for 100 ms)
// and at least every second (empty, as a heartbeat), until the client
// goes away or the session reaches 3 hours (SessionTimeoutException).
func (s *Service) startLiveTail(w http.ResponseWriter, r *http.Request) {
	var in struct {
		LogGroupIdentifiers   []string `json:"logGroupIdentifiers"`
		LogStreamNames        []string `json:"logStreamNames"`
		LogStreamNamePrefixes []string `json:"logStreamNamePrefixes"`
		LogEventFilterPattern string   `json:"logEventFilterPattern"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&in); err != nil {
		writeError(w, apiErrorf(CodeSerialization, "Malformed request body"))
		return
	}
	if n := len(in.LogGroupIdentifiers); n < 1 || n > maxLiveTailGroups {
		writeError(w, validationErrorf("Value at 'logGroupIdentifiers' failed to satisfy constraint: Member must have length between 1 and %d", maxLiveTailGroups))
		return
	}
	if len(in.LogStreamNames) > 0 && len(in.LogStreamNamePrefixes) > 0 {
		writeError(w, apiErrorf(CodeInvalidParameter, "logStreamNames and logStreamNamePrefixes are mutually exclusive parameters."))
		return
	}
	pattern, err := filter.Parse(in.LogEventFilterPattern)
	if err != nil {
		writeError(w, apiErrorf(CodeInvalidParameter, "Invalid filter pattern"))
		return
	}
	names := map[string]string{} // group name -> identifier as given
	s.mu.RLock()
	for _, id := range in.LogGroupIdentifiers {
		name, err := s.groupRef("", id)
		if err == nil {
			_, err = s.lookupGroup(name)
		}
		if err != nil {
			s.mu.RUnlock()
			writeError(w, err)
			return
		}
		names[name] = id
	}
	last := s.seq
	s.mu.RUnlock()
	streams := map[string]bool{}
	for _, n := range in.LogStreamNames {
		streams[n] = true
	}
	keep := func(st *stream, msg string) bool {
		if len(streams) > 0 && !streams[st.name] {
			return false
		}
		if len(in.LogStreamNamePrefixes) > 0 {
			ok := false
			for _, p := range in.LogStreamNamePrefixes {
				ok = ok || strings.HasPrefix(st.name, p)
			}
			if !ok {
				return false
			}
		}
		return pattern.Match(msg)
	}

	flusher, _ := w.(http.Flusher)
	w.Header().Set("Content-Type", "application/vnd.amazon.eventstream")
	w.WriteHeader(http.StatusOK)
	enc := eventstream.NewEncoder()
	send := func(eventType string, v any) bool {
		payload, err := json.Marshal(v)
		if err != nil {
			return false
		}
		var msg eventstream.Message
		msg.Headers.Set(":message-type", eventstream.StringValue("event"))
		msg.Headers.Set(":event-type", eventstream.StringValue(eventType))
		msg.Headers.Set(":content-type", eventstream.StringValue("application/json"))
		msg.Payload = payload
		if enc.Encode(w, msg) != nil {
			return false
		}
		if flusher != nil {
			flusher.Flush()
		}
		return true
	}
	session := newRequestID()
	if !send("initial-response", struct{}{}) || !send("sessionStart", map[string]any{
		"requestId": newRequestID(), "sessionId": session, "logGroupIdentifiers": in.LogGroupIdentifiers,
		"logStreamNames": in.LogStreamNames, "logStreamNamePrefixes": in.LogStreamNamePrefixes,
		"logEventFilterPattern": in.LogEventFilterPattern,
	}) {
		return
	}
	deadline := time.NewTimer(maxLiveTailSession)
	defer deadline.Stop()
	tick := time.NewTicker(liveTailInterval)
	defer tick.Stop()
	changed := s.Changed()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-s.stop:
			return
		case <-changed:
			// New events: send them after a short pause that gathers a burst into one update, rather than
			// at the next second, so a follower sees a line well within a second.
			time.Sleep(liveTailGather)
		case <-deadline.C:
			var msg eventstream.Message
			msg.Headers.Set(":message-type", eventstream.StringValue("exception"))
			msg.Headers.Set(":exception-type", eventstream.StringValue("SessionTimeoutException"))
			msg.Headers.Set(":content-type", eventstream.StringValue("application/json"))
			msg.Payload, _ = json.Marshal(map[string]string{"message": "Session timed out after 3 hours"})
			_ = enc.Encode(w, msg)
			return
		case <-tick.C:
		}
		var results []liveTailEvent
		changed = s.Changed()
		s.mu.RLock()
		now := s.seq
		for name, id := range names {
			g := s.groups[name]
			if g == nil {
				continue
			}
			for _, b := range g.batches {
				if b.seq <= last {
					continue
				}
				data, err := s.readBatch(b)
				if err != nil {
					continue
				}
				_ = decodeEvents(data, func(_ int, ts int64, msg string) {
					if keep(b.stream, msg) {
						results = append(results, liveTailEvent{LogStreamName: b.stream.name, LogGroupIdentifier: id,
							Message: msg, Timestamp: ts, IngestionTime: b.ingest})
					}
				})
			}
		}
		s.mu.RUnlock()
		last = now
		sort.SliceStable(results, func(i, j int) bool { return results[i].Timestamp < results[j].Timestamp })
		sampled := len(results) > maxLiveTailEvents
		if sampled {
			results = results[len(results)-maxLiveTailEvents:]
		}
		if results == nil {
			results = []liveTailEvent{}
		}
		if !send("sessionUpdate", map[string]any{"sessionMetadata": map[string]bool{"sampled": sampled}, "sessionResults": results}) {
			return
		}
	}
}

// newRequestID returns a random (version 4) UUID.
func newRequestID() string { return uuid.New() }
