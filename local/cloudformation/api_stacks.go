package cloudformation

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/sluicehq/sluice/local/cloudformation/template"
)

// prepared is a template with its parameters bound, ready to deploy.
type prepared struct {
	body       string
	tmpl       *template.Template
	validation *template.Validation
	bound      *template.Stack
	params     []parameter
	caps       []string
}

// templateBody reads the template a request gives: TemplateBody, TemplateURL or (for updates)
// UsePreviousTemplate.
func (s *Service) templateBody(ctx context.Context, q *request, prev *stack) (string, error) {
	body, url, usePrev := q.str("TemplateBody"), q.str("TemplateURL"), q.boolean("UsePreviousTemplate")
	given := 0
	for _, b := range []bool{q.has("TemplateBody"), q.has("TemplateURL"), usePrev} {
		if b {
			given++
		}
	}
	switch {
	case given > 1:
		return "", validationf("Specify exactly one of TemplateBody, TemplateURL or UsePreviousTemplate.")
	case usePrev:
		if prev == nil {
			return "", validationf("UsePreviousTemplate can only be used with an existing stack.")
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		return prev.template, nil
	case q.has("TemplateBody"):
		if len(body) > maxTemplateBodyBytes {
			return "", validationf("1 validation error detected: Value '%s...' at 'templateBody' failed to satisfy constraint: Member must have length less than or equal to %d", body[:32], maxTemplateBodyBytes)
		}
		return body, nil
	case q.has("TemplateURL"):
		return s.fetchTemplate(ctx, url)
	}
	return "", validationf("Either Template URL or Template Body must be specified.")
}

// prepare parses, validates and binds a request's template for the stack named name with id stackID;
// prev is the stack being updated (nil for a new one), whose parameter values UsePreviousValue takes.
func (s *Service) prepare(ctx context.Context, q *request, name, stackID string, prev *stack) (*prepared, error) {
	body, err := s.templateBody(ctx, q, prev)
	if err != nil {
		return nil, err
	}
	p := &prepared{body: body}
	if p.tmpl, err = template.Parse([]byte(body)); err != nil {
		return nil, templateError(err)
	}
	if p.validation, err = p.tmpl.Validate(); err != nil {
		return nil, templateError(err)
	}
	caps := q.list("Capabilities")
	for _, need := range p.validation.Capabilities {
		if !slices.Contains(caps, need) && !(need == template.CapabilityIAM && slices.Contains(caps, template.CapabilityNamedIAM)) {
			return nil, apiErrorf(CodeInsufficientCapabilites, "Requires capabilities : [%s]", need)
		}
	}
	p.caps = caps
	values := map[string]string{}
	var previous map[string]string
	if prev != nil {
		previous = map[string]string{}
		s.mu.Lock()
		for _, pv := range prev.Parameters {
			previous[pv.Key] = pv.Value
		}
		s.mu.Unlock()
	}
	for _, m := range q.structs("Parameters") {
		key := m["ParameterKey"]
		if b, _ := parseBool(m["UsePreviousValue"]); b {
			v, ok := previous[key]
			if !ok {
				return nil, validationf("Invalid input for parameter key %s. Cannot specify usePreviousValue as true for a parameter key not in the previous template", key)
			}
			values[key] = v
			continue
		}
		values[key] = m["ParameterValue"]
	}
	st := &stack{stackMeta: stackMeta{ID: stackID, Name: name}, id: stackID, name: name}
	if p.bound, err = p.tmpl.Bind(values, s.env(st)); err != nil {
		return nil, templateError(err)
	}
	all := p.bound.ParameterValues()
	for _, key := range p.tmpl.ParameterNames() {
		p.params = append(p.params, parameter{Key: key, Value: all[key], NoEcho: p.tmpl.Parameters[key].NoEcho})
	}
	return p, nil
}

func parseBool(s string) (bool, error) {
	switch strings.ToLower(s) {
	case "true":
		return true, nil
	case "false", "":
		return false, nil
	}
	return false, errors.New("not a boolean")
}

// templateError answers a template or parameter error as ValidationError with AWS's message.
func templateError(err error) error {
	var te *template.Error
	if errors.As(err, &te) {
		return validationf("%s", te.Message)
	}
	return validationf("%s", err.Error())
}

// rebind binds a stored template and parameters again (to execute a change set, or to roll back).
func (s *Service) rebind(st *stack, body string, params []parameter) (*template.Stack, error) {
	t, err := template.Parse([]byte(body))
	if err != nil {
		return nil, err
	}
	values := map[string]string{}
	for _, p := range params {
		values[p.Key] = p.Value
	}
	return t.Bind(values, s.env(st))
}

func (s *Service) newStackID(name string) string {
	return "arn:" + partition(s.opts.Region) + ":cloudformation:" + s.opts.Region + ":" + s.opts.Account + ":stack/" + name + "/" + s.newID()
}

func tagsOf(q *request) []tag {
	var out []tag
	for _, m := range q.structs("Tags") {
		out = append(out, tag{Key: m["Key"], Value: m["Value"]})
	}
	return out
}

type stackIDResult struct {
	StackID string `xml:"StackId"`
}

// CreateStack creates a stack and starts creating its resources.
// https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_CreateStack.html
func (s *Service) createStack(r *http.Request, q *request) (any, error) {
	name, err := requireStackName(q)
	if err != nil {
		return nil, err
	}
	if err := checkStackName(name); err != nil {
		return nil, err
	}
	s.mu.Lock()
	exists := s.findStack(name) != nil
	s.mu.Unlock()
	if exists {
		return nil, apiErrorf(CodeAlreadyExists, "Stack [%s] already exists", name)
	}
	id := s.newStackID(name)
	p, err := s.prepare(r.Context(), q, name, id, nil)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	if s.findStack(name) != nil {
		s.mu.Unlock()
		return nil, apiErrorf(CodeAlreadyExists, "Stack [%s] already exists", name)
	}
	if s.closed {
		s.mu.Unlock()
		return nil, errStorage()
	}
	st := &stack{id: id, name: name, stackMeta: stackMeta{ID: id, Name: name, Status: StatusCreateInProgress, Reason: userInitiated, Description: p.tmpl.Description,
		Created: s.now(), Parameters: p.params, Capabilities: p.caps, Tags: tagsOf(q), Op: kindCreate,
		DisableRollback: q.boolean("DisableRollback") || q.str("OnFailure") == "DO_NOTHING", ClientToken: q.str("ClientRequestToken")},
		resources: map[string]*resource{}}
	meta := st.stackMeta
	if err := s.commit(r.Context(), record{Stack: &meta}, record{Template: &templateRecord{StackID: id, Body: p.body}}); err != nil {
		s.mu.Unlock()
		return nil, errStorage()
	}
	live := s.stacks[id]
	s.eventLocked(r.Context(), live, name, id, stackType, StatusCreateInProgress, userInitiated, nil)
	s.start(live, func(ctx context.Context) { s.runCreate(ctx, live, p.bound) })
	s.mu.Unlock()
	s.settleWait(r.Context(), id)
	return stackIDResult{StackID: id}, nil
}

// updatable reports whether a stack in this status accepts an update
// (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-describing-stacks.html).
func updatable(status string) bool {
	switch status {
	case StatusCreateComplete, StatusUpdateComplete, StatusUpdateRollbackComplete:
		return true
	}
	return false
}

// UpdateStack updates a stack to a new template or parameters; "No updates are to be performed." when
// nothing would change.
// https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_UpdateStack.html
func (s *Service) updateStack(r *http.Request, q *request) (any, error) {
	name, err := requireStackName(q)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	st := s.findStack(name)
	s.mu.Unlock()
	if st == nil {
		return nil, errStackNotFound(name)
	}
	p, err := s.prepare(r.Context(), q, st.name, st.id, st)
	if err != nil {
		return nil, err
	}
	changes, err := s.diff(st, p)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if st.inProgress() || !updatable(st.Status) {
		return nil, validationf("Stack:%s is in %s state and can not be updated.", st.id, st.Status)
	}
	if len(changes) == 0 && !s.metaChanged(st, p) {
		return nil, validationf(noUpdatesMessage)
	}
	if err := s.beginUpdate(r.Context(), st, p, "", q.str("ClientRequestToken"), tagsOf(q)); err != nil {
		return nil, err
	}
	bound := p.bound
	s.start(st, func(ctx context.Context) { s.runUpdate(ctx, st, bound) })
	s.mu.Unlock()
	s.settleWait(r.Context(), st.id)
	s.mu.Lock()
	return stackIDResult{StackID: st.id}, nil
}

// metaChanged reports whether an update changes what is not a resource: parameters, outputs'
// templates, the description. The caller holds s.mu.
func (s *Service) metaChanged(st *stack, p *prepared) bool {
	if !slices.Equal(st.Parameters, p.params) || st.Description != p.tmpl.Description {
		return true
	}
	old, err := template.Parse([]byte(st.template))
	if err != nil {
		return true
	}
	return !equalJSON(old.Outputs, p.tmpl.Outputs)
}

// beginUpdate records the start of an update: the new template and parameters, the old ones kept to
// roll back to. The caller holds s.mu.
func (s *Service) beginUpdate(ctx context.Context, st *stack, p *prepared, changeSetID, token string, tags []tag) error {
	meta := st.stackMeta
	meta.PrevTemplate, meta.PrevParameters, meta.PrevOutputs, meta.PrevDescription, meta.PrevCapabilities =
		st.template, st.Parameters, st.Outputs, st.Description, st.Capabilities
	meta.Parameters, meta.Description, meta.Capabilities = p.params, p.tmpl.Description, p.caps
	if tags != nil {
		meta.Tags = tags
	}
	meta.Status, meta.Reason, meta.Op, meta.Updated, meta.ClientToken = StatusUpdateInProgress, userInitiated, kindUpdate, s.now(), token
	if changeSetID != "" {
		meta.ChangeSetID = changeSetID
	}
	if err := s.commit(ctx, record{Stack: &meta}, record{Template: &templateRecord{StackID: st.id, Body: p.body}}); err != nil {
		return errStorage()
	}
	s.eventLocked(ctx, st, st.name, st.id, stackType, StatusUpdateInProgress, userInitiated, nil)
	return nil
}

// DeleteStack deletes a stack's resources (those with DeletionPolicy Retain stay) and then the stack.
// Deleting a stack that does not exist succeeds, as in AWS.
// https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DeleteStack.html
func (s *Service) deleteStack(r *http.Request, q *request) (any, error) {
	name, err := requireStackName(q)
	if err != nil {
		return nil, err
	}
	retain := q.list("RetainResources")
	s.mu.Lock()
	st := s.findStack(name)
	if st == nil || st.Status == StatusDeleteComplete {
		s.mu.Unlock()
		return nil, nil
	}
	if st.inProgress() {
		s.mu.Unlock()
		if st.Status == StatusDeleteInProgress {
			return nil, nil
		}
		return nil, validationf("Stack [%s] cannot be deleted while in status %s", st.name, st.Status)
	}
	if len(retain) > 0 && st.Status != StatusDeleteFailed {
		s.mu.Unlock()
		return nil, validationf("Invalid operation on stack [%s]. RetainResources can only be specified when the stack is in the DELETE_FAILED state.", st.id)
	}
	var recs []record
	for _, id := range retain {
		if res := st.resources[id]; res != nil {
			c := *res
			c.DeletionPolicy = "Retain"
			recs = append(recs, record{Resource: &resourceRecord{StackID: st.id, Resource: &c}})
		}
	}
	meta := st.stackMeta
	meta.Status, meta.Reason, meta.Op, meta.ClientToken = StatusDeleteInProgress, userInitiated, kindDelete, q.str("ClientRequestToken")
	recs = append(recs, record{Stack: &meta})
	// The stack's change sets go with it.
	for id, cs := range s.changeSets {
		if cs.StackID == st.id {
			recs = append(recs, record{ChangeSetGone: id})
		}
	}
	if err := s.commit(r.Context(), recs...); err != nil {
		s.mu.Unlock()
		return nil, errStorage()
	}
	s.eventLocked(r.Context(), st, st.name, st.id, stackType, StatusDeleteInProgress, userInitiated, nil)
	s.start(st, func(ctx context.Context) { s.runDelete(ctx, st) })
	s.mu.Unlock()
	s.settleWait(r.Context(), st.id)
	return nil, nil
}
