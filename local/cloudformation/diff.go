package cloudformation

import (
	"encoding/json"
	"reflect"
	"sort"

	"github.com/sluicehq/sluice/local/cloudformation/template"
)

// diff computes a change set's resource changes (template.Stack.Diff): what the prepared template
// adds, modifies (and whether that replaces the resource) and removes, against the stack as deployed,
// its template and parameters bound again. A stack not created yet (REVIEW_IN_PROGRESS) gets every
// resource as an Add.
func (s *Service) diff(st *stack, p *prepared) ([]change, error) {
	s.mu.Lock()
	body, params, deployed := st.template, st.Parameters, st.Status != StatusReviewInProgress
	done := lookupOf(st)
	s.mu.Unlock()
	var old *template.Stack
	if deployed {
		var err error
		if old, err = s.rebind(st, body, params); err != nil {
			return nil, templateError(err)
		}
	}
	rcs, err := p.bound.Diff(old, done)
	if err != nil {
		return nil, templateError(err)
	}
	out := make([]change, 0, len(rcs))
	for _, rc := range rcs {
		c := change{Action: rc.Action, LogicalID: rc.LogicalResourceID, PhysicalID: rc.PhysicalResourceID, Type: rc.ResourceType,
			Replacement: rc.Replacement, Scope: rc.Scope, PolicyAction: rc.PolicyAction}
		for _, d := range rc.Details {
			c.Details = append(c.Details, changeDetail{Attribute: d.Target.Attribute, Name: d.Target.Name, RequiresRecreation: d.Target.RequiresRecreation,
				Path: d.Target.Path, BeforeValue: d.Target.BeforeValue, AfterValue: d.Target.AfterValue, AttributeChangeType: d.Target.AttributeChangeType,
				Evaluation: d.Evaluation, ChangeSource: d.ChangeSource, CausingEntity: d.CausingEntity})
		}
		out = append(out, c)
	}
	return out, nil
}

// replaces reports whether changing a resource from old to new properties replaces it: a changed
// property whose update requires recreation (template.RequiresRecreation), decided with the values
// resolved when the change runs, so a Conditional replacement of the change set is settled here.
func replaces(typ string, old, new map[string]any) bool {
	for _, name := range changedProperties(old, new) {
		if r := template.RequiresRecreation(typ, name); r == template.RecreateAlways || r == template.RecreateConditionally {
			return true
		}
	}
	return false
}

// changedProperties names the top-level properties that differ.
func changedProperties(old, new map[string]any) []string {
	keys := map[string]bool{}
	for k := range old {
		keys[k] = true
	}
	for k := range new {
		keys[k] = true
	}
	var out []string
	for k := range keys {
		if !equalJSON(old[k], new[k]) {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// equalJSON compares two values as JSON documents.
func equalJSON(a, b any) bool {
	ja, err1 := json.Marshal(a)
	jb, err2 := json.Marshal(b)
	if err1 != nil || err2 != nil {
		return reflect.DeepEqual(a, b)
	}
	var va, vb any
	_ = json.Unmarshal(ja, &va)
	_ = json.Unmarshal(jb, &vb)
	return reflect.DeepEqual(va, vb)
}
