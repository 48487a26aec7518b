package cloudformation

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestParseTemplateURL covers the URL forms S3 objects take
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-bucket-intro.html) and the local
// endpoint's, as the AWS CLI makes them for `cloudformation deploy --s3-bucket`.
func TestParseTemplateURL(t *testing.T) {
	tests := []struct {
		url  string
		want s3Location
		ok   bool
	}{
		{"https://b.s3.amazonaws.com/t/x.json", s3Location{Bucket: "b", Key: "t/x.json"}, true},
		{"https://b.s3.us-west-2.amazonaws.com/x.json", s3Location{Bucket: "b", Key: "x.json"}, true},
		{"https://b.s3-us-west-2.amazonaws.com/x.json", s3Location{Bucket: "b", Key: "x.json"}, true},
		{"https://my.dotted.bucket.s3.amazonaws.com/x.json", s3Location{Bucket: "my.dotted.bucket", Key: "x.json"}, true},
		{"https://s3.amazonaws.com/b/t/x.json", s3Location{Bucket: "b", Key: "t/x.json"}, true},
		{"https://s3.us-east-1.amazonaws.com/b/x.json?versionId=v1", s3Location{Bucket: "b", Key: "x.json", VersionID: "v1"}, true},
		{"https://s3-eu-west-1.amazonaws.com/b/a%20b.json", s3Location{Bucket: "b", Key: "a b.json"}, true},
		{"http://127.0.0.1:4566/b/template/abc.template", s3Location{Bucket: "b", Key: "template/abc.template"}, true},
		{"http://localhost:4566/b/k", s3Location{Bucket: "b", Key: "k"}, true},
		{"http://b.localhost:4566/k", s3Location{Bucket: "b", Key: "k"}, true},
		{"https://s3.amazonaws.com/b", s3Location{}, false},
		{"https://example.amazonaws.com/k", s3Location{}, false},
		{"ftp://b/k", s3Location{}, false},
		{"not a url", s3Location{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			got, ok := parseTemplateURL(tt.url)
			if ok != tt.ok {
				t.Fatalf("ok = %v, want %v (%+v)", ok, tt.ok, got)
			}
			if d := cmp.Diff(got, tt.want); ok && d != "" {
				t.Errorf("(-got +want):\n%s", d)
			}
		})
	}
}
