package events

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sluicehq/sluice/internal/jsonvalue"
)

// maxEntrySize is the largest event PutEvents accepts, computed as AWS
// documents (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-putevent-size.html).
const maxEntrySize = 256 * 1024

// Entry is an event to publish, as in a PutEvents request entry.
type Entry struct {
	Source     string
	DetailType string
	// Detail is a JSON object.
	Detail    json.RawMessage
	Resources []string
	// Time is the event time; zero means now.
	Time time.Time
}

type entryIn struct {
	Time         *float64
	Source       *string
	Resources    []string
	DetailType   *string
	Detail       *string
	EventBusName *string
	TraceHeader  *string
}

type entryOut struct {
	EventId      string `json:",omitempty"`
	ErrorCode    string `json:",omitempty"`
	ErrorMessage string `json:",omitempty"`
}

func (s *Service) putEvents(ctx context.Context, body []byte) (any, *apiError) {
	var in struct{ Entries []entryIn }
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	var v validator
	if v.required("entries", in.Entries != nil) {
		v.count("entries", len(in.Entries), 1, 10, true)
	}
	for i, e := range in.Entries {
		at := "entries." + strconv.Itoa(i+1) + ".member."
		v.str(at+"eventBusName", e.EventBusName, 1, 1600, reBusNameOrArn)
		v.str(at+"traceHeader", e.TraceHeader, 1, 500, nil)
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	out := struct {
		FailedEntryCount int
		Entries          []entryOut
	}{Entries: make([]entryOut, len(in.Entries))}
	now := s.clock.Now()
	for i, e := range in.Entries {
		code, msg := s.checkEntry(&e)
		if code != "" {
			out.Entries[i] = entryOut{ErrorCode: code, ErrorMessage: msg}
			out.FailedEntryCount++
			continue
		}
		if s.checkBus(e.EventBusName) != nil {
			// AWS accepts an event for a bus that does not exist and
			// answers with an event id; it reaches no rule
			// (https://github.com/aws/aws-cli/issues/9186).
			out.Entries[i] = entryOut{EventId: s.newID()}
			continue
		}
		when := now
		if e.Time != nil {
			sec, frac := int64(*e.Time), *e.Time-float64(int64(*e.Time))
			when = time.Unix(sec, int64(frac*1e9))
		}
		id, err := s.publish(ctx, Entry{Source: *e.Source, DetailType: *e.DetailType,
			Detail: json.RawMessage(*e.Detail), Resources: e.Resources, Time: when})
		if err != nil {
			out.Entries[i] = entryOut{ErrorCode: entryInternalFailure, ErrorMessage: entryInternalFailureMessage}
			out.FailedEntryCount++
			continue
		}
		out.Entries[i] = entryOut{EventId: id}
	}
	return out, nil
}

// awsSourcePrefix starts the sources that only AWS services may use: a PutEvents entry with such a
// source fails with NotAuthorizedForSourceException
// (https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEventsResultEntry.html), so no
// client can pose as S3. Services inside the stack emit through Publish and PublishEvent.
const awsSourcePrefix = "aws."

// checkEntry returns the per-entry error code and message AWS gives for an
// entry it cannot accept, or "" when the entry is good.
func (s *Service) checkEntry(e *entryIn) (code, message string) {
	switch {
	case e.Source == nil || *e.Source == "":
		return "InvalidArgument", "Parameter Source is not valid. Reason: Source is a required argument."
	case e.DetailType == nil || *e.DetailType == "":
		return "InvalidArgument", "Parameter DetailType is not valid. Reason: DetailType is a required argument."
	case e.Detail == nil || *e.Detail == "":
		return "InvalidArgument", "Parameter Detail is not valid. Reason: Detail is a required argument."
	}
	if strings.HasPrefix(*e.Source, awsSourcePrefix) {
		return "NotAuthorizedForSourceException", "Not authorized for the source."
	}
	if !isJSONObject([]byte(*e.Detail)) {
		return "MalformedDetail", "Detail is malformed."
	}
	size := 14 + len(*e.Source) + len(*e.DetailType) + len(*e.Detail) // Time counts 14 bytes
	for _, r := range e.Resources {
		size += len(r)
	}
	if size > maxEntrySize {
		return "InvalidArgument", "Parameter Entries is not valid. Reason: Entry size exceeds the limit of 256 KB."
	}
	if !utf8.ValidString(*e.Detail) {
		return "MalformedDetail", "Detail is malformed."
	}
	return "", ""
}

func isJSONObject(b []byte) bool {
	b = bytes.TrimSpace(b)
	return len(b) > 0 && b[0] == '{' && jsonvalue.Valid(b)
}

// ErrInvalidEntry reports an event Publish or PublishEvent cannot accept.
var ErrInvalidEntry = errors.New("invalid event")

// Publish puts one event on the default bus, as PutEvents does, and returns
// its id. The detail must be a JSON object.
func (s *Service) Publish(ctx context.Context, e Entry) (string, error) {
	if e.Source == "" || e.DetailType == "" {
		return "", fmt.Errorf("publish event: %w: source and detail type are required", ErrInvalidEntry)
	}
	if len(e.Detail) == 0 {
		e.Detail = json.RawMessage("{}")
	}
	if !isJSONObject(e.Detail) {
		return "", fmt.Errorf("publish event: %w: detail is not a JSON object", ErrInvalidEntry)
	}
	if e.Time.IsZero() {
		e.Time = s.clock.Now()
	}
	id, err := s.publish(ctx, e)
	if err != nil {
		return "", fmt.Errorf("publish event: %w", err)
	}
	return id, nil
}

// PublishEvent routes a complete event (envelope and detail, as a service
// such as S3 emits it) on the default bus.
func (s *Service) PublishEvent(ctx context.Context, event []byte) error {
	if !isJSONObject(event) {
		return fmt.Errorf("publish event: %w: not a JSON object", ErrInvalidEntry)
	}
	ev := &routed{raw: bytes.Clone(event), ingested: s.clock.Now()}
	ev.id = eventID(ev.raw)
	if err := s.route(ctx, ev); err != nil {
		return fmt.Errorf("publish event: %w", err)
	}
	return nil
}

// publish builds the envelope EventBridge gives an event
// (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-events-structure.html)
// and routes it. An error means the event was not accepted.
func (s *Service) publish(ctx context.Context, e Entry) (string, error) {
	id := s.newID()
	resources := e.Resources
	if resources == nil {
		resources = []string{}
	}
	env := struct {
		Version    string          `json:"version"`
		ID         string          `json:"id"`
		DetailType string          `json:"detail-type"`
		Source     string          `json:"source"`
		Account    string          `json:"account"`
		Time       string          `json:"time"`
		Region     string          `json:"region"`
		Resources  []string        `json:"resources"`
		Detail     json.RawMessage `json:"detail"`
	}{"0", id, e.DetailType, e.Source, s.account, e.Time.UTC().Format("2006-01-02T15:04:05Z"), s.region, resources, compact(e.Detail)}
	if err := s.route(ctx, &routed{raw: marshal(env), id: id, ingested: s.clock.Now()}); err != nil {
		return "", err
	}
	return id, nil
}

func compact(b []byte) json.RawMessage {
	var out bytes.Buffer
	if err := json.Compact(&out, b); err != nil {
		return json.RawMessage("{}")
	}
	return out.Bytes()
}
