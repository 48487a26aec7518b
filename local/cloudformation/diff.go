package cloudformation

import (
	"encoding/json"
	"reflect"
	"sort"

	"github.com/sluicehq/sluice/local/cloudformation/template"
)

// replacingProperties are, per type, the properties whose change replaces the resource ("Update
// requires: Replacement" in each type's reference); any other property updates in place.
var replacingProperties = map[string][]string{
	typeBucket:                   {"BucketName", "ObjectLockEnabled"},
	typeLogGroup:                 {"LogGroupName", "LogGroupClass"},
	typeStateMachine:             {"StateMachineName", "StateMachineType"},
	typeRule:                     {"Name", "EventBusName"},
	typeLambdaFunction:           {"FunctionName", "PackageType"},
	"AWS::IAM::Role":             {"RoleName", "Path"},
	"AWS::SQS::Queue":            {"QueueName", "FifoQueue"},
	"AWS::SNS::Topic":            {"TopicName", "FifoTopic"},
	"AWS::CloudWatch::Alarm":     {"AlarmName"},
	"AWS::CloudWatch::Dashboard": {"DashboardName"},
	"AWS::KMS::Key":              {"KeySpec", "MultiRegion"},
	"AWS::S3::BucketPolicy":      {"Bucket"},
}

// diff computes a change set's resource changes: what the prepared template adds, modifies (and
// whether that replaces the resource) and removes, against the stack as deployed.
func (s *Service) diff(st *stack, p *prepared) ([]change, error) {
	s.mu.Lock()
	done := lookupOf(st)
	cur := map[string]*resource{}
	for id, r := range st.resources {
		if live(r.Status) && r.Op != opRemove {
			cur[id] = r
		}
	}
	s.mu.Unlock()
	var out []change
	ids := p.bound.Resources()
	want := map[string]bool{}
	for _, id := range ids {
		want[id] = true
		typ := p.tmpl.Resources[id].Type
		r := cur[id]
		if r == nil {
			out = append(out, change{Action: "Add", LogicalID: id, Type: typ})
			continue
		}
		c := change{Action: "Modify", LogicalID: id, PhysicalID: r.PhysicalID, Type: typ, Replacement: "False"}
		if typ != r.Type {
			c.Replacement = "True"
			out = append(out, c)
			continue
		}
		rr, err := p.bound.ResolveResource(id, done)
		if template.IsNotProvisioned(err) {
			// Depends on a resource this change set creates: known only when it runs.
			c.Replacement = "Conditional"
			c.Scope = []string{"Properties"}
			c.Details = append(c.Details, changeDetail{Attribute: "Properties", Evaluation: "Dynamic", ChangeSource: "ResourceReference", RequiresRecreation: "Conditionally"})
			out = append(out, c)
			continue
		}
		if err != nil {
			return nil, templateError(err)
		}
		names := changedProperties(r.Properties, rr.Properties)
		if len(names) == 0 {
			if rr.DeletionPolicy != r.DeletionPolicy || rr.UpdateReplacePolicy != r.UpdateReplacePolicy {
				c.Scope = []string{"DeletionPolicy"}
				out = append(out, c)
			}
			continue
		}
		c.Scope = []string{"Properties"}
		for _, n := range names {
			d := changeDetail{Attribute: "Properties", Name: n, RequiresRecreation: "Never", Evaluation: "Static", ChangeSource: "DirectModification"}
			for _, rp := range replacingProperties[typ] {
				if rp == n {
					d.RequiresRecreation = "Always"
					c.Replacement = "True"
				}
			}
			c.Details = append(c.Details, d)
		}
		out = append(out, c)
	}
	for _, id := range sortedKeys(cur) {
		if !want[id] {
			out = append(out, change{Action: "Remove", LogicalID: id, PhysicalID: cur[id].PhysicalID, Type: cur[id].Type})
		}
	}
	return out, nil
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
