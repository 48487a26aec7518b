package logs

import (
	"context"
	"sort"
	"strings"
)

// https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogStream.html
func (s *Service) createLogStream(ctx context.Context, body []byte) (any, error) {
	var in struct {
		LogGroupName  string `json:"logGroupName"`
		LogStreamName string `json:"logStreamName"`
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if err := checkGroupName("logGroupName", in.LogGroupName); err != nil {
		return nil, err
	}
	if err := checkStreamName(in.LogStreamName); err != nil {
		return nil, err
	}
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	_, created, err := s.ensureStreamLocked(ctx, in.LogGroupName, in.LogStreamName)
	if err != nil {
		return nil, err
	}
	if !created {
		return nil, errStreamExists
	}
	return struct{}{}, nil
}

// ensureStreamLocked returns a stream, creating (and journaling) it when missing; the caller holds writeMu.
func (s *Service) ensureStreamLocked(ctx context.Context, groupName, name string) (*stream, bool, error) {
	s.mu.RLock()
	g, err := s.lookupGroup(groupName)
	var st *stream
	if err == nil {
		st = g.streams[name]
	}
	s.mu.RUnlock()
	if err != nil {
		return nil, false, err
	}
	if st != nil {
		return st, false, nil
	}
	rec := journalRecord{Kind: recStream, Group: groupName, Stream: name, Created: s.nowMillis()}
	if err := s.journal(ctx, rec); err != nil {
		return nil, false, err
	}
	s.mu.Lock()
	st = s.applyStream(rec)
	s.mu.Unlock()
	return st, true, nil
}

// applyStream adds a stream; the caller holds s.mu.
func (s *Service) applyStream(rec journalRecord) *stream {
	g := s.groups[rec.Group]
	if g == nil {
		return nil
	}
	if st := g.streams[rec.Stream]; st != nil {
		return st
	}
	st := &stream{group: g, name: rec.Stream, created: rec.Created}
	g.streams[rec.Stream] = st
	return st
}

// https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_DeleteLogStream.html
func (s *Service) deleteLogStream(ctx context.Context, body []byte) (any, error) {
	var in struct {
		LogGroupName  string `json:"logGroupName"`
		LogStreamName string `json:"logStreamName"`
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if err := checkGroupName("logGroupName", in.LogGroupName); err != nil {
		return nil, err
	}
	if err := checkStreamName(in.LogStreamName); err != nil {
		return nil, err
	}
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	s.mu.RLock()
	g, err := s.lookupGroup(in.LogGroupName)
	if err == nil && g.streams[in.LogStreamName] == nil {
		err = errStreamNotFound
	}
	s.mu.RUnlock()
	if err != nil {
		return nil, err
	}
	rec := journalRecord{Kind: recStreamDelete, Group: in.LogGroupName, Stream: in.LogStreamName}
	if err := s.journal(ctx, rec); err != nil {
		return nil, err
	}
	s.mu.Lock()
	dropped := s.applyStreamDelete(rec)
	s.mu.Unlock()
	s.release(dropped)
	return struct{}{}, nil
}

// applyStreamDelete removes a stream and returns its batches; the caller holds s.mu.
func (s *Service) applyStreamDelete(rec journalRecord) []*batch {
	g := s.groups[rec.Group]
	if g == nil || g.streams[rec.Stream] == nil {
		return nil
	}
	st := g.streams[rec.Stream]
	delete(g.streams, rec.Stream)
	g.batches = removeBatches(g.batches, func(b *batch) bool { return b.stream == st })
	return st.batches
}

type streamOut struct {
	LogStreamName       string `json:"logStreamName"`
	CreationTime        int64  `json:"creationTime"`
	FirstEventTimestamp int64  `json:"firstEventTimestamp,omitempty"`
	LastEventTimestamp  int64  `json:"lastEventTimestamp,omitempty"`
	LastIngestionTime   int64  `json:"lastIngestionTime,omitempty"`
	UploadSequenceToken string `json:"uploadSequenceToken,omitempty"`
	Arn                 string `json:"arn"`
	StoredBytes         int64  `json:"storedBytes"`
}

// https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_DescribeLogStreams.html
func (s *Service) describeLogStreams(_ context.Context, body []byte) (any, error) {
	var in struct {
		LogGroupName        string `json:"logGroupName"`
		LogGroupIdentifier  string `json:"logGroupIdentifier"`
		LogStreamNamePrefix string `json:"logStreamNamePrefix"`
		OrderBy             string `json:"orderBy"`
		Descending          bool   `json:"descending"`
		NextToken           string `json:"nextToken"`
		Limit               *int   `json:"limit"`
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	name, err := s.groupRef(in.LogGroupName, in.LogGroupIdentifier)
	if err != nil {
		return nil, err
	}
	switch in.OrderBy {
	case "", "LogStreamName":
	case "LastEventTime":
		if in.LogStreamNamePrefix != "" {
			return nil, apiErrorf(CodeInvalidParameter, "Cannot order by LastEventTime with a logStreamNamePrefix.")
		}
	default:
		return nil, validationErrorf("Value '%s' at 'orderBy' failed to satisfy constraint: Member must satisfy enum value set: [LogStreamName, LastEventTime]", in.OrderBy)
	}
	limit, err := pageLimit(in.Limit, 50)
	if err != nil {
		return nil, err
	}
	offset := 0
	if in.NextToken != "" {
		tok, err := nameToken(in.NextToken)
		if err != nil {
			return nil, err
		}
		if offset, err = parseOffset(tok); err != nil {
			return nil, err
		}
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	g, err := s.lookupGroup(name)
	if err != nil {
		return nil, err
	}
	var list []*stream
	for _, st := range g.streams {
		if strings.HasPrefix(st.name, in.LogStreamNamePrefix) {
			list = append(list, st)
		}
	}
	sort.Slice(list, func(i, j int) bool {
		a, b := list[i], list[j]
		if in.OrderBy == "LastEventTime" && a.last != b.last {
			return a.last < b.last != in.Descending
		}
		return a.name < b.name != in.Descending
	})
	out := struct {
		LogStreams []streamOut `json:"logStreams"`
		NextToken  string      `json:"nextToken,omitempty"`
	}{LogStreams: []streamOut{}}
	for i := offset; i < len(list); i++ {
		if len(out.LogStreams) == limit {
			out.NextToken = encodeNameToken(formatOffset(i))
			break
		}
		st := list[i]
		out.LogStreams = append(out.LogStreams, streamOut{
			LogStreamName: st.name, CreationTime: st.created, FirstEventTimestamp: st.first, LastEventTimestamp: st.last,
			LastIngestionTime: st.lastIngest, Arn: s.groupArn(g.name) + ":log-stream:" + st.name, StoredBytes: st.stored,
		})
	}
	return out, nil
}
