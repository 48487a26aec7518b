package sfn

import (
	"context"
	"sort"
)

// Tags of state machines: https://docs.aws.amazon.com/step-functions/latest/apireference/API_TagResource.html

func (s *Service) machineForTags(arn string) (*machine, error) {
	if arn == "" {
		return nil, validationErrorf("Value null at 'resourceArn' failed to satisfy constraint: Member must not be null")
	}
	res, _, ok := arnParts(arn)
	if !ok || res != "stateMachine" {
		return nil, apiErrorf(CodeInvalidArn, "Invalid Arn: 'Resource type not valid in this context: %s'", arn)
	}
	m := s.machines[arn]
	if m == nil {
		return nil, apiErrorf(CodeResourceNotFound, "Resource not found: '%s'", arn)
	}
	return m, nil
}

func (s *Service) tagResource(ctx context.Context, body []byte) (any, error) {
	return s.changeTags(body, func(tags map[string]string, in tagResourceInput) error {
		for _, t := range in.Tags {
			tags[t.Key] = t.Value
		}
		if len(tags) > 50 {
			return apiErrorf(CodeTooManyTags, "Too many tags: %d (at most 50)", len(tags))
		}
		return nil
	})
}

func (s *Service) untagResource(ctx context.Context, body []byte) (any, error) {
	return s.changeTags(body, func(tags map[string]string, in tagResourceInput) error {
		for _, k := range in.TagKeys {
			delete(tags, k)
		}
		return nil
	})
}

// changeTags applies change to a copy of a machine's tags and records the result.
func (s *Service) changeTags(body []byte, change func(map[string]string, tagResourceInput) error) (any, error) {
	var in tagResourceInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	defer s.holdJournal()()
	s.mu.Lock()
	defer s.mu.Unlock()
	if isActivityArn(in.ResourceArn) {
		return struct{}{}, s.changeActivityTags(in, change)
	}
	m, err := s.machineForTags(in.ResourceArn)
	if err != nil {
		return nil, err
	}
	tags := make(map[string]string, len(m.rec.Tags))
	for k, v := range m.rec.Tags {
		tags[k] = v
	}
	if err := change(tags, in); err != nil {
		return nil, err
	}
	return struct{}{}, s.setTags(m, tags)
}

// setTags records a machine's new tag set; the caller holds s.mu.
func (s *Service) setTags(m *machine, tags map[string]string) error {
	rec := m.rec
	rec.Tags = tags
	if err := s.persist(&record{Kind: kindMachine, Machine: &rec}); err != nil {
		return err
	}
	m.rec = rec
	return nil
}

func (s *Service) listTagsForResource(ctx context.Context, body []byte) (any, error) {
	var in tagResourceInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	var tags map[string]string
	if isActivityArn(in.ResourceArn) {
		a := s.activities.lookup(in.ResourceArn)
		if a == nil {
			return nil, apiErrorf(CodeResourceNotFound, "Resource not found: '%s'", in.ResourceArn)
		}
		tags = a.Tags
	} else {
		m, err := s.machineForTags(in.ResourceArn)
		if err != nil {
			return nil, err
		}
		tags = m.rec.Tags
	}
	out := make([]tag, 0, len(tags))
	for k, v := range tags {
		out = append(out, tag{k, v})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return struct {
		Tags []tag `json:"tags"`
	}{out}, nil
}
