package sfn

import (
	"context"
	"encoding/json"
	"errors"
	"sort"
	"strconv"

	"github.com/sluicehq/sluice/asl"
	"github.com/sluicehq/sluice/asl/interp"
)

// machine is a state machine the service holds.
type machine struct {
	rec      machineRecord
	deleting bool
	versions map[int]*versionRecord // by number (versions.go)
	aliases  map[string]*aliasRecord
}

// compile returns the engine's machine for a definition, compiling it once per definition text.
func (s *Service) compile(definition string) (*interp.Machine, error) {
	s.mu.RLock()
	m := s.compiled[definition]
	s.mu.RUnlock()
	if m != nil {
		return m, nil
	}
	sm, err := asl.Parse([]byte(definition))
	if err != nil {
		return nil, invalidDefinition(err)
	}
	if m, err = s.compileMachine(sm); err != nil {
		return nil, err
	}
	s.mu.Lock()
	if prev := s.compiled[definition]; prev != nil {
		m = prev
	} else {
		s.compiled[definition] = m
	}
	s.mu.Unlock()
	return m, nil
}

// compileMachine compiles a parsed definition with the service's
// integrations (Lambda, other tasks, mock files).
func (s *Service) compileMachine(sm *asl.StateMachine) (*interp.Machine, error) {
	opts := []interp.Option{interp.WithClock(s.clock), interp.WithRegion(s.region, s.account), interp.WithTaskTokens(s.tokens)}
	if s.lambda != nil {
		opts = append(opts, interp.WithLambdaInvoker(s.lambda))
	}
	opts = append(opts, interp.WithTaskInvoker(activityInvoker{s, s.tasks})) // activities, then the host's
	if s.mocks != nil {
		opts = append(opts, interp.WithTaskInterceptor(interp.TaskInterceptorFunc(s.interceptTask)))
	}
	opts = append(opts, s.distributedOptions()...)
	m, err := interp.New(sm, opts...)
	if err != nil {
		return nil, apiErrorf(CodeInvalidDefinition, "Invalid State Machine Definition: '%v'", err)
	}
	return m, nil
}

func invalidDefinition(err error) error {
	var ve *asl.ValidationError
	if errors.As(err, &ve) {
		return apiErrorf(CodeInvalidDefinition, "%s", ve.Error())
	}
	return apiErrorf(CodeInvalidDefinition, "Invalid State Machine Definition: '%v'", err)
}

// https://docs.aws.amazon.com/step-functions/latest/apireference/API_CreateStateMachine.html
func (s *Service) createStateMachine(ctx context.Context, body []byte) (any, error) {
	var in createStateMachineInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	switch {
	case in.Name == "":
		return nil, validationErrorf("Value null at 'name' failed to satisfy constraint: Member must not be null")
	case in.Definition == "":
		return nil, validationErrorf("Value null at 'definition' failed to satisfy constraint: Member must not be null")
	case in.RoleArn == "":
		return nil, validationErrorf("Value null at 'roleArn' failed to satisfy constraint: Member must not be null")
	case len(in.Definition) > 1048576:
		return nil, validationErrorf("Value at 'definition' failed to satisfy constraint: Member must have length less than or equal to 1048576")
	}
	if !validName(in.Name) {
		return nil, apiErrorf(CodeInvalidName, "Invalid Name: '%s'", in.Name)
	}
	if _, _, ok := arnParts(in.RoleArn); !ok && !isIAMArn(in.RoleArn) {
		return nil, apiErrorf(CodeInvalidArn, "Invalid Arn: 'Resource type not valid in this context: %s'", in.RoleArn)
	}
	if in.Type == "" {
		in.Type = "STANDARD"
	}
	if in.Type != "STANDARD" && in.Type != "EXPRESS" {
		return nil, validationErrorf("Value '%s' at 'type' failed to satisfy constraint: Member must satisfy enum value set: [STANDARD, EXPRESS]", in.Type)
	}
	if len(in.Tags) > 50 {
		return nil, apiErrorf(CodeTooManyTags, "Too many tags: %d (at most 50)", len(in.Tags))
	}
	versionDescription, err := checkPublish(in.Publish, in.VersionDescription)
	if err != nil {
		return nil, err
	}
	if _, err := s.compile(in.Definition); err != nil {
		return nil, err
	}
	if err := s.checkLogging(ctx, in.LoggingConfiguration); err != nil {
		return nil, err
	}
	arn := s.machineArn(in.Name)
	defer s.holdJournal()()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, apiErrorf(CodeInternalFailure, "the service is shutting down")
	}
	if old := s.machines[arn]; old != nil {
		// Creating the same machine again is idempotent; a different one under the same name is not.
		if old.rec.Definition == in.Definition && old.rec.RoleArn == in.RoleArn && old.rec.Type == in.Type && !old.deleting {
			out := createStateMachineOutput{StateMachineArn: arn, CreationDate: epoch(old.rec.Created)}
			if in.Publish { // the version of the current revision, published now if it has none
				v := old.versionOfRevision(old.rec.Revision)
				if v == nil {
					rec := old.rec
					if v, err = s.newVersion(old, &rec, versionDescription); err != nil {
						return nil, err
					}
					if err := s.persist(&record{Kind: kindVersion, Version: v}); err != nil {
						return nil, err
					}
					old.addVersion(v)
				}
				out.StateMachineVersionArn = v.arn()
			}
			return out, nil
		}
		return nil, apiErrorf(CodeStateMachineAlreadyExists, "State Machine Already Exists: '%s'", arn)
	}
	rec := machineRecord{
		Arn: arn, Name: in.Name, Definition: in.Definition, RoleArn: in.RoleArn, Type: in.Type,
		Created: s.clock.Now().UTC(), Revision: newID(),
		Logging: in.LoggingConfiguration, Tracing: in.TracingConfiguration, Tags: tagMap(in.Tags),
	}
	m := &machine{rec: rec}
	recs := []*record{{Kind: kindMachine, Machine: &m.rec}}
	var v *versionRecord
	if in.Publish { // the machine and its first version are one change
		if v, err = s.newVersion(m, &m.rec, versionDescription); err != nil {
			return nil, err
		}
		recs = append(recs, &record{Kind: kindVersion, Version: v})
	}
	if err := s.persist(recs...); err != nil {
		return nil, err
	}
	out := createStateMachineOutput{StateMachineArn: arn, CreationDate: epoch(rec.Created)}
	if v != nil {
		m.addVersion(v)
		out.StateMachineVersionArn = v.arn()
	}
	s.machines[arn] = m
	return out, nil
}

func isIAMArn(arn string) bool {
	return len(arn) > len("arn:aws:iam::") && arn[:len("arn:aws:iam::")] == "arn:aws:iam::"
}

func tagMap(tags []tag) map[string]string {
	if len(tags) == 0 {
		return nil
	}
	m := make(map[string]string, len(tags))
	for _, t := range tags {
		m[t.Key] = t.Value
	}
	return m
}

// lookupMachine returns the machine with arn; the caller holds s.mu.
func (s *Service) lookupMachine(arn string) (*machine, error) {
	if err := checkMachineArn(arn); err != nil {
		return nil, err
	}
	m := s.machines[arn]
	if m == nil {
		return nil, apiErrorf(CodeStateMachineDoesNotExist, "State Machine Does Not Exist: '%s'", arn)
	}
	return m, nil
}

func describeMachine(rec machineRecord, status string) describeStateMachineOutput {
	return describeStateMachineOutput{
		StateMachineArn: rec.Arn, Name: rec.Name, Status: status, Definition: rec.Definition,
		RoleArn: rec.RoleArn, Type: rec.Type, CreationDate: epoch(rec.Created),
		LoggingConfiguration: orDefault(rec.Logging, `{"level":"OFF","includeExecutionData":false}`),
		TracingConfiguration: orDefault(rec.Tracing, `{"enabled":false}`),
		RevisionID:           rec.Revision,
	}
}

func orDefault(raw json.RawMessage, def string) json.RawMessage {
	if len(raw) == 0 || string(raw) == "null" {
		return json.RawMessage(def)
	}
	return raw
}

// https://docs.aws.amazon.com/step-functions/latest/apireference/API_DescribeStateMachine.html
func (s *Service) describeStateMachine(ctx context.Context, body []byte) (any, error) {
	var in arnInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if out, ok, err := s.describeVersion(in.StateMachineArn); ok {
		return out, err
	}
	m, err := s.lookupMachine(in.StateMachineArn)
	if err != nil {
		return nil, err
	}
	status := "ACTIVE"
	if m.deleting {
		status = "DELETING"
	}
	return describeMachine(m.rec, status), nil
}

// https://docs.aws.amazon.com/step-functions/latest/apireference/API_UpdateStateMachine.html
func (s *Service) updateStateMachine(ctx context.Context, body []byte) (any, error) {
	var in updateStateMachineInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if err := checkMachineArn(in.StateMachineArn); err != nil {
		return nil, err
	}
	if in.Definition == nil && in.RoleArn == nil && in.LoggingConfiguration == nil && in.TracingConfiguration == nil {
		return nil, apiErrorf(CodeValidation, "Either the definition, the role ARN, the LoggingConfiguration, or the TracingConfiguration must be specified")
	}
	versionDescription, err := checkPublish(in.Publish, in.VersionDescription)
	if err != nil {
		return nil, err
	}
	if in.Definition != nil {
		if _, err := s.compile(*in.Definition); err != nil {
			return nil, err
		}
	}
	if err := s.checkLogging(ctx, in.LoggingConfiguration); err != nil {
		return nil, err
	}
	defer s.holdJournal()()
	s.mu.Lock()
	defer s.mu.Unlock()
	m, err := s.lookupMachine(in.StateMachineArn)
	if err != nil {
		return nil, err
	}
	if m.deleting {
		return nil, apiErrorf(CodeStateMachineDeleting, "State Machine is being deleted: '%s'", in.StateMachineArn)
	}
	rec := m.rec
	if in.Definition != nil {
		rec.Definition = *in.Definition
	}
	if in.RoleArn != nil {
		rec.RoleArn = *in.RoleArn
	}
	if in.LoggingConfiguration != nil {
		rec.Logging = in.LoggingConfiguration
	}
	if in.TracingConfiguration != nil {
		rec.Tracing = in.TracingConfiguration
	}
	rec.Updated = s.clock.Now().UTC()
	rec.Revision = newID()
	recs := []*record{{Kind: kindMachine, Machine: &rec}}
	var v *versionRecord
	if in.Publish { // the update and its version are one change
		if v, err = s.newVersion(m, &rec, versionDescription); err != nil {
			return nil, err
		}
		recs = append(recs, &record{Kind: kindVersion, Version: v})
	}
	if err := s.persist(recs...); err != nil {
		return nil, err
	}
	m.rec = rec
	out := updateStateMachineOutput{UpdateDate: epoch(rec.Updated), RevisionID: rec.Revision}
	if v != nil {
		m.addVersion(v)
		out.StateMachineVersionArn = v.arn()
	}
	return out, nil
}

// https://docs.aws.amazon.com/step-functions/latest/apireference/API_DeleteStateMachine.html
// Deleting is asynchronous on AWS; here the machine is removed at once, and its executions stay
// describable.
func (s *Service) deleteStateMachine(ctx context.Context, body []byte) (any, error) {
	var in arnInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if err := checkMachineArn(in.StateMachineArn); err != nil {
		return nil, err
	}
	defer s.holdJournal()()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.machines[in.StateMachineArn] == nil {
		return struct{}{}, nil // AWS answers success for a machine that does not exist
	}
	if err := s.persist(&record{Kind: kindMachineDeleted, Arn: in.StateMachineArn}); err != nil {
		return nil, err
	}
	delete(s.machines, in.StateMachineArn)
	return struct{}{}, nil
}

// https://docs.aws.amazon.com/step-functions/latest/apireference/API_ListStateMachines.html
func (s *Service) listStateMachines(ctx context.Context, body []byte) (any, error) {
	var in listInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	s.mu.RLock()
	items := make([]stateMachineListItem, 0, len(s.machines))
	for _, m := range s.machines {
		items = append(items, stateMachineListItem{StateMachineArn: m.rec.Arn, Name: m.rec.Name, Type: m.rec.Type, CreationDate: epoch(m.rec.Created)})
	}
	s.mu.RUnlock()
	sort.Slice(items, func(i, j int) bool { return items[i].Name < items[j].Name })
	page, next, err := paginate(len(items), in.MaxResults, in.NextToken)
	if err != nil {
		return nil, err
	}
	return struct {
		StateMachines []stateMachineListItem `json:"stateMachines"`
		NextToken     string                 `json:"nextToken,omitempty"`
	}{items[page.from:page.to], next}, nil
}

type window struct{ from, to int }

// paginate picks the window of n items a request asks for. Tokens are opaque to clients.
func paginate(n, maxResults int, token string) (window, string, error) {
	if maxResults < 0 || maxResults > 1000 {
		return window{}, "", validationErrorf("Value '%d' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 1000", maxResults)
	}
	if maxResults == 0 {
		maxResults = 100
	}
	from := 0
	if token != "" {
		v, err := strconv.Atoi(token)
		if err != nil || v < 0 || v > n {
			return window{}, "", apiErrorf("InvalidToken", "Invalid Token: '%s'", token)
		}
		from = v
	}
	to := min(from+maxResults, n)
	next := ""
	if to < n {
		next = strconv.Itoa(to)
	}
	return window{from, to}, next, nil
}

// https://docs.aws.amazon.com/step-functions/latest/apireference/API_ValidateStateMachineDefinition.html
func (s *Service) validateStateMachineDefinition(ctx context.Context, body []byte) (any, error) {
	var in validateInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if in.Definition == "" {
		return nil, validationErrorf("Value null at 'definition' failed to satisfy constraint: Member must not be null")
	}
	if in.MaxResults < 0 || in.MaxResults > 100 {
		return nil, validationErrorf("Value '%d' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 100", in.MaxResults)
	}
	limit := in.MaxResults
	if limit == 0 {
		limit = 100
	}
	diags := asl.Validate([]byte(in.Definition))
	result := "OK"
	out := []diagnosticOut{}
	truncated := false
	for _, d := range diags {
		if string(d.Severity) == "ERROR" {
			result = "FAIL"
		} else if in.Severity == "ERROR" {
			continue // WARNING diagnostics are filtered out when only errors are asked for
		}
		if len(out) == limit {
			truncated = true
			continue
		}
		out = append(out, diagnosticOut{Severity: string(d.Severity), Code: string(d.Code), Message: d.Message, Location: d.Location})
	}
	return struct {
		Result      string          `json:"result"`
		Diagnostics []diagnosticOut `json:"diagnostics"`
		Truncated   bool            `json:"truncated"`
	}{result, out, truncated}, nil
}
