package s3_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/google/go-cmp/cmp"
)

func tagsOf(t *testing.T, e *env, bucket, key string) map[string]string {
	t.Helper()
	out, err := e.client.GetObjectTagging(context.Background(), &awss3.GetObjectTaggingInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatalf("GetObjectTagging %s: %v", key, err)
	}
	m := map[string]string{}
	for _, tag := range out.TagSet {
		m[aws.ToString(tag.Key)] = aws.ToString(tag.Value)
	}
	return m
}

// TestObjectTagsCopied checks tags set with PutObject's x-amz-tagging, read back with GetObjectTagging
// and counted in x-amz-tagging-count, and CopyObject's tagging directive: COPY (the default) keeps the
// source's tags, REPLACE takes the request's
// (https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html). Tags survive a restart.
func TestObjectTagsCopied(t *testing.T) {
	dir := t.TempDir()
	e := newEnv(t, dir)
	e.bucket(t, "tags", true, false)
	ctx := context.Background()
	if _, err := e.client.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String("tags"), Key: aws.String("src"),
		Body: strings.NewReader("x"), Tagging: aws.String("owner=team%20a&class=internal")}); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"owner": "team a", "class": "internal"}
	if diff := cmp.Diff(tagsOf(t, e, "tags", "src"), want); diff != "" {
		t.Errorf("source tags (-got +want):\n%s", diff)
	}
	head, err := e.client.HeadObject(ctx, &awss3.HeadObjectInput{Bucket: aws.String("tags"), Key: aws.String("src")})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToInt32(head.TagCount); got != 2 {
		t.Errorf("x-amz-tagging-count = %d, want 2", got)
	}
	copies := []struct {
		name string
		in   awss3.CopyObjectInput
		want map[string]string
	}{
		{"default", awss3.CopyObjectInput{Key: aws.String("c1")}, want},
		{"COPY", awss3.CopyObjectInput{Key: aws.String("c2"), TaggingDirective: types.TaggingDirectiveCopy}, want},
		{"REPLACE", awss3.CopyObjectInput{Key: aws.String("c3"), TaggingDirective: types.TaggingDirectiveReplace,
			Tagging: aws.String("stage=quarantine")}, map[string]string{"stage": "quarantine"}},
		{"REPLACE with none", awss3.CopyObjectInput{Key: aws.String("c4"), TaggingDirective: types.TaggingDirectiveReplace}, map[string]string{}},
	}
	for _, c := range copies {
		c.in.Bucket, c.in.CopySource = aws.String("tags"), aws.String("tags/src")
		if _, err := e.client.CopyObject(ctx, &c.in); err != nil {
			t.Fatalf("%s: CopyObject: %v", c.name, err)
		}
		if diff := cmp.Diff(tagsOf(t, e, "tags", aws.ToString(c.in.Key)), c.want); diff != "" {
			t.Errorf("%s: copy's tags (-got +want):\n%s", c.name, diff)
		}
	}
	e.close()
	e = newEnv(t, dir)
	if diff := cmp.Diff(tagsOf(t, e, "tags", "c1"), want); diff != "" {
		t.Errorf("after restart (-got +want):\n%s", diff)
	}
}

func TestObjectTagsInvalid(t *testing.T) {
	e := newEnv(t, t.TempDir())
	e.bucket(t, "badtags", false, false)
	tests := []struct{ name, tagging string }{
		{"eleven tags", "a=1&b=2&c=3&d=4&e=5&f=6&g=7&h=8&i=9&j=10&k=11"},
		{"duplicate key", "a=1&a=2"},
		{"key too long", strings.Repeat("k", 129) + "=v"},
		{"value too long", "k=" + strings.Repeat("v", 257)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.client.PutObject(context.Background(), &awss3.PutObjectInput{Bucket: aws.String("badtags"), Key: aws.String("k"),
				Body: strings.NewReader("x"), Tagging: aws.String(tt.tagging)})
			if got := apiCode(err); got != "InvalidTag" {
				t.Errorf("error %v (code %q), want InvalidTag", err, got)
			}
		})
	}
}
