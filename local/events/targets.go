package events

import (
	"context"
	"encoding/json"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// target is one target of a rule.
type target struct {
	ID               string
	Arn              string
	RoleArn          string
	Input            *string
	InputPath        *string
	InputTransformer *inputTransformer
	RetryPolicy      retryPolicy
	DeadLetterArn    string
	// raw is the target as PutTargets received it; ListTargetsByRule and the
	// store echo it, so members this service does not act on round-trip.
	raw json.RawMessage
	// paths are the compiled InputPath or InputPathsMap entries.
	inputPath *jsonPath
	paths     map[string]*jsonPath
}

type inputTransformer struct {
	InputPathsMap map[string]string
	InputTemplate *string
}

// retryPolicy is a target's RetryPolicy with AWS's defaults filled in
// (https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_RetryPolicy.html).
type retryPolicy struct {
	MaximumRetryAttempts     int64
	MaximumEventAgeInSeconds int64
}

var defaultRetryPolicy = retryPolicy{MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86400}

// targetIn is a target as a request carries it.
type targetIn struct {
	Id               *string
	Arn              *string
	RoleArn          *string
	Input            *string
	InputPath        *string
	InputTransformer *struct {
		InputPathsMap map[string]string
		InputTemplate *string
	}
	RetryPolicy *struct {
		MaximumRetryAttempts     *int64
		MaximumEventAgeInSeconds *int64
	}
	DeadLetterConfig *struct{ Arn *string }
}

// validateTarget applies the model constraints to targets.N.member.
func validateTarget(v *validator, i int, t *targetIn) {
	at := "targets." + strconv.Itoa(i+1) + ".member."
	if v.required(at+"id", t.Id != nil) {
		v.str(at+"id", t.Id, 1, 64, reTargetID)
	}
	if v.required(at+"arn", t.Arn != nil) {
		v.str(at+"arn", t.Arn, 1, 1600, nil)
	}
	v.str(at+"roleArn", t.RoleArn, 1, 1600, nil)
	v.str(at+"input", t.Input, 0, 8192, nil)
	v.str(at+"inputPath", t.InputPath, 0, 256, nil)
	if it := t.InputTransformer; it != nil {
		if v.required(at+"inputTransformer.inputTemplate", it.InputTemplate != nil) {
			v.str(at+"inputTransformer.inputTemplate", it.InputTemplate, 1, 8192, nil)
		}
		if len(it.InputPathsMap) > 100 {
			v.add("{...}", at+"inputTransformer.inputPathsMap", "have length less than or equal to 100")
		}
		for _, k := range slices.Sorted(maps.Keys(it.InputPathsMap)) {
			val := it.InputPathsMap[k]
			v.str(at+"inputTransformer.inputPathsMap.key", &k, 0, 0, rePathsMapKey)
			v.str(at+"inputTransformer.inputPathsMap.value", &val, 0, 256, nil)
		}
	}
	if rp := t.RetryPolicy; rp != nil {
		v.num(at+"retryPolicy.maximumRetryAttempts", rp.MaximumRetryAttempts, 0, 185)
		v.num(at+"retryPolicy.maximumEventAgeInSeconds", rp.MaximumEventAgeInSeconds, 60, 86400)
	}
	if dl := t.DeadLetterConfig; dl != nil {
		v.str(at+"deadLetterConfig.arn", dl.Arn, 1, 1600, nil)
	}
}

// buildTarget checks what the model cannot express and compiles a target.
func buildTarget(in *targetIn, raw json.RawMessage) (*target, *apiError) {
	t := &target{ID: *in.Id, Arn: *in.Arn, RoleArn: deref(in.RoleArn), Input: in.Input, InputPath: in.InputPath,
		RetryPolicy: defaultRetryPolicy, raw: raw}
	set := 0
	for _, present := range []bool{in.Input != nil, in.InputPath != nil, in.InputTransformer != nil} {
		if present {
			set++
		}
	}
	if set > 1 {
		return nil, fail(codeValidation, "Only one of Input, InputPath, or InputTransformer must be provided.")
	}
	if in.Input != nil && !json.Valid([]byte(*in.Input)) {
		return nil, fail(codeValidation, "Input is not valid JSON text for target "+t.ID+".")
	}
	if in.InputPath != nil {
		p, err := parseJSONPath(*in.InputPath)
		if err != nil {
			return nil, fail(codeValidation, "InputPath "+*in.InputPath+" is not valid for target "+t.ID+".")
		}
		t.inputPath = p
	}
	if it := in.InputTransformer; it != nil {
		t.InputTransformer = &inputTransformer{InputPathsMap: it.InputPathsMap, InputTemplate: it.InputTemplate}
		t.paths = map[string]*jsonPath{}
		for k, path := range it.InputPathsMap {
			if strings.HasPrefix(strings.ToLower(k), "aws") {
				return nil, fail(codeValidation, "InputPathsMap key "+k+" is reserved: keys cannot start with AWS.")
			}
			p, err := parseJSONPath(path)
			if err != nil {
				return nil, fail(codeValidation, "InputPathsMap value "+path+" is not a valid JSON path.")
			}
			t.paths[k] = p
		}
	}
	if rp := in.RetryPolicy; rp != nil {
		if rp.MaximumRetryAttempts != nil {
			t.RetryPolicy.MaximumRetryAttempts = *rp.MaximumRetryAttempts
		}
		if rp.MaximumEventAgeInSeconds != nil {
			t.RetryPolicy.MaximumEventAgeInSeconds = *rp.MaximumEventAgeInSeconds
		}
	}
	if in.DeadLetterConfig != nil {
		t.DeadLetterArn = deref(in.DeadLetterConfig.Arn)
	}
	return t, nil
}

type putTargetsInput struct {
	Rule         *string
	EventBusName *string
	Targets      []json.RawMessage
}

type failedEntry struct {
	TargetId     string
	ErrorCode    string
	ErrorMessage string
}

func (s *Service) putTargets(ctx context.Context, body []byte) (any, *apiError) {
	var in putTargetsInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	targets := make([]targetIn, len(in.Targets))
	for i, raw := range in.Targets {
		if err := decode(raw, &targets[i]); err != nil {
			return nil, err
		}
	}
	var v validator
	if v.required("rule", in.Rule != nil) {
		v.str("rule", in.Rule, 1, 64, reRuleName)
	}
	v.str("eventBusName", in.EventBusName, 1, 1600, reBusNameOrArn)
	if v.required("targets", in.Targets != nil) {
		v.count("targets", len(in.Targets), 1, 10, true)
	}
	for i := range targets {
		validateTarget(&v, i, &targets[i])
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	if err := s.checkBus(in.EventBusName); err != nil {
		return nil, err
	}
	built := make([]*target, len(targets))
	for i := range targets {
		t, err := buildTarget(&targets[i], in.Targets[i])
		if err != nil {
			return nil, err
		}
		built[i] = t
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.rules[*in.Rule]
	if !ok {
		return nil, ruleNotFound(*in.Rule)
	}
	ids := map[string]bool{}
	for _, t := range r.targets {
		ids[t.ID] = true
	}
	for _, t := range built {
		ids[t.ID] = true
	}
	if len(ids) > maxTargetsPerRule {
		return nil, fail(codeLimitExceeded, "The requested resource exceeds the maximum number allowed.")
	}
	if err := s.commitLocked(func() {
		for _, t := range built {
			i := slices.IndexFunc(r.targets, func(x *target) bool { return x.ID == t.ID })
			if i >= 0 {
				r.targets[i] = t
			} else {
				r.targets = append(r.targets, t)
			}
		}
		slices.SortFunc(r.targets, func(a, b *target) int { return strings.Compare(a.ID, b.ID) })
	}); err != nil {
		return nil, err
	}
	return struct {
		FailedEntryCount int
		FailedEntries    []failedEntry
	}{FailedEntries: []failedEntry{}}, nil
}

type listTargetsInput struct {
	Rule         *string
	EventBusName *string
	NextToken    *string
	Limit        *int64
}

func (s *Service) listTargetsByRule(ctx context.Context, body []byte) (any, *apiError) {
	var in listTargetsInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	var v validator
	if v.required("rule", in.Rule != nil) {
		v.str("rule", in.Rule, 1, 64, reRuleName)
	}
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
	r, ok := s.rules[*in.Rule]
	if !ok {
		return nil, ruleNotFound(*in.Rule)
	}
	ids := make([]string, len(r.targets))
	for i, t := range r.targets {
		ids[i] = t.ID
	}
	page, next, err := paginate(ids, in.NextToken, in.Limit)
	if err != nil {
		return nil, err
	}
	out := struct {
		Targets   []json.RawMessage
		NextToken string `json:",omitempty"`
	}{Targets: []json.RawMessage{}, NextToken: next}
	byID := map[string]*target{}
	for _, t := range r.targets {
		byID[t.ID] = t
	}
	for _, id := range page {
		out.Targets = append(out.Targets, byID[id].raw)
	}
	return out, nil
}

type removeTargetsInput struct {
	Rule         *string
	EventBusName *string
	Ids          []string
	Force        *bool
}

func (s *Service) removeTargets(ctx context.Context, body []byte) (any, *apiError) {
	var in removeTargetsInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	var v validator
	if v.required("rule", in.Rule != nil) {
		v.str("rule", in.Rule, 1, 64, reRuleName)
	}
	v.str("eventBusName", in.EventBusName, 1, 1600, reBusNameOrArn)
	if v.required("ids", in.Ids != nil) {
		v.count("ids", len(in.Ids), 1, 100, true)
	}
	for i := range in.Ids {
		v.str("ids."+strconv.Itoa(i+1)+".member", &in.Ids[i], 1, 64, reTargetID)
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	if err := s.checkBus(in.EventBusName); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.rules[*in.Rule]
	if !ok {
		return nil, ruleNotFound(*in.Rule)
	}
	if err := s.commitLocked(func() {
		r.targets = slices.DeleteFunc(r.targets, func(t *target) bool { return slices.Contains(in.Ids, t.ID) })
	}); err != nil {
		return nil, err
	}
	return struct {
		FailedEntryCount int
		FailedEntries    []failedEntry
	}{FailedEntries: []failedEntry{}}, nil
}

func (s *Service) listRuleNamesByTarget(ctx context.Context, body []byte) (any, *apiError) {
	var in struct {
		TargetArn    *string
		EventBusName *string
		NextToken    *string
		Limit        *int64
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	var v validator
	if v.required("targetArn", in.TargetArn != nil) {
		v.str("targetArn", in.TargetArn, 1, 1600, nil)
	}
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
	for name, r := range s.rules {
		if slices.ContainsFunc(r.targets, func(t *target) bool { return t.Arn == *in.TargetArn }) {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	page, next, err := paginate(names, in.NextToken, in.Limit)
	if err != nil {
		return nil, err
	}
	return struct {
		RuleNames []string
		NextToken string `json:",omitempty"`
	}{RuleNames: append([]string{}, page...), NextToken: next}, nil
}
