package events

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/sluicehq/sluice/local/events/pattern"
)

// rule is a rule on the default bus with its targets.
type rule struct {
	Name               string
	EventPattern       string
	ScheduleExpression string
	State              string
	Description        string
	RoleArn            string
	targets            []*target // sorted by Id
	pattern            *pattern.Pattern
}

const (
	stateEnabled    = "ENABLED"
	stateDisabled   = "DISABLED"
	stateCloudTrail = "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"
)

// maxTargetsPerRule is AWS's quota of targets per rule
// (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-quota.html).
const maxTargetsPerRule = 5

func (r *rule) enabled() bool { return r.State != stateDisabled }

// ruleNotFound is AWS's answer for a rule that does not exist.
func ruleNotFound(name string) *apiError {
	return fail(codeResourceNotFound, "Rule "+name+" does not exist on EventBus default.")
}

type putRuleInput struct {
	Name               *string
	EventPattern       *string
	ScheduleExpression *string
	State              *string
	Description        *string
	RoleArn            *string
	EventBusName       *string
	Tags               []struct{ Key, Value *string }
}

func (s *Service) putRule(ctx context.Context, body []byte) (any, *apiError) {
	var in putRuleInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	var v validator
	if v.required("name", in.Name != nil) {
		v.str("name", in.Name, 1, 64, reRuleName)
	}
	v.str("eventPattern", in.EventPattern, 0, 4096, nil)
	v.str("scheduleExpression", in.ScheduleExpression, 0, 256, nil)
	v.enum("state", in.State, stateEnabled, stateDisabled, stateCloudTrail)
	v.str("description", in.Description, 0, 512, nil)
	v.str("roleArn", in.RoleArn, 1, 1600, nil)
	v.str("eventBusName", in.EventBusName, 1, 1600, reBusNameOrArn)
	if err := v.err(); err != nil {
		return nil, err
	}
	if err := s.checkBus(in.EventBusName); err != nil {
		return nil, err
	}
	if deref(in.EventPattern) == "" && deref(in.ScheduleExpression) == "" {
		return nil, fail(codeValidation, "Parameter(s) EventPattern or ScheduleExpression must be specified.")
	}
	if in.ScheduleExpression != nil && *in.ScheduleExpression != "" && !reSchedule.MatchString(*in.ScheduleExpression) {
		return nil, fail(codeValidation, "Parameter ScheduleExpression is not valid.")
	}
	var p *pattern.Pattern
	if deref(in.EventPattern) != "" {
		var err *apiError
		if p, err = compilePattern(*in.EventPattern); err != nil {
			return nil, err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.commitLocked(func() {
		r, ok := s.rules[*in.Name]
		if !ok {
			r = &rule{Name: *in.Name, State: stateEnabled}
			s.rules[r.Name] = r
		}
		// PutRule replaces the rule's settings; members left out are cleared,
		// except that State defaults to ENABLED.
		r.EventPattern, r.pattern = deref(in.EventPattern), p
		r.ScheduleExpression = deref(in.ScheduleExpression)
		r.Description = deref(in.Description)
		r.RoleArn = deref(in.RoleArn)
		r.State = stateEnabled
		if in.State != nil {
			r.State = *in.State
		}
	}); err != nil {
		return nil, err
	}
	return map[string]string{"RuleArn": s.ruleARN(*in.Name)}, nil
}

// ruleOut is a rule as DescribeRule and ListRules show it.
type ruleOut struct {
	Name               string
	Arn                string
	EventPattern       string `json:",omitempty"`
	ScheduleExpression string `json:",omitempty"`
	State              string
	Description        string `json:",omitempty"`
	RoleArn            string `json:",omitempty"`
	EventBusName       string
	CreatedBy          string `json:",omitempty"`
}

func (s *Service) describe(r *rule) ruleOut {
	return ruleOut{
		Name: r.Name, Arn: s.ruleARN(r.Name), EventPattern: r.EventPattern,
		ScheduleExpression: r.ScheduleExpression, State: r.State, Description: r.Description,
		RoleArn: r.RoleArn, EventBusName: "default",
	}
}

type ruleNameInput struct {
	Name         *string
	EventBusName *string
	Force        *bool
}

// ruleRequest decodes and validates a {Name, EventBusName, Force} request
// and checks the bus; the caller holds no lock.
func (s *Service) ruleRequest(body []byte) (ruleNameInput, *apiError) {
	var in ruleNameInput
	if err := decode(body, &in); err != nil {
		return in, err
	}
	var v validator
	if v.required("name", in.Name != nil) {
		v.str("name", in.Name, 1, 64, reRuleName)
	}
	v.str("eventBusName", in.EventBusName, 1, 1600, reBusNameOrArn)
	if err := v.err(); err != nil {
		return in, err
	}
	return in, s.checkBus(in.EventBusName)
}

func (s *Service) describeRule(ctx context.Context, body []byte) (any, *apiError) {
	in, err := s.ruleRequest(body)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.rules[*in.Name]
	if !ok {
		return nil, ruleNotFound(*in.Name)
	}
	out := s.describe(r)
	out.CreatedBy = s.account
	return out, nil
}

func (s *Service) deleteRule(ctx context.Context, body []byte) (any, *apiError) {
	in, err := s.ruleRequest(body)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.rules[*in.Name]
	if !ok {
		return nil, nil // deleting a rule that does not exist succeeds
	}
	if len(r.targets) > 0 {
		return nil, fail(codeValidation, "Rule can't be deleted since it has targets.")
	}
	return nil, s.commitLocked(func() { delete(s.rules, r.Name) })
}

func (s *Service) enableRule(ctx context.Context, body []byte) (any, *apiError) {
	return s.setState(body, stateEnabled)
}

func (s *Service) disableRule(ctx context.Context, body []byte) (any, *apiError) {
	return s.setState(body, stateDisabled)
}

func (s *Service) setState(body []byte, state string) (any, *apiError) {
	in, err := s.ruleRequest(body)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.rules[*in.Name]
	if !ok {
		return nil, ruleNotFound(*in.Name)
	}
	return nil, s.commitLocked(func() { r.State = state })
}

type listRulesInput struct {
	NamePrefix   *string
	EventBusName *string
	NextToken    *string
	Limit        *int64
}

func (s *Service) listRules(ctx context.Context, body []byte) (any, *apiError) {
	var in listRulesInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	var v validator
	v.str("namePrefix", in.NamePrefix, 1, 64, reRuleName)
	v.str("eventBusName", in.EventBusName, 1, 1600, reBusNameOrArn)
	v.page(in.NextToken, in.Limit)
	if err := v.err(); err != nil {
		return nil, err
	}
	if err := s.checkBus(in.EventBusName); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var names []string
	for name := range s.rules {
		if strings.HasPrefix(name, deref(in.NamePrefix)) {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	page, next, err := paginate(names, in.NextToken, in.Limit)
	if err != nil {
		return nil, err
	}
	out := struct {
		Rules     []ruleOut
		NextToken string `json:",omitempty"`
	}{Rules: []ruleOut{}, NextToken: next}
	for _, name := range page {
		out.Rules = append(out.Rules, s.describe(s.rules[name]))
	}
	return out, nil
}

// paginate returns one page of sorted keys. The token is the offset of the
// next page; AWS's tokens are opaque, so any string it did not issue is
// rejected.
func paginate(keys []string, token *string, limit *int64) (page []string, next string, err *apiError) {
	start := 0
	if token != nil {
		n, convErr := strconv.Atoi(strings.TrimPrefix(*token, "t"))
		if convErr != nil || !strings.HasPrefix(*token, "t") || n < 0 || n > len(keys) {
			return nil, "", fail(codeValidation, "The NextToken is not valid.")
		}
		start = n
	}
	size := 100
	if limit != nil {
		size = int(*limit)
	}
	end := min(start+size, len(keys))
	if end < len(keys) {
		next = "t" + strconv.Itoa(end)
	}
	return keys[start:end], next, nil
}

func deref[T any](p *T) T {
	if p == nil {
		var zero T
		return zero
	}
	return *p
}
