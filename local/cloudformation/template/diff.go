package template

import (
	"encoding/json"
	"errors"
	"reflect"
	"sort"
	"strings"
)

// Change set vocabulary (https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_ResourceChange.html,
// API_ResourceChangeDetail.html, API_ResourceTargetDefinition.html).
const (
	ActionAdd    = "Add"
	ActionModify = "Modify"
	ActionRemove = "Remove"

	ReplacementTrue        = "True"
	ReplacementFalse       = "False"
	ReplacementConditional = "Conditional"

	EvaluationStatic  = "Static"
	EvaluationDynamic = "Dynamic"

	SourceResourceReference  = "ResourceReference"
	SourceParameterReference = "ParameterReference"
	SourceResourceAttribute  = "ResourceAttribute"
	SourceDirectModification = "DirectModification"

	AttributeProperties = "Properties"
	AttributeMetadata   = "Metadata"
	AttributeTags       = "Tags"

	// KnownAfterApply is the AfterValue of a property whose value is known only once the change set
	// runs (a Dynamic evaluation).
	KnownAfterApply = "{{changeSet:KNOWN_AFTER_APPLY}}"
)

// ResourceChange is one entry of DescribeChangeSet's Changes (Type "Resource").
type ResourceChange struct {
	Action             string
	LogicalResourceID  string
	PhysicalResourceID string // Modify and Remove: what the Lookup's Ref gave
	ResourceType       string
	Replacement        string   // Modify only: True, False or Conditional
	Scope              []string // Modify only: Properties, Metadata, Tags
	Details            []ResourceChangeDetail
	// PolicyAction is what happens to the old resource: Delete or Retain for a Remove (its
	// DeletionPolicy), ReplaceAndDelete or ReplaceAndRetain for a replacement (its UpdateReplacePolicy).
	PolicyAction string
}

// ResourceChangeDetail is one changed attribute of a modified resource.
type ResourceChangeDetail struct {
	Target        ResourceTargetDefinition
	Evaluation    string // Static or Dynamic
	ChangeSource  string // ResourceReference, ParameterReference, ResourceAttribute, DirectModification
	CausingEntity string // the parameter, resource or Resource.Attribute; "" for DirectModification
}

// ResourceTargetDefinition is the attribute a detail changes.
type ResourceTargetDefinition struct {
	Attribute           string // Properties, Metadata or Tags
	Name                string // the property, for Attribute Properties
	RequiresRecreation  string // Never, Conditionally or Always
	Path                string // e.g. /Properties/Definition
	BeforeValue         string // JSON text of the deployed value ("" when added)
	AfterValue          string // JSON text of the new value, KnownAfterApply, or "" when removed
	AttributeChangeType string // Add, Remove or Modify
}

// Diff computes the resource changes of updating the deployed stack old to s, as DescribeChangeSet
// shows them. old is the stack as deployed (its template and parameter values bound again; nil for a
// stack not yet created, where every resource is an Add); lookup knows the deployed resources.
//
// A property whose value is known now is compared with its deployed value (Static). A property
// that refers to a resource that is added, may be replaced (Ref) or is modified (Fn::GetAtt) can only
// be known when the change set runs (Dynamic, AfterValue KnownAfterApply). Replacement follows
// ResourceChange's definition: Always with Static is True, Always with Dynamic or Conditionally is
// Conditional, otherwise False.
func (s *Stack) Diff(old *Stack, lookup Lookup) ([]ResourceChange, error) {
	order, err := s.Order()
	if err != nil {
		return nil, err
	}
	var oldIDs []string
	if old != nil {
		oldIDs = old.Resources()
		var retyped []string
		for _, id := range oldIDs {
			if s.Active(id) && s.t.Resources[id].Type != old.t.Resources[id].Type {
				retyped = append(retyped, id)
			}
		}
		if len(retyped) > 0 {
			return nil, errorf("Update of resource type is not permitted. The new template modifies resource type of the following resources: [%s]", strings.Join(retyped, ", "))
		}
	}
	d := &differ{new: s, old: old, lookup: lookup, status: map[string]string{}}
	var changes []ResourceChange
	for _, id := range order {
		if old == nil || !old.Active(id) {
			d.status[id] = ActionAdd
			changes = append(changes, ResourceChange{Action: ActionAdd, LogicalResourceID: id, ResourceType: s.t.Resources[id].Type})
			continue
		}
		c, err := d.modify(id)
		if err != nil {
			return nil, err
		}
		if c != nil {
			d.status[id] = ActionModify
			if c.Replacement != ReplacementFalse {
				d.status[id] = c.Replacement
			}
			changes = append(changes, *c)
		}
	}
	for _, id := range oldIDs {
		if s.Active(id) {
			continue
		}
		r := old.t.Resources[id]
		c := ResourceChange{Action: ActionRemove, LogicalResourceID: id, ResourceType: r.Type, PolicyAction: "Delete"}
		if r.DeletionPolicy == "Retain" || r.DeletionPolicy == "RetainExceptOnCreate" {
			c.PolicyAction = "Retain"
		}
		if lookup != nil {
			c.PhysicalResourceID, _ = lookup.Ref(id)
		}
		changes = append(changes, c)
	}
	sort.SliceStable(changes, func(i, j int) bool { return changes[i].LogicalResourceID < changes[j].LogicalResourceID })
	return changes, nil
}

type differ struct {
	new, old *Stack
	lookup   Lookup
	// status of each resource decided so far: Add, Modify (in place), True or Conditional (replaced).
	status map[string]string
}

// pending reports whether a reference to id cannot be resolved before the change set runs: a Ref to a
// resource added or maybe replaced, an Fn::GetAtt of one added or changed at all.
func (d *differ) pending(ref reference) bool {
	st, ok := d.status[ref.name]
	if !ok {
		return false
	}
	if ref.fn == "Ref" || (ref.fn == "Fn::Sub" && ref.attr == "") {
		return st != ActionModify
	}
	return true
}

// changeLookup is the Lookup a new value resolves with: what the pending references need is not
// known yet.
type changeLookup struct{ d *differ }

func (l changeLookup) Ref(id string) (string, bool) {
	if l.d.pending(reference{name: id, fn: "Ref"}) || l.d.lookup == nil {
		return "", false
	}
	return l.d.lookup.Ref(id)
}

func (l changeLookup) GetAtt(id, attr string) (any, bool) {
	if l.d.pending(reference{name: id, attr: attr, fn: "Fn::GetAtt"}) || l.d.lookup == nil {
		return nil, false
	}
	return l.d.lookup.GetAtt(id, attr)
}

func (d *differ) modify(id string) (*ResourceChange, error) {
	nr, or := d.new.t.Resources[id], d.old.t.Resources[id]
	c := &ResourceChange{Action: ActionModify, LogicalResourceID: id, ResourceType: nr.Type}
	if d.lookup != nil {
		c.PhysicalResourceID, _ = d.lookup.Ref(id)
	}
	names := map[string]bool{}
	for k := range nr.Properties {
		names[k] = true
	}
	for k := range or.Properties {
		names[k] = true
	}
	for _, name := range sortedKeys(names) {
		attr := AttributeProperties
		if name == "Tags" {
			attr = AttributeTags
		}
		details, err := d.compare(id, attr, name, or.Properties[name], nr.Properties[name], RequiresRecreation(nr.Type, name))
		if err != nil {
			return nil, err
		}
		c.Details = append(c.Details, details...)
	}
	details, err := d.compare(id, AttributeMetadata, "", or.Metadata, nr.Metadata, RecreateNever)
	if err != nil {
		return nil, err
	}
	c.Details = append(c.Details, details...)
	if len(c.Details) == 0 {
		return nil, nil
	}
	c.Replacement = ReplacementFalse
	scope := map[string]bool{}
	for _, det := range c.Details {
		scope[det.Target.Attribute] = true
		switch r := det.Target.RequiresRecreation; {
		case r == RecreateAlways && det.Evaluation == EvaluationStatic:
			c.Replacement = ReplacementTrue
		case (r == RecreateAlways || r == RecreateConditionally) && c.Replacement != ReplacementTrue:
			c.Replacement = ReplacementConditional
		}
	}
	c.Scope = sortedKeys(scope)
	if c.Replacement != ReplacementFalse {
		c.PolicyAction = "ReplaceAndDelete"
		if nr.UpdateReplacePolicy == "Retain" {
			c.PolicyAction = "ReplaceAndRetain"
		}
	}
	return c, nil
}

// compare returns the details of one attribute (a property, the Tags or the Metadata): none when
// its value is unchanged.
func (d *differ) compare(id, attr, name string, oldRaw, newRaw any, recreate string) ([]ResourceChangeDetail, error) {
	target := ResourceTargetDefinition{Attribute: attr, RequiresRecreation: recreate, Path: "/" + attr}
	if attr == AttributeProperties {
		target.Name = name
		target.Path = "/Properties/" + name
	}
	oldVal, err := d.resolve(d.old, oldRaw, d.lookup)
	if err != nil {
		return nil, err
	}
	// What in the new value cannot be known before the change set runs.
	var dynamic []reference
	seen := map[string]bool{}
	references(newRaw, d.new.pick, func(ref reference) {
		if _, isRes := d.new.t.Resources[ref.name]; !isRes || !d.pending(ref) {
			return
		}
		key := ref.name
		if ref.attr != "" {
			key += "." + ref.attr
		}
		if !seen[key] {
			seen[key] = true
			dynamic = append(dynamic, ref)
		}
	})
	target.BeforeValue = jsonText(oldVal)
	switch {
	case oldRaw == nil:
		target.AttributeChangeType = ActionAdd
	case newRaw == nil:
		target.AttributeChangeType = ActionRemove
	default:
		target.AttributeChangeType = ActionModify
	}
	if len(dynamic) > 0 {
		target.AfterValue = KnownAfterApply
		var out []ResourceChangeDetail
		for _, ref := range dynamic {
			det := ResourceChangeDetail{Target: target, Evaluation: EvaluationDynamic, ChangeSource: SourceResourceReference, CausingEntity: ref.name}
			if ref.attr != "" {
				det.ChangeSource = SourceResourceAttribute
				det.CausingEntity = ref.name + "." + ref.attr
			}
			out = append(out, det)
		}
		return out, nil
	}
	newVal, err := d.resolve(d.new, newRaw, changeLookup{d})
	if err != nil {
		return nil, err
	}
	if sameValue(oldVal, newVal) {
		return nil, nil
	}
	target.AfterValue = jsonText(newVal)
	var out []ResourceChangeDetail
	if !reflect.DeepEqual(oldRaw, newRaw) {
		out = append(out, ResourceChangeDetail{Target: target, Evaluation: EvaluationStatic, ChangeSource: SourceDirectModification})
	}
	for _, p := range d.changedParameters(newRaw) {
		out = append(out, ResourceChangeDetail{Target: target, Evaluation: EvaluationStatic, ChangeSource: SourceParameterReference, CausingEntity: p})
	}
	if len(out) == 0 {
		// The text is the same and no parameter changed, yet the value did (a pseudo parameter, an
		// import, a mapping): the change is the template's own.
		out = append(out, ResourceChangeDetail{Target: target, Evaluation: EvaluationStatic, ChangeSource: SourceDirectModification})
	}
	return out, nil
}

// changedParameters lists the parameters v refers to whose value differs between the stacks.
func (d *differ) changedParameters(v any) []string {
	changed := map[string]bool{}
	references(v, d.new.pick, func(ref reference) {
		if _, ok := d.new.t.Parameters[ref.name]; !ok {
			return
		}
		oldV, ok := d.old.values[ref.name]
		if !ok || oldV != d.new.values[ref.name] {
			changed[ref.name] = true
		}
	})
	return sortedKeys(changed)
}

func (d *differ) resolve(s *Stack, raw any, lookup Lookup) (any, error) {
	if raw == nil {
		return nil, nil
	}
	v, err := s.Resolve(raw, lookup)
	if err != nil && errors.Is(err, ErrNotProvisioned) && s == d.old {
		// The deployed value referred to something the lookup no longer knows; compare by text.
		return raw, nil
	}
	return v, err
}

// sameValue compares resolved values, numbers and their text alike (CloudFormation passes "5" and
// 5 the same way to a resource).
func sameValue(a, b any) bool {
	if reflect.DeepEqual(a, b) {
		return true
	}
	as, aok := stringValue(a)
	bs, bok := stringValue(b)
	if aok && bok {
		return as == bs
	}
	switch a := a.(type) {
	case []any:
		bl, ok := b.([]any)
		if !ok || len(a) != len(bl) {
			return false
		}
		for i := range a {
			if !sameValue(a[i], bl[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		bm, ok := b.(map[string]any)
		if !ok || len(a) != len(bm) {
			return false
		}
		for k, x := range a {
			y, ok := bm[k]
			if !ok || !sameValue(x, y) {
				return false
			}
		}
		return true
	}
	return false
}

func jsonText(v any) string {
	if v == nil {
		return ""
	}
	b, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(b)
}
