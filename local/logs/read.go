package logs

import (
	"context"
	"encoding/base64"
	"math"
	"strings"
	"time"

	"github.com/sluicehq/sluice/local/logs/filter"
)

// maxResponseBytes is how much event data one GetLogEvents or FilterLogEvents answer carries ("as many
// log events as can fit in a response size of 1 MB, up to 10,000 log events").
const (
	maxResponseBytes  = 1 << 20
	maxResponseEvents = 10000
)

// readBatch returns a batch's encoded events.
func (s *Service) readBatch(b *batch) ([]byte, error) {
	if b.data != nil {
		return b.data, nil
	}
	return s.disk.readBatch(b)
}

type outputEvent struct {
	Timestamp     int64  `json:"timestamp"`
	Message       string `json:"message"`
	IngestionTime int64  `json:"ingestionTime"`
}

// https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_GetLogEvents.html
func (s *Service) getLogEvents(_ context.Context, body []byte) (any, error) {
	var in struct {
		LogGroupName       string `json:"logGroupName"`
		LogGroupIdentifier string `json:"logGroupIdentifier"`
		LogStreamName      string `json:"logStreamName"`
		StartTime          *int64 `json:"startTime"`
		EndTime            *int64 `json:"endTime"`
		NextToken          string `json:"nextToken"`
		Limit              *int   `json:"limit"`
		StartFromHead      *bool  `json:"startFromHead"`
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	name, err := s.groupRef(in.LogGroupName, in.LogGroupIdentifier)
	if err != nil {
		return nil, err
	}
	if err := checkStreamName(in.LogStreamName); err != nil {
		return nil, err
	}
	limit, err := pageLimit(in.Limit, maxResponseEvents)
	if err != nil {
		return nil, err
	}
	sc := scan{start: 0, end: math.MaxInt64}
	if in.StartTime != nil {
		sc.start = *in.StartTime
	}
	if in.EndTime != nil {
		sc.end = *in.EndTime - 1 // endTime is exclusive here
	}
	forward := in.StartFromHead != nil && *in.StartFromHead
	var bound *key
	if in.NextToken != "" {
		dir, k, ok := strings.Cut(in.NextToken, "/")
		kk, valid := parseKey(k)
		if !ok || !valid || dir != "f" && dir != "b" {
			return nil, errBadToken
		}
		forward, bound = dir == "f", &kk
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	g, err := s.lookupGroup(name)
	if err != nil {
		return nil, err
	}
	st := g.streams[in.LogStreamName]
	if st == nil {
		return nil, errStreamNotFound
	}
	var got []event
	if forward {
		sc.after = bound
		size := 0
		err = merge(st.batches, s.readBatch, sc, func(e event) bool {
			got = append(got, e)
			size += len(e.message) + eventOverhead
			return len(got) < limit && size < maxResponseBytes
		})
	} else {
		// The last events before the bound: a window of at most limit events slides over the range.
		size := 0
		err = merge(st.batches, s.readBatch, sc, func(e event) bool {
			if bound != nil && !e.key.less(*bound) {
				return false
			}
			got = append(got, e)
			size += len(e.message) + eventOverhead
			for len(got) > limit || size > maxResponseBytes && len(got) > 1 {
				size -= len(got[0].message) + eventOverhead
				got = got[1:]
			}
			return true
		})
	}
	if err != nil {
		return nil, err
	}
	out := struct {
		Events            []outputEvent `json:"events"`
		NextForwardToken  string        `json:"nextForwardToken"`
		NextBackwardToken string        `json:"nextBackwardToken"`
	}{Events: make([]outputEvent, 0, len(got))}
	for _, e := range got {
		out.Events = append(out.Events, outputEvent{Timestamp: e.key.ts, Message: e.message, IngestionTime: e.ingest})
	}
	switch {
	case len(got) > 0:
		out.NextForwardToken = "f/" + got[len(got)-1].key.String()
		out.NextBackwardToken = "b/" + got[0].key.String()
	case forward && bound != nil:
		out.NextForwardToken = "f/" + bound.String()
		out.NextBackwardToken = "b/" + key{bound.ts, bound.seq, bound.idx + 1}.String()
	case !forward && bound != nil:
		out.NextForwardToken = "f/" + key{}.String()
		out.NextBackwardToken = "b/" + bound.String()
	default:
		out.NextForwardToken = "f/" + key{}.String()
		out.NextBackwardToken = "b/" + key{}.String()
	}
	return out, nil
}

// FilteredEvent is one event FilterLogEvents found.
type FilteredEvent struct {
	LogStreamName string `json:"logStreamName"`
	Timestamp     int64  `json:"timestamp"`
	Message       string `json:"message"`
	IngestionTime int64  `json:"ingestionTime"`
	EventID       string `json:"eventId"`
}

// https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_FilterLogEvents.html
func (s *Service) filterLogEvents(_ context.Context, body []byte) (any, error) {
	var in struct {
		LogGroupName        string   `json:"logGroupName"`
		LogGroupIdentifier  string   `json:"logGroupIdentifier"`
		LogStreamNames      []string `json:"logStreamNames"`
		LogStreamNamePrefix string   `json:"logStreamNamePrefix"`
		StartTime           *int64   `json:"startTime"`
		EndTime             *int64   `json:"endTime"`
		FilterPattern       string   `json:"filterPattern"`
		NextToken           string   `json:"nextToken"`
		Limit               *int     `json:"limit"`
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	name, err := s.groupRef(in.LogGroupName, in.LogGroupIdentifier)
	if err != nil {
		return nil, err
	}
	if len(in.LogStreamNames) > 0 && in.LogStreamNamePrefix != "" {
		return nil, apiErrorf(CodeInvalidParameter, "logStreamNames and logStreamNamePrefix are mutually exclusive parameters.")
	}
	if len(in.LogStreamNames) > 100 {
		return nil, validationErrorf("Value at 'logStreamNames' failed to satisfy constraint: Member must have length less than or equal to 100")
	}
	limit, err := pageLimit(in.Limit, maxResponseEvents)
	if err != nil {
		return nil, err
	}
	pattern, err := filter.Parse(in.FilterPattern)
	if err != nil {
		return nil, apiErrorf(CodeInvalidParameter, "Invalid filter pattern: %v", strings.TrimPrefix(err.Error(), filter.ErrSyntax.Error()+": "))
	}
	sc := scan{start: 0, end: math.MaxInt64}
	if in.StartTime != nil {
		sc.start = *in.StartTime
	}
	if in.EndTime != nil {
		sc.end = *in.EndTime
	}
	if in.NextToken != "" {
		raw, err := base64.RawURLEncoding.DecodeString(in.NextToken)
		k, ok := parseKey(string(raw))
		if err != nil || !ok {
			return nil, errBadToken
		}
		sc.after = &k
	}
	var names map[string]bool
	if len(in.LogStreamNames) > 0 {
		names = map[string]bool{}
		for _, n := range in.LogStreamNames {
			names[n] = true
		}
	}
	sc.keep = func(e *event) bool {
		if names != nil && !names[e.stream.name] || !strings.HasPrefix(e.stream.name, in.LogStreamNamePrefix) {
			return false
		}
		return pattern.Match(e.message)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	g, err := s.lookupGroup(name)
	if err != nil {
		return nil, err
	}
	out := struct {
		Events    []FilteredEvent `json:"events"`
		NextToken string          `json:"nextToken,omitempty"`
	}{Events: []FilteredEvent{}}
	size := 0
	var last key
	full := false
	err = merge(g.batches, s.readBatch, sc, func(e event) bool {
		if len(out.Events) == limit || size+len(e.message)+eventOverhead > maxResponseBytes && len(out.Events) > 0 {
			full = true
			return false
		}
		out.Events = append(out.Events, FilteredEvent{LogStreamName: e.stream.name, Timestamp: e.key.ts, Message: e.message,
			IngestionTime: e.ingest, EventID: e.key.String()})
		size += len(e.message) + eventOverhead
		last = e.key
		return true
	})
	if err != nil {
		return nil, err
	}
	if full {
		out.NextToken = base64.RawURLEncoding.EncodeToString([]byte(last.String()))
	}
	return out, nil
}

// Expire applies every group's retention: batches whose newest event is older than the retention period
// are dropped and the disk they used is reclaimed. It runs every minute; tests call it after moving the
// clock.
func (s *Service) Expire(ctx context.Context) {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	s.expireLocked(ctx)
}

func (s *Service) expireLocked(ctx context.Context) {
	now := s.now()
	var dropped []*batch
	s.mu.Lock()
	for _, g := range s.groups {
		if g.retention == 0 {
			continue
		}
		cutoff := now.Add(-time.Duration(g.retention) * 24 * time.Hour).UnixMilli()
		old := func(b *batch) bool { return b.maxTs < cutoff }
		for _, b := range g.batches {
			if old(b) {
				dropped = append(dropped, b)
			}
		}
		if len(dropped) == 0 {
			continue
		}
		g.batches = removeBatches(g.batches, old)
		for _, st := range g.streams {
			st.batches = removeBatches(st.batches, old)
			st.stored = 0
			for _, b := range st.batches {
				st.stored += b.size
			}
		}
	}
	s.mu.Unlock()
	s.release(dropped)
	if s.disk != nil && len(dropped) > 0 {
		if err := s.disk.compact(ctx); err != nil {
			s.log.Warn("logs: compact after expiry", "err", err)
		}
	}
}

// release reclaims the storage of batches that left the index; the caller holds writeMu.
func (s *Service) release(dropped []*batch) {
	if s.disk != nil {
		s.disk.release(dropped)
	}
}
