package cloudformation

import (
	"net/http"
	"regexp"
	"strings"
)

// operation answers one action; it returns the Result element's content (nil for none) or an error.
type operation func(r *http.Request, q *request) (any, error)

// operations is the API this service serves
// (https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_Operations.html).
func (s *Service) operations() map[string]operation {
	return map[string]operation{
		"ValidateTemplate":       s.validateTemplate,
		"GetTemplateSummary":     s.getTemplateSummary,
		"CreateStack":            s.createStack,
		"UpdateStack":            s.updateStack,
		"DeleteStack":            s.deleteStack,
		"DescribeStacks":         s.describeStacks,
		"ListStacks":             s.listStacks,
		"DescribeStackEvents":    s.describeStackEvents,
		"DescribeStackResource":  s.describeStackResource,
		"DescribeStackResources": s.describeStackResources,
		"ListStackResources":     s.listStackResources,
		"GetTemplate":            s.getTemplate,
		"ListExports":            s.listExports,
		"CreateChangeSet":        s.createChangeSet,
		"DescribeChangeSet":      s.describeChangeSet,
		"ExecuteChangeSet":       s.executeChangeSet,
		"DeleteChangeSet":        s.deleteChangeSet,
		"ListChangeSets":         s.listChangeSets,
	}
}

func (s *Service) serve(w http.ResponseWriter, r *http.Request) {
	reqID := newRequestID()
	q, err := parseRequest(r)
	if err != nil {
		writeError(w, reqID, err)
		return
	}
	action := q.action()
	if action == "" {
		writeError(w, reqID, apiErrorf(CodeMissingAction, "The request must contain the parameter Action."))
		return
	}
	op, ok := s.operations()[action]
	if !ok {
		writeError(w, reqID, apiErrorf(CodeInvalidAction, "The action %s is not valid for this web service.", action))
		return
	}
	out, err := op(r, q)
	if err != nil {
		if _, ok := err.(*apiError); !ok {
			s.opts.Logger.Error("cloudformation: internal error", "action", action, "err", err)
		}
		writeError(w, reqID, err)
		return
	}
	writeResult(w, reqID, action, out)
}

// stackNamePattern is a stack name's constraint; an ARN may stand for it where a stack is named
// (https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_CreateStack.html).
var stackNamePattern = regexp.MustCompile(`^[a-zA-Z][-a-zA-Z0-9]{0,127}$`)

// changeSetNamePattern is a change set name's constraint
// (https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_CreateChangeSet.html).
var changeSetNamePattern = regexp.MustCompile(`^[a-zA-Z][-a-zA-Z0-9]{0,127}$`)

func checkStackName(name string) error {
	if !stackNamePattern.MatchString(name) {
		return validationf("1 validation error detected: Value '%s' at 'stackName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*", name)
	}
	return nil
}

// findStack finds a stack by name (the live one) or by stack id (deleted ones too). The caller holds
// s.mu.
func (s *Service) findStack(nameOrID string) *stack {
	if strings.HasPrefix(nameOrID, "arn:") {
		return s.stacks[nameOrID]
	}
	for _, st := range s.stacks {
		if st.name == nameOrID && st.Status != StatusDeleteComplete {
			return st
		}
	}
	return nil
}

// namedStack is the live stack the StackName parameter names (a name or a stack id), or AWS's error
// when it is missing or names none. s.mu must be held.
func (s *Service) namedStack(q *request) (*stack, error) {
	name, err := requireStackName(q)
	if err != nil {
		return nil, err
	}
	if st := s.findStack(name); st != nil {
		return st, nil
	}
	return nil, errStackNotFound(name)
}

// requireStackName reads the StackName parameter, which must be given.
func requireStackName(q *request) (string, error) {
	name := q.str("StackName")
	if name == "" {
		return "", validationf("1 validation error detected: Value null at 'stackName' failed to satisfy constraint: Member must not be null")
	}
	return name, nil
}
