package cloudformation

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// APIVersion is the version CloudFormation's query protocol requests carry in Version.
//
// CloudFormation speaks only the query protocol: the operation and its parameters form-encoded (Action,
// Version, lists as Param.member.N, structures in lists as Param.member.N.Field) in a POST body or the
// URL query; answers are XML with a ResponseMetadata/RequestId, errors an ErrorResponse.
// https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/Welcome.html
const APIVersion = "2010-05-15"

// maxRequestBytes bounds a request body: a TemplateBody is at most 51,200 bytes
// (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html), and the
// rest of a request is small; the form encoding can triple the template's size.
const maxRequestBytes = 1 << 20

// maxListMembers bounds the members read from one list parameter.
const maxListMembers = 1000

// IsRequest reports whether r is a CloudFormation request: signed for the service "cloudformation"
// (the SigV4 credential scope), or Version=2010-05-15 with an Action in the URL query or a form body.
// To look into a body it reads it (at most the request limit) and puts it back, so r can still be
// served.
func IsRequest(r *http.Request) bool {
	if strings.Contains(r.Header.Get("Authorization"), "/cloudformation/aws4_request") {
		return true
	}
	q := r.URL.Query()
	if q.Get("Version") == APIVersion && q.Get("Action") != "" {
		return true
	}
	if r.Method != http.MethodPost || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") || r.Body == nil {
		return false
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxRequestBytes+1))
	r.Body = io.NopCloser(io.MultiReader(bytes.NewReader(body), r.Body))
	if err != nil {
		return false
	}
	form, err := url.ParseQuery(string(body))
	return err == nil && form.Get("Version") == APIVersion && form.Get("Action") != ""
}

// request is one decoded query protocol request: the URL query and the form body, merged.
type request struct {
	form url.Values
}

// parseRequest decodes r's parameters. A body over the limit or a malformed form is an error in the
// protocol's terms.
func parseRequest(r *http.Request) (*request, error) {
	form := url.Values{}
	if q, err := url.ParseQuery(r.URL.RawQuery); err == nil {
		form = q
	} else {
		return nil, apiErrorf(CodeMalformedQueryString, "The query string is malformed.")
	}
	if r.Body != nil {
		body, err := io.ReadAll(io.LimitReader(r.Body, maxRequestBytes+1))
		if err != nil {
			return nil, apiErrorf(CodeMalformedQueryString, "The request body could not be read.")
		}
		if len(body) > maxRequestBytes {
			return nil, validationf("Request size exceeded the limit of %d bytes.", maxRequestBytes)
		}
		if len(body) > 0 {
			bf, err := parseForm(body)
			if err != nil {
				return nil, err
			}
			for k, v := range bf {
				form[k] = append(form[k], v...)
			}
		}
	}
	return &request{form: form}, nil
}

// parseForm decodes a form-encoded body.
func parseForm(body []byte) (url.Values, error) {
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, apiErrorf(CodeMalformedQueryString, "The request body is not a well-formed form.")
	}
	return form, nil
}

// action is the operation's name.
func (q *request) action() string { return q.form.Get("Action") }

// str returns a parameter ("" when absent).
func (q *request) str(name string) string { return q.form.Get(name) }

// has reports whether a parameter was sent (even empty).
func (q *request) has(name string) bool { _, ok := q.form[name]; return ok }

// boolean returns a Boolean parameter; absent or unparsable is false.
func (q *request) boolean(name string) bool {
	b, _ := strconv.ParseBool(q.form.Get(name))
	return b
}

// list returns the members of a list of strings, Name.member.1, Name.member.2, ..., stopping at the
// first gap, as the protocol numbers members from 1 without gaps.
func (q *request) list(name string) []string {
	var out []string
	for i := 1; i <= maxListMembers; i++ {
		v, ok := q.form[name+".member."+strconv.Itoa(i)]
		if !ok {
			break
		}
		out = append(out, v[0])
	}
	return out
}

// structs returns the members of a list of structures, each as its fields (Name.member.N.Field),
// members numbered from 1 without gaps.
func (q *request) structs(name string) []map[string]string {
	byIndex := map[int]map[string]string{}
	prefix := name + ".member."
	for k, v := range q.form {
		rest, ok := strings.CutPrefix(k, prefix)
		if !ok {
			continue
		}
		num, field, ok := strings.Cut(rest, ".")
		if !ok || field == "" || strings.Contains(field, ".") {
			continue
		}
		i, err := strconv.Atoi(num)
		if err != nil || i < 1 || i > maxListMembers || strconv.Itoa(i) != num {
			continue
		}
		if byIndex[i] == nil {
			byIndex[i] = map[string]string{}
		}
		byIndex[i][field] = v[0]
	}
	var out []map[string]string
	for i := 1; byIndex[i] != nil; i++ {
		out = append(out, byIndex[i])
	}
	return out
}
