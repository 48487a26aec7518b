package cloudformation

import (
	"net/http"
	"slices"
	"sort"
)

// maskedValue is what DescribeStacks answers for a NoEcho parameter
// (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/parameters-section-structure.html).
const maskedValue = "****"

func (s *Service) xmlStack(st *stack) xmlStack {
	x := xmlStack{
		StackID: st.id, StackName: st.name, ChangeSetID: st.ChangeSetID, Description: st.Description,
		CreationTime: timestamp(st.Created), DeletionTime: timestamp(st.Deleted), LastUpdatedTime: timestamp(st.Updated),
		StackStatus: st.Status, StackStatusReason: st.Reason, DisableRollback: st.DisableRollback,
		Capabilities: list(st.Capabilities),
	}
	x.DriftInformation.StackDriftStatus = "NOT_CHECKED"
	for _, p := range st.Parameters {
		v := p.Value
		if p.NoEcho {
			v = maskedValue
		}
		x.Parameters.Member = append(x.Parameters.Member, xmlParameter{ParameterKey: p.Key, ParameterValue: v})
	}
	for _, o := range st.Outputs {
		x.Outputs.Member = append(x.Outputs.Member, xmlOutput{OutputKey: o.Key, OutputValue: o.Value, Description: o.Description, ExportName: o.ExportName})
	}
	for _, t := range st.Tags {
		x.Tags.Member = append(x.Tags.Member, xmlTag(t))
	}
	return x
}

// DescribeStacks: one stack by name or id, or every stack that is not deleted.
// https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeStacks.html
func (s *Service) describeStacks(_ *http.Request, q *request) (any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out struct {
		Stacks members[xmlStack] `xml:"Stacks"`
	}
	if name := q.str("StackName"); name != "" {
		st := s.findStack(name)
		if st == nil {
			return nil, errStackNotFound(name)
		}
		out.Stacks.Member = append(out.Stacks.Member, s.xmlStack(st))
		return out, nil
	}
	stacks := s.stacksInOrder()
	for i := len(stacks) - 1; i >= 0; i-- { // newest first, as AWS lists them
		if stacks[i].Status != StatusDeleteComplete {
			out.Stacks.Member = append(out.Stacks.Member, s.xmlStack(stacks[i]))
		}
	}
	return out, nil
}

// ListStacks: summaries of every stack, deleted ones included, filtered by status.
// https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_ListStacks.html
func (s *Service) listStacks(_ *http.Request, q *request) (any, error) {
	filter := q.list("StackStatusFilter")
	s.mu.Lock()
	defer s.mu.Unlock()
	type summary struct {
		StackID             string `xml:"StackId"`
		StackName           string `xml:"StackName"`
		TemplateDescription string `xml:"TemplateDescription,omitempty"`
		CreationTime        string `xml:"CreationTime"`
		LastUpdatedTime     string `xml:"LastUpdatedTime,omitempty"`
		DeletionTime        string `xml:"DeletionTime,omitempty"`
		StackStatus         string `xml:"StackStatus"`
		StackStatusReason   string `xml:"StackStatusReason,omitempty"`
		DriftInformation    struct {
			StackDriftStatus string `xml:"StackDriftStatus"`
		} `xml:"DriftInformation"`
	}
	var out struct {
		StackSummaries members[summary] `xml:"StackSummaries"`
	}
	stacks := s.stacksInOrder()
	for i := len(stacks) - 1; i >= 0; i-- {
		st := stacks[i]
		if len(filter) > 0 && !slices.Contains(filter, st.Status) {
			continue
		}
		sum := summary{StackID: st.id, StackName: st.name, TemplateDescription: st.Description, CreationTime: timestamp(st.Created),
			LastUpdatedTime: timestamp(st.Updated), DeletionTime: timestamp(st.Deleted), StackStatus: st.Status, StackStatusReason: st.Reason}
		sum.DriftInformation.StackDriftStatus = "NOT_CHECKED"
		out.StackSummaries.Member = append(out.StackSummaries.Member, sum)
	}
	return out, nil
}

// DescribeStackEvents: a stack's events, the most recent first.
// https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeStackEvents.html
func (s *Service) describeStackEvents(_ *http.Request, q *request) (any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, err := s.namedStack(q)
	if err != nil {
		return nil, err
	}
	type xmlEvent struct {
		StackID              string `xml:"StackId"`
		EventID              string `xml:"EventId"`
		StackName            string `xml:"StackName"`
		LogicalResourceID    string `xml:"LogicalResourceId"`
		PhysicalResourceID   string `xml:"PhysicalResourceId,omitempty"`
		ResourceType         string `xml:"ResourceType"`
		Timestamp            string `xml:"Timestamp"`
		ResourceStatus       string `xml:"ResourceStatus"`
		ResourceStatusReason string `xml:"ResourceStatusReason,omitempty"`
		ResourceProperties   string `xml:"ResourceProperties,omitempty"`
		ClientRequestToken   string `xml:"ClientRequestToken,omitempty"`
	}
	var out struct {
		StackEvents members[xmlEvent] `xml:"StackEvents"`
	}
	for i := len(st.events) - 1; i >= 0; i-- {
		e := st.events[i]
		out.StackEvents.Member = append(out.StackEvents.Member, xmlEvent{StackID: e.StackID, EventID: e.EventID, StackName: e.StackName,
			LogicalResourceID: e.LogicalID, PhysicalResourceID: e.PhysicalID, ResourceType: e.Type, Timestamp: timestamp(e.Timestamp),
			ResourceStatus: e.Status, ResourceStatusReason: e.Reason, ResourceProperties: e.Properties, ClientRequestToken: e.ClientToken})
	}
	return out, nil
}

type xmlResource struct {
	StackName            string `xml:"StackName,omitempty"`
	StackID              string `xml:"StackId,omitempty"`
	LogicalResourceID    string `xml:"LogicalResourceId"`
	PhysicalResourceID   string `xml:"PhysicalResourceId,omitempty"`
	ResourceType         string `xml:"ResourceType"`
	Timestamp            string `xml:"Timestamp,omitempty"`
	LastUpdatedTimestamp string `xml:"LastUpdatedTimestamp,omitempty"`
	ResourceStatus       string `xml:"ResourceStatus"`
	ResourceStatusReason string `xml:"ResourceStatusReason,omitempty"`
	DriftInformation     *struct {
		StackResourceDriftStatus string `xml:"StackResourceDriftStatus"`
	} `xml:"DriftInformation,omitempty"`
}

func resourceXML(st *stack, r *resource, detail bool) xmlResource {
	x := xmlResource{StackName: st.name, StackID: st.id, LogicalResourceID: r.LogicalID, PhysicalResourceID: r.PhysicalID,
		ResourceType: r.Type, ResourceStatus: r.Status, ResourceStatusReason: r.Reason}
	if detail {
		x.LastUpdatedTimestamp = timestamp(r.Updated)
	} else {
		x.Timestamp = timestamp(r.Updated)
	}
	x.DriftInformation = &struct {
		StackResourceDriftStatus string `xml:"StackResourceDriftStatus"`
	}{"NOT_CHECKED"}
	return x
}

// DescribeStackResources: a stack's resources, by stack or by a resource's physical id, optionally one
// logical id.
// https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeStackResources.html
func (s *Service) describeStackResources(_ *http.Request, q *request) (any, error) {
	name, physical, logical := q.str("StackName"), q.str("PhysicalResourceId"), q.str("LogicalResourceId")
	if name == "" && physical == "" {
		return nil, validationf("Either StackName or PhysicalResourceId must be specified.")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var st *stack
	if name != "" {
		if st = s.findStack(name); st == nil {
			return nil, errStackNotFound(name)
		}
	} else {
		for _, cand := range s.stacksInOrder() {
			for _, r := range cand.resources {
				if r.PhysicalID == physical && cand.Status != StatusDeleteComplete {
					st = cand
				}
			}
		}
		if st == nil {
			return nil, validationf("Stack for %s does not exist", physical)
		}
	}
	var out struct {
		StackResources members[xmlResource] `xml:"StackResources"`
	}
	for _, id := range sortedKeys(st.resources) {
		if logical != "" && id != logical {
			continue
		}
		out.StackResources.Member = append(out.StackResources.Member, resourceXML(st, st.resources[id], false))
	}
	return out, nil
}

// DescribeStackResource: one resource of a stack.
// https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeStackResource.html
func (s *Service) describeStackResource(_ *http.Request, q *request) (any, error) {
	logical := q.str("LogicalResourceId")
	s.mu.Lock()
	defer s.mu.Unlock()
	st, err := s.namedStack(q)
	if err != nil {
		return nil, err
	}
	r := st.resources[logical]
	if r == nil {
		return nil, validationf("Resource %s does not exist for stack %s", logical, st.name)
	}
	var out struct {
		StackResourceDetail xmlResource `xml:"StackResourceDetail"`
	}
	out.StackResourceDetail = resourceXML(st, r, true)
	return out, nil
}

// ListStackResources: summaries of a stack's resources.
// https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_ListStackResources.html
func (s *Service) listStackResources(_ *http.Request, q *request) (any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, err := s.namedStack(q)
	if err != nil {
		return nil, err
	}
	type summary struct {
		LogicalResourceID    string `xml:"LogicalResourceId"`
		PhysicalResourceID   string `xml:"PhysicalResourceId,omitempty"`
		ResourceType         string `xml:"ResourceType"`
		LastUpdatedTimestamp string `xml:"LastUpdatedTimestamp"`
		ResourceStatus       string `xml:"ResourceStatus"`
		ResourceStatusReason string `xml:"ResourceStatusReason,omitempty"`
		DriftInformation     struct {
			StackResourceDriftStatus string `xml:"StackResourceDriftStatus"`
		} `xml:"DriftInformation"`
	}
	var out struct {
		StackResourceSummaries members[summary] `xml:"StackResourceSummaries"`
	}
	for _, id := range sortedKeys(st.resources) {
		r := st.resources[id]
		sum := summary{LogicalResourceID: id, PhysicalResourceID: r.PhysicalID, ResourceType: r.Type,
			LastUpdatedTimestamp: timestamp(r.Updated), ResourceStatus: r.Status, ResourceStatusReason: r.Reason}
		sum.DriftInformation.StackResourceDriftStatus = "NOT_CHECKED"
		out.StackResourceSummaries.Member = append(out.StackResourceSummaries.Member, sum)
	}
	return out, nil
}

// GetTemplate: a stack's template, or a change set's.
// https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_GetTemplate.html
func (s *Service) getTemplate(_ *http.Request, q *request) (any, error) {
	name, csName := q.str("StackName"), q.str("ChangeSetName")
	if name == "" && csName == "" {
		return nil, validationf("Either StackName or ChangeSetName must be specified.")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var body string
	if csName != "" {
		cs, err := s.findChangeSet(name, csName)
		if err != nil {
			return nil, err
		}
		body = cs.Template
	} else {
		st := s.findStack(name)
		if st == nil {
			return nil, errStackNotFound(name)
		}
		body = st.template
	}
	var out struct {
		TemplateBody    string          `xml:"TemplateBody"`
		StagesAvailable members[string] `xml:"StagesAvailable"`
	}
	out.TemplateBody = body
	out.StagesAvailable = list([]string{"Original", "Processed"})
	return out, nil
}

// ListExports: the exported outputs of every stack.
// https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_ListExports.html
func (s *Service) listExports(_ *http.Request, _ *request) (any, error) {
	type export struct {
		ExportingStackID string `xml:"ExportingStackId"`
		Name             string `xml:"Name"`
		Value            string `xml:"Value"`
	}
	var out struct {
		Exports members[export] `xml:"Exports"`
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for name, e := range s.exportsLocked() {
		out.Exports.Member = append(out.Exports.Member, export{ExportingStackID: e.stackID, Name: name, Value: e.value})
	}
	sort.Slice(out.Exports.Member, func(i, j int) bool { return out.Exports.Member[i].Name < out.Exports.Member[j].Name })
	return out, nil
}

type exportValue struct{ stackID, value string }

// exportsLocked returns every export of the stacks that are not deleted. The caller holds s.mu.
func (s *Service) exportsLocked() map[string]exportValue {
	out := map[string]exportValue{}
	for _, st := range s.stacks {
		if st.Status == StatusDeleteComplete {
			continue
		}
		for _, o := range st.Outputs {
			if o.ExportName != "" {
				out[o.ExportName] = exportValue{stackID: st.id, value: o.Value}
			}
		}
	}
	return out
}
