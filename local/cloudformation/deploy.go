package cloudformation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"time"

	"github.com/sluicehq/sluice/local/cloudformation/template"
)

// Stack operations (stackMeta.Op).
const (
	kindCreate = "CREATE"
	kindUpdate = "UPDATE"
	kindDelete = "DELETE"
)

// userInitiated is the reason of the first event of an operation a user started.
const userInitiated = "User Initiated"

// start runs fn as the stack's operation in the background; the stack is busy until it returns.
// The caller holds s.mu and has made the operation's start durable.
func (s *Service) start(st *stack, fn func(ctx context.Context)) {
	st.busy = true
	done := make(chan struct{})
	s.wake[st.id] = done
	s.ops.Add(1)
	go func() {
		defer s.ops.Done()
		defer func() {
			s.mu.Lock()
			st.busy = false
			delete(s.wake, st.id)
			s.mu.Unlock()
			close(done)
		}()
		fn(s.ctx)
	}()
}

// settleWait waits, at most the settle time, for the stack's operation to end.
func (s *Service) settleWait(ctx context.Context, stackID string) {
	s.mu.Lock()
	done := s.wake[stackID]
	s.mu.Unlock()
	if done == nil || s.settle <= 0 {
		return
	}
	t := time.NewTimer(s.settle)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
	case <-ctx.Done():
	}
}

// env is the template environment of a stack.
func (s *Service) env(st *stack) template.Env {
	return template.Env{Region: s.opts.Region, AccountID: s.opts.Account, StackName: st.name, StackID: st.id,
		Import: func(name string) (string, bool) {
			// Called while an operation holds no lock on s.mu... but resolution runs under the
			// operation's own goroutine, which takes the lock here.
			s.mu.Lock()
			defer s.mu.Unlock()
			e, ok := s.exportsLocked()[name]
			return e.value, ok
		}}
}

// lookup is what the stack's live resources give Ref and Fn::GetAtt. The caller holds s.mu.
func lookupOf(st *stack) template.Provisioned {
	done := template.Provisioned{}
	for id, r := range st.resources {
		if r.PhysicalID == "" || r.Op == opRemove || !live(r.Status) {
			continue
		}
		done[id] = template.Physical{Ref: r.Ref, Attributes: r.Attributes}
	}
	return done
}

// live reports whether a resource in this status exists.
func live(status string) bool {
	switch status {
	case resCreateComplete, resUpdateInProgress, resUpdateComplete, resUpdateFailed, resDeleteFailed, resDeleteInProgress:
		return true
	}
	return false
}

// --- recording: every step is durable before the operation goes on ---

func (s *Service) recordEvent(ctx context.Context, st *stack, logicalID, physicalID, typ, status, reason string, props map[string]any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.eventLocked(ctx, st, logicalID, physicalID, typ, status, reason, props)
}

func (s *Service) eventLocked(ctx context.Context, st *stack, logicalID, physicalID, typ, status, reason string, props map[string]any) {
	e := event{StackID: st.id, StackName: st.name, LogicalID: logicalID, PhysicalID: physicalID, Type: typ,
		Timestamp: s.now(), Status: status, Reason: reason, ClientToken: st.ClientToken}
	// A stack's events are strictly ordered by their timestamps (at the millisecond AWS shows), so that
	// a client following them by time misses none and resource event ids never repeat.
	if n := len(st.events); n > 0 {
		if last := st.events[n-1].Timestamp.Truncate(time.Millisecond); !e.Timestamp.Truncate(time.Millisecond).After(last) {
			e.Timestamp = last.Add(time.Millisecond)
		}
	}
	if logicalID == st.name && typ == stackType {
		e.EventID = s.newID()
	} else {
		e.EventID = logicalID + "-" + status + "-" + e.Timestamp.Format("2006-01-02T15:04:05.000Z")
	}
	if props != nil {
		if b, err := json.Marshal(props); err == nil {
			e.Properties = string(b)
		}
	}
	if err := s.commit(ctx, record{Event: &e}); err != nil {
		s.opts.Logger.Error("cloudformation: record event", "stack", st.name, "err", err)
	}
}

// stackType is the ResourceType of a stack's own events.
const stackType = "AWS::CloudFormation::Stack"

// setStatus records the stack's status (with its event).
func (s *Service) setStatus(ctx context.Context, st *stack, status, reason string, change func(m *stackMeta)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.setStatusLocked(ctx, st, status, reason, change)
}

func (s *Service) setStatusLocked(ctx context.Context, st *stack, status, reason string, change func(m *stackMeta)) {
	meta := st.stackMeta
	meta.Status, meta.Reason = status, reason
	if change != nil {
		change(&meta)
	}
	if err := s.commit(ctx, record{Stack: &meta}); err != nil {
		s.opts.Logger.Error("cloudformation: record stack status", "stack", st.name, "err", err)
		st.stackMeta = meta // the operation goes on in memory; a restart resumes from what was written
	}
	s.eventLocked(ctx, st, st.name, st.id, stackType, status, reason, nil)
}

// putResource records a resource's new state (r is a fresh value: records are never changed in place).
func (s *Service) putResource(ctx context.Context, st *stack, r *resource) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.commit(ctx, record{Resource: &resourceRecord{StackID: st.id, Resource: r}}); err != nil {
		s.opts.Logger.Error("cloudformation: record resource", "stack", st.name, "resource", r.LogicalID, "err", err)
		st.resources[r.LogicalID] = r
	}
}

func (s *Service) dropResource(ctx context.Context, st *stack, r *resource) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.commit(ctx, record{ResourceGone: &resourceRecord{StackID: st.id, Resource: &resource{LogicalID: r.LogicalID}}}); err != nil {
		s.opts.Logger.Error("cloudformation: record resource", "stack", st.name, "resource", r.LogicalID, "err", err)
		delete(st.resources, r.LogicalID)
	}
}

func (s *Service) nextSeq(st *stack) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	st.Seq++
	return st.Seq
}

// --- provisioning one resource ---

// provision runs a handler; types without one are recorded only, and unsupported ones fail.
func (s *Service) provision(ctx context.Context, op string, req *provisionRequest) error {
	if why, ok := unsupportedTypes[req.Type]; ok {
		if op == opRemove {
			return nil // never created
		}
		return errors.New(why)
	}
	h, ok := handlers()[req.Type]
	if !ok {
		if !strings.HasPrefix(req.Type, "AWS::") {
			if op == opRemove {
				return nil
			}
			return fmt.Errorf("resource type %s is not supported locally", req.Type)
		}
		return nil // recorded only
	}
	if s.clients == nil && req.Type != typeLambdaFunction {
		return errNoEndpoint
	}
	var fn func(context.Context, *Service, *provisionRequest) error
	switch op {
	case opAdd:
		fn = h.create
	case opModify:
		fn = h.update
	case opRemove:
		fn = h.remove
	}
	opCtx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	return fn(opCtx, s, req)
}

// createResource creates one resource of the bound template and records it; replacing names the
// resource it replaces (its new physical name then differs).
func (s *Service) createResource(ctx context.Context, st *stack, bound *template.Stack, id string, done template.Provisioned, prev *resource) error {
	rr, err := bound.ResolveResource(id, done)
	r := &resource{LogicalID: id, Updated: s.now(), Prev: prev}
	if rr != nil {
		r.Type, r.DeletionPolicy, r.UpdateReplacePolicy = rr.Type, rr.DeletionPolicy, rr.UpdateReplacePolicy
	} else {
		r.Type = bound.Template().Resources[id].Type
	}
	r.Op = opAdd
	inProgress, complete, failed := resCreateInProgress, resCreateComplete, resCreateFailed
	if prev != nil {
		r.Op = opReplace
		inProgress, complete, failed = resUpdateInProgress, resUpdateComplete, resUpdateFailed
	}
	if err != nil {
		r.Status, r.Reason = failed, errorMessage(err)
		s.putResource(ctx, st, r)
		s.recordEvent(ctx, st, id, "", r.Type, failed, r.Reason, nil)
		return err
	}
	r.Properties = rr.Properties
	if prev != nil {
		s.recordEvent(ctx, st, id, prev.PhysicalID, r.Type, resUpdateInProgress, "Requested update requires the creation of a new physical resource; hence creating one.", r.Properties)
	} else {
		s.recordEvent(ctx, st, id, "", r.Type, resCreateInProgress, "", r.Properties)
	}
	name, custom := physicalName(st.name, id, r.Type, r.Properties, prev != nil)
	if prev != nil && custom && name == prev.Name {
		err := fmt.Errorf("CloudFormation cannot update a stack when a custom-named resource requires replacing. Rename %s and update the stack again.", name)
		r = withStatus(prev, failed, err.Error())
		s.putResource(ctx, st, r)
		s.recordEvent(ctx, st, id, prev.PhysicalID, r.Type, failed, err.Error(), nil)
		return err
	}
	r.Name = name
	r.PhysicalID, r.Ref, r.Attributes = s.identity(r.Type, name, r.Properties)
	r.Seq = s.nextSeq(st)
	r.Status = inProgress
	s.putResource(ctx, st, r) // the physical id is known before the service is called: a restart cleans it up
	s.recordEvent(ctx, st, id, r.PhysicalID, r.Type, inProgress, "Resource creation Initiated", nil)
	req := &provisionRequest{StackName: st.name, StackID: st.id, LogicalID: id, Type: r.Type, Name: name, PhysicalID: r.PhysicalID, Properties: r.Properties}
	if err := s.provision(ctx, opAdd, req); err != nil {
		r = withStatus(r, failed, reason(err))
		s.putResource(ctx, st, r)
		s.recordEvent(ctx, st, id, r.PhysicalID, r.Type, failed, r.Reason, nil)
		return err
	}
	r = withStatus(r, complete, "")
	s.putResource(ctx, st, r)
	s.recordEvent(ctx, st, id, r.PhysicalID, r.Type, complete, "", nil)
	done[id] = template.Physical{Ref: r.Ref, Attributes: r.Attributes}
	return nil
}

// withStatus returns a copy of r with a new status.
func withStatus(r *resource, status, why string) *resource {
	c := *r
	c.Status, c.Reason = status, why
	return &c
}

// errorMessage is an error's text as an event shows it: a template error's AWS message as is.
func errorMessage(err error) string {
	var te *template.Error
	if errors.As(err, &te) {
		return te.Message
	}
	return err.Error()
}

// updateResource updates a resource in place to props, recording it.
func (s *Service) updateResource(ctx context.Context, st *stack, cur *resource, props map[string]any, deletion, replace string, op string) error {
	r := *cur
	if op == opModify && r.Prev == nil {
		r.Prev = cur
	}
	r.Op = op
	r.DeletionPolicy, r.UpdateReplacePolicy = deletion, replace
	r.Updated = s.now()
	r.Status, r.Reason = resUpdateInProgress, ""
	s.putResource(ctx, st, &r)
	s.recordEvent(ctx, st, r.LogicalID, r.PhysicalID, r.Type, resUpdateInProgress, "", props)
	req := &provisionRequest{StackName: st.name, StackID: st.id, LogicalID: r.LogicalID, Type: r.Type, Name: r.Name,
		PhysicalID: r.PhysicalID, Properties: props, OldProperties: cur.Properties}
	if err := s.provision(ctx, opModify, req); err != nil {
		failed := withStatus(&r, resUpdateFailed, reason(err))
		s.putResource(ctx, st, failed)
		s.recordEvent(ctx, st, r.LogicalID, r.PhysicalID, r.Type, resUpdateFailed, failed.Reason, nil)
		return err
	}
	r.Properties = props
	r.Status = resUpdateComplete
	s.putResource(ctx, st, &r)
	s.recordEvent(ctx, st, r.LogicalID, r.PhysicalID, r.Type, resUpdateComplete, "", nil)
	return nil
}

// deletePhysical deletes one physical resource (r as it was provisioned), honouring retain; it records
// events but not the resource.
func (s *Service) deletePhysical(ctx context.Context, st *stack, r *resource, retain bool) error {
	if r.PhysicalID == "" {
		return nil
	}
	if retain {
		s.recordEvent(ctx, st, r.LogicalID, r.PhysicalID, r.Type, resDeleteSkipped, "", nil)
		return nil
	}
	s.recordEvent(ctx, st, r.LogicalID, r.PhysicalID, r.Type, resDeleteInProgress, "", nil)
	req := &provisionRequest{StackName: st.name, StackID: st.id, LogicalID: r.LogicalID, Type: r.Type, Name: r.Name,
		PhysicalID: r.PhysicalID, Properties: r.Properties}
	if err := s.provision(ctx, opRemove, req); err != nil {
		s.recordEvent(ctx, st, r.LogicalID, r.PhysicalID, r.Type, resDeleteFailed, reason(err), nil)
		return err
	}
	s.recordEvent(ctx, st, r.LogicalID, r.PhysicalID, r.Type, resDeleteComplete, "", nil)
	return nil
}

// resourcesBySeq returns the stack's resources, the most recently created first.
func (s *Service) resourcesBySeq(st *stack) []*resource {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]*resource, 0, len(st.resources))
	for _, r := range st.resources {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Seq != out[j].Seq {
			return out[i].Seq > out[j].Seq
		}
		return out[i].LogicalID > out[j].LogicalID
	})
	return out
}

// --- CREATE ---

// runCreate creates every resource in dependency order, then the outputs; on a failure it rolls
// back (deletes what it created) unless the stack disables rollback.
func (s *Service) runCreate(ctx context.Context, st *stack, bound *template.Stack) {
	done := template.Provisioned{}
	failedID, err := s.createAll(ctx, st, bound, done)
	if err == nil {
		var outs []template.OutputValue
		if outs, err = bound.Outputs(done); err == nil {
			s.finish(ctx, st, StatusCreateComplete, "", func(m *stackMeta) { m.Outputs = outputsOf(outs) })
			return
		}
		s.recordEvent(ctx, st, st.name, st.id, stackType, StatusCreateFailed, errorMessage(err), nil)
	}
	if ctx.Err() != nil {
		return // stopping: the next start rolls it back
	}
	why := "The following resource(s) failed to create: [" + failedID + "]. "
	if failedID == "" {
		why = errorMessage(err)
	}
	s.mu.Lock()
	disable := st.DisableRollback
	s.mu.Unlock()
	if disable {
		s.finish(ctx, st, StatusCreateFailed, why, nil)
		return
	}
	s.setStatus(ctx, st, StatusRollbackInProgress, why+"Rollback requested by user.", nil)
	s.rollbackCreate(ctx, st)
}

// createAll creates the resources in order; it returns the logical id that failed.
func (s *Service) createAll(ctx context.Context, st *stack, bound *template.Stack, done template.Provisioned) (string, error) {
	order, err := bound.Order()
	if err != nil {
		return "", err
	}
	for _, id := range order {
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		if err := s.createResource(ctx, st, bound, id, done, nil); err != nil {
			return id, err
		}
	}
	return "", nil
}

// rollbackCreate deletes every resource the stack has, newest first, and ends ROLLBACK_COMPLETE (or
// ROLLBACK_FAILED when one cannot be deleted).
func (s *Service) rollbackCreate(ctx context.Context, st *stack) {
	var failed []string
	for _, r := range s.resourcesBySeq(st) {
		if ctx.Err() != nil {
			return
		}
		if r.PhysicalID == "" { // never made: nothing to delete
			s.recordEvent(ctx, st, r.LogicalID, "", r.Type, resDeleteComplete, "", nil)
			s.putResource(ctx, st, withStatus(r, resDeleteComplete, ""))
			continue
		}
		if err := s.deletePhysical(ctx, st, r, r.DeletionPolicy == "Retain"); err != nil {
			failed = append(failed, r.LogicalID)
			s.putResource(ctx, st, withStatus(r, resDeleteFailed, reason(err)))
			continue
		}
		status := resDeleteComplete
		if r.DeletionPolicy == "Retain" {
			status = resDeleteSkipped
		}
		s.putResource(ctx, st, withStatus(r, status, ""))
	}
	if len(failed) > 0 {
		s.finish(ctx, st, StatusRollbackFailed, "The following resource(s) failed to delete: ["+strings.Join(failed, ", ")+"]. ", nil)
		return
	}
	s.finish(ctx, st, StatusRollbackComplete, "", nil)
}

// finish records the final status of an operation.
func (s *Service) finish(ctx context.Context, st *stack, status, why string, change func(m *stackMeta)) {
	s.setStatus(ctx, st, status, why, func(m *stackMeta) {
		m.Op = ""
		if change != nil {
			change(m) // before the previous state is dropped: a rollback's change restores it
		}
		m.PrevTemplate, m.PrevParameters, m.PrevOutputs, m.PrevDescription, m.PrevCapabilities = "", nil, nil, "", nil
	})
}

func outputsOf(outs []template.OutputValue) []output {
	var out []output
	for _, o := range outs {
		out = append(out, output{Key: o.Key, Value: o.Value, Description: o.Description, ExportName: o.ExportName})
	}
	return out
}

// --- UPDATE ---

// runUpdate applies a new template and parameters: new resources are created, changed ones updated in
// place or replaced (where a changed property requires it, with the values resolved as it runs), in
// dependency order; then, in cleanup, removed and
// replaced resources are deleted. A failure rolls the stack back to what it was.
func (s *Service) runUpdate(ctx context.Context, st *stack, bound *template.Stack) {
	failedID, err := s.updateAll(ctx, st, bound)
	if err == nil {
		s.mu.Lock()
		done := lookupOf(st)
		s.mu.Unlock()
		var outs []template.OutputValue
		if outs, err = bound.Outputs(done); err == nil {
			s.setStatus(ctx, st, StatusUpdateCompleteCleanupInProgress, "", func(m *stackMeta) { m.Outputs = outputsOf(outs) })
			s.cleanupUpdate(ctx, st)
			if ctx.Err() == nil {
				s.finish(ctx, st, StatusUpdateComplete, "", nil)
			}
			return
		}
	}
	if ctx.Err() != nil {
		return
	}
	why := "The following resource(s) failed to update: [" + failedID + "]. "
	if failedID == "" {
		why = errorMessage(err)
	}
	s.setStatus(ctx, st, StatusUpdateRollbackInProgress, why, nil)
	s.rollbackUpdate(ctx, st)
}

func (s *Service) updateAll(ctx context.Context, st *stack, bound *template.Stack) (string, error) {
	order, err := bound.Order()
	if err != nil {
		return "", err
	}
	// Resources the new template no longer has are deleted in cleanup.
	want := map[string]bool{}
	for _, id := range order {
		want[id] = true
	}
	for _, r := range s.resourcesBySeq(st) {
		if !want[r.LogicalID] {
			c := *r
			c.Op = opRemove
			s.putResource(ctx, st, &c)
		}
	}
	for _, id := range order {
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		s.mu.Lock()
		done := lookupOf(st)
		cur := st.resources[id]
		s.mu.Unlock()
		if cur == nil || !live(cur.Status) {
			if err := s.createResource(ctx, st, bound, id, done, nil); err != nil {
				return id, err
			}
			continue
		}
		rr, err := bound.ResolveResource(id, done)
		if err != nil {
			s.recordEvent(ctx, st, id, cur.PhysicalID, cur.Type, resUpdateFailed, errorMessage(err), nil)
			return id, err
		}
		if rr.Type != cur.Type {
			err := fmt.Errorf("Update of resource type is not permitted. The new template modifies resource type of the following resources: [%s]", id)
			s.recordEvent(ctx, st, id, cur.PhysicalID, cur.Type, resUpdateFailed, err.Error(), nil)
			return id, err
		}
		if reflect.DeepEqual(normalize(rr.Properties), normalize(cur.Properties)) && rr.DeletionPolicy == cur.DeletionPolicy && rr.UpdateReplacePolicy == cur.UpdateReplacePolicy {
			continue
		}
		if replaces(cur.Type, cur.Properties, rr.Properties) {
			if err := s.createResource(ctx, st, bound, id, done, cur); err != nil {
				return id, err
			}
			continue
		}
		if reflect.DeepEqual(normalize(rr.Properties), normalize(cur.Properties)) {
			// Only a policy changed: recorded without calling the service (the old one kept to roll back).
			c := *cur
			c.DeletionPolicy, c.UpdateReplacePolicy = rr.DeletionPolicy, rr.UpdateReplacePolicy
			c.Op, c.Prev = opModify, cur
			s.putResource(ctx, st, &c)
			continue
		}
		if err := s.updateResource(ctx, st, cur, rr.Properties, rr.DeletionPolicy, rr.UpdateReplacePolicy, opModify); err != nil {
			return id, err
		}
	}
	return "", nil
}

// normalize makes resolved properties comparable: through JSON, as they are stored.
func normalize(v map[string]any) any {
	b, err := json.Marshal(v)
	if err != nil {
		return v
	}
	var out any
	_ = json.Unmarshal(b, &out)
	return out
}

// cleanupUpdate deletes what a successful update left behind: resources the template removed and the
// physical resources that replacements replaced; then clears the update's marks.
func (s *Service) cleanupUpdate(ctx context.Context, st *stack) {
	for _, r := range s.resourcesBySeq(st) {
		if ctx.Err() != nil {
			return
		}
		switch {
		case r.Op == opRemove:
			_ = s.deletePhysical(ctx, st, r, retainedOnDelete(r.DeletionPolicy))
			s.dropResource(ctx, st, r)
		case r.Op == opReplace && r.Prev != nil:
			_ = s.deletePhysical(ctx, st, r.Prev, r.Prev.UpdateReplacePolicy == "Retain")
			fallthrough
		case r.Op != "" || r.Prev != nil:
			c := *r
			c.Op, c.Prev = "", nil
			s.putResource(ctx, st, &c)
		}
	}
}

// rollbackUpdate puts the stack back as it was: resources updated in place get their old properties
// back; in cleanup, resources the update created (new ones and replacements) are deleted.
func (s *Service) rollbackUpdate(ctx context.Context, st *stack) {
	var failed []string
	for _, r := range s.resourcesBySeq(st) {
		if ctx.Err() != nil {
			return
		}
		if r.Op == opModify && r.Prev != nil {
			prev := r.Prev
			if err := s.updateResource(ctx, st, r, prev.Properties, prev.DeletionPolicy, prev.UpdateReplacePolicy, opModify); err != nil {
				failed = append(failed, r.LogicalID)
				continue
			}
			c := *prev
			c.Status, c.Reason, c.Updated, c.Op = resUpdateComplete, "", s.now(), ""
			s.putResource(ctx, st, &c)
		}
	}
	if len(failed) > 0 {
		s.finish(ctx, st, StatusUpdateRollbackFailed, "The following resource(s) failed to update: ["+strings.Join(failed, ", ")+"]. ", s.restorePrev(st))
		return
	}
	s.setStatus(ctx, st, StatusUpdateRollbackCompleteCleanupInProgress, "", nil)
	for _, r := range s.resourcesBySeq(st) {
		if ctx.Err() != nil {
			return
		}
		switch r.Op {
		case opAdd:
			_ = s.deletePhysical(ctx, st, r, r.DeletionPolicy == "Retain")
			s.dropResource(ctx, st, r)
		case opReplace:
			if r.Prev != nil {
				_ = s.deletePhysical(ctx, st, r, false)
				c := *r.Prev
				c.Op, c.Prev = "", nil
				s.putResource(ctx, st, &c)
			}
		case opRemove, opModify:
			c := *r
			c.Op, c.Prev = "", nil
			s.putResource(ctx, st, &c)
		default:
			if r.Status == resUpdateFailed { // a replacement refused before it began (a custom name)
				s.putResource(ctx, st, withStatus(r, resUpdateComplete, ""))
			}
		}
	}
	s.finish(ctx, st, StatusUpdateRollbackComplete, "", s.restorePrev(st))
}

// restorePrev puts the stack's template back (durably) and returns the change that puts its
// parameters, outputs, description and capabilities back.
func (s *Service) restorePrev(st *stack) func(m *stackMeta) {
	s.mu.Lock()
	if st.PrevTemplate != "" {
		if err := s.commit(context.WithoutCancel(s.ctx), record{Template: &templateRecord{StackID: st.id, Body: st.PrevTemplate}}); err != nil {
			s.opts.Logger.Error("cloudformation: record template", "stack", st.name, "err", err)
			st.template = st.PrevTemplate
		}
	}
	s.mu.Unlock()
	return func(m *stackMeta) {
		m.Parameters, m.Outputs, m.Description, m.Capabilities = m.PrevParameters, m.PrevOutputs, m.PrevDescription, m.PrevCapabilities
	}
}

// --- DELETE ---

// runDelete deletes every resource, newest first, honouring DeletionPolicy Retain.
func (s *Service) runDelete(ctx context.Context, st *stack) {
	var failed []string
	for _, r := range s.resourcesBySeq(st) {
		if ctx.Err() != nil {
			return
		}
		if r.Status == resDeleteComplete || r.Status == resDeleteSkipped {
			continue
		}
		retain := retainedOnDelete(r.DeletionPolicy)
		if err := s.deletePhysical(ctx, st, r, retain); err != nil {
			failed = append(failed, r.LogicalID)
			s.putResource(ctx, st, withStatus(r, resDeleteFailed, reason(err)))
			continue
		}
		status := resDeleteComplete
		if retain {
			status = resDeleteSkipped
		}
		s.putResource(ctx, st, withStatus(r, status, ""))
	}
	if len(failed) > 0 {
		s.finish(ctx, st, StatusDeleteFailed, "The following resource(s) failed to delete: ["+strings.Join(failed, ", ")+"]. ", nil)
		return
	}
	s.finish(ctx, st, StatusDeleteComplete, "", func(m *stackMeta) { m.Deleted = s.now() })
	s.forgetOldStacks(ctx)
}

// forgetOldStacks drops the oldest deleted stacks beyond maxDeletedStacks.
func (s *Service) forgetOldStacks(ctx context.Context) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var deleted []*stack
	for _, st := range s.stacks {
		if st.Status == StatusDeleteComplete && !st.busy {
			deleted = append(deleted, st)
		}
	}
	if len(deleted) <= maxDeletedStacks {
		return
	}
	sort.Slice(deleted, func(i, j int) bool { return deleted[i].Deleted.Before(deleted[j].Deleted) })
	for _, st := range deleted[:len(deleted)-maxDeletedStacks] {
		if err := s.commit(ctx, record{Forget: st.id}); err != nil {
			return
		}
	}
}

// retainedOnDelete reports whether a stack deletion (or an update removing the resource) keeps a
// resource with this DeletionPolicy. RetainExceptOnCreate keeps it then, but not when the operation
// that created it rolls back, where only Retain keeps it
// (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-attribute-deletionpolicy.html).
func retainedOnDelete(policy string) bool {
	return policy == "Retain" || policy == "RetainExceptOnCreate"
}
