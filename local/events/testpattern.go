package events

import (
	"context"
	"encoding/json"
)

// requiredEventFields must be present in a TestEventPattern event. The API
// reference (https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_TestEventPattern.html)
// also lists "resources", but the recorded AWS answers in the shared
// conformance cases accept events without it, so it is not required here.
var requiredEventFields = []string{"id", "account", "source", "time", "region", "detail-type"}

func (s *Service) testEventPattern(ctx context.Context, body []byte) (any, *apiError) {
	var in struct {
		EventPattern *string
		Event        *string
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	var v validator
	if v.required("eventPattern", in.EventPattern != nil) {
		v.str("eventPattern", in.EventPattern, 0, 4096, nil)
	}
	v.required("event", in.Event != nil)
	if err := v.err(); err != nil {
		return nil, err
	}
	p, err := compilePattern(*in.EventPattern)
	if err != nil {
		return nil, err
	}
	var doc map[string]json.RawMessage
	if json.Unmarshal([]byte(*in.Event), &doc) != nil {
		return nil, fail(codeValidation, "Parameter Event is not valid.")
	}
	for _, f := range requiredEventFields {
		if _, ok := doc[f]; !ok {
			return nil, fail(codeValidation, "Parameter Event is not valid.")
		}
	}
	ok, matchErr := p.Match([]byte(*in.Event))
	if matchErr != nil {
		return nil, fail(codeValidation, "Parameter Event is not valid.")
	}
	return struct{ Result bool }{ok}, nil
}
