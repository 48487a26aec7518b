package cloudformation

import (
	"net/http"
	"sort"

	"github.com/sluicehq/sluice/local/cloudformation/template"
)

func sortChangeSets(sets []*changeSet) {
	sort.Slice(sets, func(i, j int) bool {
		if !sets[i].Created.Equal(sets[j].Created) {
			return sets[i].Created.Before(sets[j].Created)
		}
		return sets[i].ID < sets[j].ID
	})
}

// parseOnly reads and validates a request's template without binding it.
func (s *Service) parseOnly(r *http.Request, q *request, prev *stack) (*template.Template, *template.Validation, error) {
	body, err := s.templateBody(r.Context(), q, prev)
	if err != nil {
		return nil, nil, err
	}
	return parseBody(body)
}

// parseBody parses and validates a template.
func parseBody(body string) (*template.Template, *template.Validation, error) {
	t, err := template.Parse([]byte(body))
	if err != nil {
		return nil, nil, templateError(err)
	}
	v, err := t.Validate()
	if err != nil {
		return nil, nil, templateError(err)
	}
	return t, v, nil
}

// ValidateTemplate checks a template and describes its parameters and the capabilities it needs.
// https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_ValidateTemplate.html
func (s *Service) validateTemplate(r *http.Request, q *request) (any, error) {
	_, v, err := s.parseOnly(r, q, nil)
	if err != nil {
		return nil, err
	}
	type param struct {
		ParameterKey string `xml:"ParameterKey"`
		DefaultValue string `xml:"DefaultValue,omitempty"`
		NoEcho       bool   `xml:"NoEcho"`
		Description  string `xml:"Description,omitempty"`
	}
	var out struct {
		Parameters         members[param]  `xml:"Parameters"`
		Description        string          `xml:"Description,omitempty"`
		Capabilities       members[string] `xml:"Capabilities"`
		CapabilitiesReason string          `xml:"CapabilitiesReason,omitempty"`
		DeclaredTransforms members[string] `xml:"DeclaredTransforms"`
	}
	for _, p := range v.Parameters {
		x := param{ParameterKey: p.Key, NoEcho: p.NoEcho, Description: p.Description}
		if p.DefaultValue != nil {
			x.DefaultValue = *p.DefaultValue
		}
		out.Parameters.Member = append(out.Parameters.Member, x)
	}
	out.Description, out.CapabilitiesReason = v.Description, v.CapabilitiesReason
	out.Capabilities, out.DeclaredTransforms = list(v.Capabilities), list(v.DeclaredTransforms)
	return out, nil
}

// GetTemplateSummary describes a template (given, or a stack's): its parameters with their types and
// constraints, the capabilities it needs and its resource types. `aws cloudformation deploy` calls it
// before updating a stack.
// https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_GetTemplateSummary.html
func (s *Service) getTemplateSummary(r *http.Request, q *request) (any, error) {
	var t *template.Template
	var v *template.Validation
	var err error
	if name := q.str("StackName"); name != "" {
		s.mu.Lock()
		st := s.findStack(name)
		var body string
		if st != nil {
			body = st.template
		}
		s.mu.Unlock()
		if st == nil {
			return nil, errStackNotFound(name)
		}
		t, v, err = parseBody(body)
	} else {
		t, v, err = s.parseOnly(r, q, nil)
	}
	if err != nil {
		return nil, err
	}
	type param struct {
		ParameterKey         string `xml:"ParameterKey"`
		DefaultValue         string `xml:"DefaultValue,omitempty"`
		ParameterType        string `xml:"ParameterType"`
		NoEcho               bool   `xml:"NoEcho"`
		Description          string `xml:"Description,omitempty"`
		ParameterConstraints struct {
			AllowedValues members[string] `xml:"AllowedValues"`
		} `xml:"ParameterConstraints"`
	}
	var out struct {
		Parameters         members[param]  `xml:"Parameters"`
		Description        string          `xml:"Description,omitempty"`
		Capabilities       members[string] `xml:"Capabilities"`
		CapabilitiesReason string          `xml:"CapabilitiesReason,omitempty"`
		ResourceTypes      members[string] `xml:"ResourceTypes"`
		Version            string          `xml:"Version,omitempty"`
		DeclaredTransforms members[string] `xml:"DeclaredTransforms"`
	}
	for _, key := range t.ParameterNames() {
		p := t.Parameters[key]
		x := param{ParameterKey: key, ParameterType: p.Type, NoEcho: p.NoEcho, Description: p.Description}
		if p.Default != nil {
			x.DefaultValue = *p.Default
		}
		x.ParameterConstraints.AllowedValues = list(p.AllowedValues)
		out.Parameters.Member = append(out.Parameters.Member, x)
	}
	types := map[string]bool{}
	for _, res := range t.Resources {
		types[res.Type] = true
	}
	out.ResourceTypes = list(sortedKeys(types))
	out.Description, out.CapabilitiesReason, out.Version = v.Description, v.CapabilitiesReason, t.FormatVersion
	out.Capabilities, out.DeclaredTransforms = list(v.Capabilities), list(v.DeclaredTransforms)
	return out, nil
}
