package cloudformation

import (
	"context"
	"net/http"
	"strings"
)

// findChangeSet finds a change set by ARN, or by name within the named stack. The caller holds s.mu.
func (s *Service) findChangeSet(stackName, name string) (*changeSet, error) {
	if strings.HasPrefix(name, "arn:") {
		if cs := s.changeSets[name]; cs != nil {
			return cs, nil
		}
		return nil, apiErrorf(CodeChangeSetNotFound, "ChangeSet [%s] does not exist", name)
	}
	if stackName == "" {
		return nil, validationf("StackName must be specified if ChangeSetName is not specified as an ARN.")
	}
	st := s.findStack(stackName)
	if st == nil {
		return nil, apiErrorf(CodeChangeSetNotFound, "ChangeSet [%s] does not exist", name)
	}
	for _, cs := range s.changeSets {
		if cs.StackID == st.id && cs.Name == name {
			return cs, nil
		}
	}
	return nil, apiErrorf(CodeChangeSetNotFound, "ChangeSet [%s] does not exist", name)
}

// CreateChangeSet computes the changes a template and parameters would make to a stack (a new one
// with ChangeSetType CREATE, held in REVIEW_IN_PROGRESS until executed). A change set that changes
// nothing is FAILED with "The submitted information didn't contain changes. ...", as in AWS. Changes
// are computed before the call answers, so the change set is CREATE_COMPLETE (or FAILED) at once.
// https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_CreateChangeSet.html
func (s *Service) createChangeSet(r *http.Request, q *request) (any, error) {
	name, err := requireStackName(q)
	if err != nil {
		return nil, err
	}
	csName := q.str("ChangeSetName")
	if !changeSetNamePattern.MatchString(csName) {
		return nil, validationf("1 validation error detected: Value '%s' at 'changeSetName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*", csName)
	}
	typ := q.str("ChangeSetType")
	if typ == "" {
		typ = kindUpdate
	}
	if typ != kindCreate && typ != kindUpdate {
		return nil, validationf("1 validation error detected: Value '%s' at 'changeSetType' failed to satisfy constraint: Member must satisfy enum value set: [UPDATE, IMPORT, CREATE]", typ)
	}
	s.mu.Lock()
	st := s.findStack(name)
	status := ""
	if st != nil {
		status = st.Status
	}
	s.mu.Unlock()
	var stackID, stackName string
	switch {
	case typ == kindCreate && st != nil && status != StatusReviewInProgress:
		return nil, validationf("Stack [%s] already exists and cannot be created again with the changeSet [%s].", name, csName)
	case typ == kindUpdate && st == nil:
		return nil, validationf("Stack [%s] does not exist", name)
	case typ == kindUpdate && status == StatusReviewInProgress:
		return nil, validationf("Stack [%s] does not exist", name)
	case typ == kindUpdate && !updatable(status) && !strings.HasSuffix(status, "_IN_PROGRESS"):
		// A stack whose creation failed can only be deleted; one in an operation takes change sets.
		return nil, validationf("Stack:%s is in %s state and can not be updated.", st.id, status)
	case st != nil:
		stackID, stackName = st.id, st.name
	default:
		if err := checkStackName(name); err != nil {
			return nil, err
		}
		stackID, stackName = s.newStackID(name), name
	}
	var prev *stack
	if typ == kindUpdate {
		prev = st
	}
	p, err := s.prepare(r.Context(), q, stackName, stackID, prev)
	if err != nil {
		return nil, err
	}
	cs := &changeSet{ID: "arn:" + partition(s.opts.Region) + ":cloudformation:" + s.opts.Region + ":" + s.opts.Account + ":changeSet/" + csName + "/" + s.newID(),
		Name: csName, StackID: stackID, StackName: stackName, Type: typ, Status: csCreateComplete, ExecutionStatus: execAvailable,
		Created: s.now(), Description: q.str("Description"), Template: p.body, Parameters: p.params, Capabilities: p.caps, Tags: tagsOf(q)}
	if typ == kindCreate {
		if cs.Changes, err = s.diff(&stack{stackMeta: stackMeta{ID: stackID, Name: stackName, Status: StatusReviewInProgress}, id: stackID, name: stackName}, p); err != nil {
			return nil, err
		}
	} else {
		if cs.Changes, err = s.diff(st, p); err != nil {
			return nil, err
		}
		s.mu.Lock()
		meta := s.metaChanged(st, p)
		s.mu.Unlock()
		if len(cs.Changes) == 0 && !meta {
			cs.Status, cs.Reason, cs.ExecutionStatus = csFailed, noChangesReason, execUnavailable
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, errStorage()
	}
	count := 0
	for _, other := range s.changeSets {
		if other.StackID == stackID && other.Name == csName {
			return nil, apiErrorf(CodeAlreadyExists, "ChangeSet [%s] already exists", csName)
		}
		if other.StackID == stackID {
			count++
		}
	}
	if count >= maxChangeSetsPerStack {
		return nil, apiErrorf(CodeLimitExceeded, "Stack [%s] has %d change sets, the most kept locally: delete some with DeleteChangeSet.", stackName, count)
	}
	recs := []record{{ChangeSet: cs}}
	var newStack *stackMeta
	if typ == kindCreate && s.stacks[stackID] == nil {
		if s.findStack(stackName) != nil {
			return nil, validationf("Stack [%s] already exists and cannot be created again with the changeSet [%s].", name, csName)
		}
		newStack = &stackMeta{ID: stackID, Name: stackName, Status: StatusReviewInProgress, Reason: userInitiated, Created: s.now(),
			Description: p.tmpl.Description, Parameters: p.params, Capabilities: p.caps, Tags: cs.Tags}
		recs = append([]record{{Stack: newStack}, {Template: &templateRecord{StackID: stackID, Body: p.body}}}, recs...)
	}
	if err := s.commit(r.Context(), recs...); err != nil {
		return nil, errStorage()
	}
	if newStack != nil {
		s.eventLocked(r.Context(), s.stacks[stackID], stackName, stackID, stackType, StatusReviewInProgress, userInitiated, nil)
	}
	return struct {
		ID      string `xml:"Id"`
		StackID string `xml:"StackId"`
	}{cs.ID, stackID}, nil
}

type xmlChangeDetail struct {
	Target struct {
		Attribute           string `xml:"Attribute"`
		Name                string `xml:"Name,omitempty"`
		RequiresRecreation  string `xml:"RequiresRecreation,omitempty"`
		Path                string `xml:"Path,omitempty"`
		BeforeValue         string `xml:"BeforeValue,omitempty"`
		AfterValue          string `xml:"AfterValue,omitempty"`
		AttributeChangeType string `xml:"AttributeChangeType,omitempty"`
	} `xml:"Target"`
	Evaluation    string `xml:"Evaluation,omitempty"`
	ChangeSource  string `xml:"ChangeSource,omitempty"`
	CausingEntity string `xml:"CausingEntity,omitempty"`
}

type xmlChange struct {
	Type           string `xml:"Type"`
	ResourceChange struct {
		Action             string                   `xml:"Action"`
		LogicalResourceID  string                   `xml:"LogicalResourceId"`
		PhysicalResourceID string                   `xml:"PhysicalResourceId,omitempty"`
		ResourceType       string                   `xml:"ResourceType"`
		Replacement        string                   `xml:"Replacement,omitempty"`
		PolicyAction       string                   `xml:"PolicyAction,omitempty"`
		Scope              members[string]          `xml:"Scope"`
		Details            members[xmlChangeDetail] `xml:"Details"`
	} `xml:"ResourceChange"`
}

// DescribeChangeSet: a change set's status and changes.
// https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeChangeSet.html
func (s *Service) describeChangeSet(_ *http.Request, q *request) (any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cs, err := s.findChangeSet(q.str("StackName"), q.str("ChangeSetName"))
	if err != nil {
		return nil, err
	}
	var out struct {
		ChangeSetName   string                `xml:"ChangeSetName"`
		ChangeSetID     string                `xml:"ChangeSetId"`
		StackID         string                `xml:"StackId"`
		StackName       string                `xml:"StackName"`
		Description     string                `xml:"Description,omitempty"`
		Parameters      members[xmlParameter] `xml:"Parameters"`
		CreationTime    string                `xml:"CreationTime"`
		ExecutionStatus string                `xml:"ExecutionStatus"`
		Status          string                `xml:"Status"`
		StatusReason    string                `xml:"StatusReason,omitempty"`
		Capabilities    members[string]       `xml:"Capabilities"`
		Tags            members[xmlTag]       `xml:"Tags"`
		Changes         members[xmlChange]    `xml:"Changes"`
	}
	out.ChangeSetName, out.ChangeSetID, out.StackID, out.StackName, out.Description = cs.Name, cs.ID, cs.StackID, cs.StackName, cs.Description
	out.CreationTime, out.ExecutionStatus, out.Status, out.StatusReason = timestamp(cs.Created), cs.ExecutionStatus, cs.Status, cs.Reason
	out.Capabilities = list(cs.Capabilities)
	for _, p := range cs.Parameters {
		v := p.Value
		if p.NoEcho {
			v = maskedValue
		}
		out.Parameters.Member = append(out.Parameters.Member, xmlParameter{ParameterKey: p.Key, ParameterValue: v})
	}
	for _, t := range cs.Tags {
		out.Tags.Member = append(out.Tags.Member, xmlTag(t))
	}
	for _, c := range cs.Changes {
		var x xmlChange
		x.Type = "Resource"
		rc := &x.ResourceChange
		rc.Action, rc.LogicalResourceID, rc.PhysicalResourceID, rc.ResourceType, rc.PolicyAction = c.Action, c.LogicalID, c.PhysicalID, c.Type, c.PolicyAction
		if c.Action == "Modify" {
			rc.Replacement = c.Replacement
		}
		rc.Scope = list(c.Scope)
		for _, d := range c.Details {
			var xd xmlChangeDetail
			xd.Target.Attribute, xd.Target.Name, xd.Target.RequiresRecreation = d.Attribute, d.Name, d.RequiresRecreation
			xd.Target.Path, xd.Target.BeforeValue, xd.Target.AfterValue, xd.Target.AttributeChangeType = d.Path, d.BeforeValue, d.AfterValue, d.AttributeChangeType
			xd.Evaluation, xd.ChangeSource, xd.CausingEntity = d.Evaluation, d.ChangeSource, d.CausingEntity
			rc.Details.Member = append(rc.Details.Member, xd)
		}
		out.Changes.Member = append(out.Changes.Member, x)
	}
	return out, nil
}

// ExecuteChangeSet applies a change set: it creates the stack (CREATE) or updates it (UPDATE). The
// stack's other change sets are deleted, as in AWS.
// https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_ExecuteChangeSet.html
func (s *Service) executeChangeSet(r *http.Request, q *request) (any, error) {
	s.mu.Lock()
	cs, err := s.findChangeSet(q.str("StackName"), q.str("ChangeSetName"))
	if err != nil {
		s.mu.Unlock()
		return nil, err
	}
	st := s.stacks[cs.StackID]
	if cs.Status != csCreateComplete || cs.ExecutionStatus != execAvailable {
		s.mu.Unlock()
		return nil, apiErrorf(CodeInvalidChangeSetStatus, "ChangeSet [%s] cannot be executed in its current status of [%s]", cs.ID, cs.Status)
	}
	if st == nil || st.inProgress() {
		s.mu.Unlock()
		return nil, apiErrorf(CodeInvalidChangeSetStatus, "ChangeSet [%s] cannot be executed in its current execution status of [%s]", cs.ID, execUnavailable)
	}
	s.mu.Unlock()
	bound, err := s.rebind(st, cs.Template, cs.Parameters)
	if err != nil {
		return nil, templateError(err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if st.inProgress() || s.changeSets[cs.ID] != cs {
		return nil, apiErrorf(CodeInvalidChangeSetStatus, "ChangeSet [%s] cannot be executed in its current execution status of [%s]", cs.ID, execUnavailable)
	}
	executed := *cs
	executed.ExecutionStatus = execInProgress
	recs := []record{{ChangeSet: &executed}}
	for id, other := range s.changeSets {
		if other.StackID == st.id && id != cs.ID {
			recs = append(recs, record{ChangeSetGone: id})
		}
	}
	token := q.str("ClientRequestToken")
	if cs.Type == kindCreate {
		meta := st.stackMeta
		meta.Status, meta.Reason, meta.Op, meta.ChangeSetID, meta.ClientToken = StatusCreateInProgress, userInitiated, kindCreate, cs.ID, token
		meta.Parameters, meta.Capabilities, meta.Tags = cs.Parameters, cs.Capabilities, cs.Tags
		meta.Description = bound.Template().Description
		meta.DisableRollback = q.boolean("DisableRollback")
		recs = append(recs, record{Stack: &meta}, record{Template: &templateRecord{StackID: st.id, Body: cs.Template}})
		if err := s.commit(r.Context(), recs...); err != nil {
			return nil, errStorage()
		}
		s.eventLocked(r.Context(), st, st.name, st.id, stackType, StatusCreateInProgress, userInitiated, nil)
		s.start(st, func(ctx context.Context) {
			s.runCreate(ctx, st, bound)
			s.endChangeSet(ctx, cs.ID, st)
		})
	} else {
		if err := s.commit(r.Context(), recs...); err != nil {
			return nil, errStorage()
		}
		p := &prepared{body: cs.Template, tmpl: bound.Template(), bound: bound, params: cs.Parameters, caps: cs.Capabilities}
		if err := s.beginUpdate(r.Context(), st, p, cs.ID, token, cs.Tags); err != nil {
			return nil, err
		}
		s.start(st, func(ctx context.Context) {
			s.runUpdate(ctx, st, bound)
			s.endChangeSet(ctx, cs.ID, st)
		})
	}
	s.mu.Unlock()
	s.settleWait(r.Context(), st.id)
	s.mu.Lock()
	return struct{}{}, nil
}

// endChangeSet records how an executed change set's operation ended.
func (s *Service) endChangeSet(ctx context.Context, id string, st *stack) {
	if ctx.Err() != nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cs := s.changeSets[id]
	if cs == nil {
		return
	}
	c := *cs
	c.ExecutionStatus = execComplete
	switch st.Status {
	case StatusCreateComplete, StatusUpdateComplete:
	default:
		c.ExecutionStatus = execFailed
	}
	if err := s.commit(ctx, record{ChangeSet: &c}); err != nil {
		s.opts.Logger.Error("cloudformation: record change set", "err", err)
	}
}

// DeleteChangeSet deletes a change set that is not executing.
// https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DeleteChangeSet.html
func (s *Service) deleteChangeSet(r *http.Request, q *request) (any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cs, err := s.findChangeSet(q.str("StackName"), q.str("ChangeSetName"))
	if err != nil {
		return nil, err
	}
	if cs.ExecutionStatus == execInProgress {
		return nil, apiErrorf(CodeInvalidChangeSetStatus, "ChangeSet [%s] cannot be deleted in its current status of [%s]", cs.ID, cs.ExecutionStatus)
	}
	if err := s.commit(r.Context(), record{ChangeSetGone: cs.ID}); err != nil {
		return nil, errStorage()
	}
	return struct{}{}, nil
}

// ListChangeSets: the change sets of a stack.
// https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_ListChangeSets.html
func (s *Service) listChangeSets(_ *http.Request, q *request) (any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, err := s.namedStack(q)
	if err != nil {
		return nil, err
	}
	type summary struct {
		StackID         string `xml:"StackId"`
		StackName       string `xml:"StackName"`
		ChangeSetID     string `xml:"ChangeSetId"`
		ChangeSetName   string `xml:"ChangeSetName"`
		ExecutionStatus string `xml:"ExecutionStatus"`
		Status          string `xml:"Status"`
		StatusReason    string `xml:"StatusReason,omitempty"`
		CreationTime    string `xml:"CreationTime"`
		Description     string `xml:"Description,omitempty"`
	}
	var out struct {
		Summaries members[summary] `xml:"Summaries"`
	}
	var sets []*changeSet
	for _, cs := range s.changeSets {
		if cs.StackID == st.id {
			sets = append(sets, cs)
		}
	}
	sortChangeSets(sets)
	for _, cs := range sets {
		out.Summaries.Member = append(out.Summaries.Member, summary{StackID: cs.StackID, StackName: cs.StackName, ChangeSetID: cs.ID,
			ChangeSetName: cs.Name, ExecutionStatus: cs.ExecutionStatus, Status: cs.Status, StatusReason: cs.Reason,
			CreationTime: timestamp(cs.Created), Description: cs.Description})
	}
	return out, nil
}
