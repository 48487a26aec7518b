package cloudformation

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzQueryRequest feeds arbitrary form bodies to the query protocol parser and the operations: the
// service must answer every one with a well-formed XML answer or AWS's ErrorResponse, never panic,
// and never a 5xx for what is the client's mistake.
func FuzzQueryRequest(f *testing.F) {
	seeds := []string{
		"Action=DescribeStacks&Version=2010-05-15",
		"Action=DescribeStacks&Version=2010-05-15&StackName=x",
		"Action=CreateStack&Version=2010-05-15&StackName=s&TemplateBody=%7B%22Resources%22%3A%7B%22Q%22%3A%7B%22Type%22%3A%22AWS%3A%3ASQS%3A%3AQueue%22%7D%7D%7D",
		"Action=CreateChangeSet&Version=2010-05-15&StackName=s&ChangeSetName=c&ChangeSetType=CREATE&TemplateBody=%7B%7D&Parameters.member.1.ParameterKey=A&Parameters.member.1.ParameterValue=b",
		"Action=ListStacks&StackStatusFilter.member.1=CREATE_COMPLETE&StackStatusFilter.member.3=X",
		"Action=CreateStack&Parameters.member.0.ParameterKey=a&Parameters.member.01.ParameterKey=b&Parameters.member.1.=c",
		"Action=ValidateTemplate&TemplateURL=https%3A%2F%2Fb.s3.amazonaws.com%2Fk",
		"Action=Nope", "%zz", "Action=DescribeChangeSet&ChangeSetName=arn%3Aaws%3Acloudformation",
		"Action=DeleteStack&StackName=arn:aws:cloudformation:us-east-1:000000000000:stack/s/x&RetainResources.member.1=Q",
	}
	for _, s := range seeds {
		f.Add(s)
	}
	svc, err := New(WithSettle(0))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { svc.Close() })
	f.Fuzz(func(t *testing.T, body string) {
		req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		q, err := parseRequest(req)
		if err == nil {
			// The accessors never panic and keep members numbered from 1 without gaps.
			for _, m := range q.structs("Parameters") {
				if len(m) == 0 {
					t.Fatal("empty member")
				}
			}
			_ = q.list("StackStatusFilter")
		}
		req = httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		w := httptest.NewRecorder()
		svc.ServeHTTP(w, req)
		if w.Code >= 500 {
			t.Fatalf("%q answered %d: %s", body, w.Code, w.Body.String())
		}
		if !bytes.HasPrefix(w.Body.Bytes(), []byte("<")) {
			t.Fatalf("%q answered %q, not XML", body, w.Body.String())
		}
	})
}

// FuzzTemplateURL: parsing a TemplateURL never panics, and what it accepts names a bucket and a key.
func FuzzTemplateURL(f *testing.F) {
	for _, s := range []string{"https://b.s3.amazonaws.com/k", "https://s3.us-east-1.amazonaws.com/b/k/x.json?versionId=3",
		"http://127.0.0.1:4566/b/k", "http://b.localhost:4566/k", "https://s3-eu-west-1.amazonaws.com/b/%20k", "ftp://x/y", "https://x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		loc, ok := parseTemplateURL(raw)
		if ok && (loc.Bucket == "" || loc.Key == "") {
			t.Fatalf("%q: accepted without a bucket or key: %+v", raw, loc)
		}
	})
}
