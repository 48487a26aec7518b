package events

import (
	"context"
	"strings"
)

type busOut struct {
	Name string
	Arn  string
}

func (s *Service) listEventBuses(ctx context.Context, body []byte) (any, *apiError) {
	var in struct {
		NamePrefix *string
		NextToken  *string
		Limit      *int64
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	var v validator
	v.str("namePrefix", in.NamePrefix, 1, 256, reBusPrefix)
	v.page(in.NextToken, in.Limit)
	if err := v.err(); err != nil {
		return nil, err
	}
	out := struct{ EventBuses []busOut }{EventBuses: []busOut{}}
	if strings.HasPrefix("default", deref(in.NamePrefix)) {
		out.EventBuses = append(out.EventBuses, busOut{Name: "default", Arn: s.busARN()})
	}
	return out, nil
}

func (s *Service) describeEventBus(ctx context.Context, body []byte) (any, *apiError) {
	var in struct{ Name *string }
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	var v validator
	v.str("name", in.Name, 1, 1600, reBusNameOrArn)
	if err := v.err(); err != nil {
		return nil, err
	}
	if err := s.checkBus(in.Name); err != nil {
		return nil, err
	}
	return busOut{Name: "default", Arn: s.busARN()}, nil
}
