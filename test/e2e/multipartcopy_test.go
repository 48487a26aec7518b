package e2e

import (
	"bytes"
	"context"
	"strings"
	"testing"

	awslambda "github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/sluicehq/sluice/local/lambda"
	"github.com/sluicehq/sluice/local/stack"
	"github.com/sluicehq/sluice/tasks"
	"github.com/sluicehq/sluice/tasks/store"
)

// withMultipartCopy makes the store function copy every object larger than threshold bytes with a
// multipart copy (UploadPartCopy) in parts of partSize, as it copies objects over 5 GiB in AWS.
func withMultipartCopy(threshold, partSize int64) stackOption {
	return func(c *stack.Config) {
		c.Functions["StoreFunction"] = func(rt lambda.Runtime, endpoint string) awslambda.Handler {
			client := s3.New(s3.Options{Region: "us-east-1", BaseEndpoint: aws.String(endpoint), UsePathStyle: true,
				Credentials:                credentials.NewStaticCredentialsProvider("local", "local", ""),
				RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
				ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired})
			return awslambda.NewHandler(store.New(client, store.WithMultipartCopy(threshold, partSize)).Handle)
		}
	}
}

// TestMultipartCopy runs the store's multipart copy, which S3 needs above CopyObject's 5 GiB limit,
// through the pipeline with the threshold lowered: a rejected object of over 5 MiB is quarantined in two
// UploadPartCopy parts, byte for byte, and a valid object's staged output is committed in one part with
// its metadata (the source key and sequencer the commit relies on).
func TestMultipartCopy(t *testing.T) {
	t.Parallel()
	e := startStack(t, "", "", withMultipartCopy(1, 5<<20))
	e.putSchema(t)

	bad := repoFile(t, "sample/incoming/orders/bad-values.csv")
	header, rows, _ := bytes.Cut(bad, []byte("\n"))
	big := append(append([]byte{}, header...), '\n')
	for len(big) < 6<<20 {
		big = append(big, rows...)
	}
	badKey, goodKey := "incoming/orders/big-bad.csv", "incoming/orders/2024-03-01.csv"
	e.put(t, badKey, big)
	goodETag := e.put(t, goodKey, repoFile(t, "sample/incoming/orders/2024-03-01.csv"))
	e.waitExecutions(t, 2)
	all := e.describeAll(t)
	for _, key := range []string{badKey, goodKey} {
		xs := executionsFor(all, key)
		if len(xs) != 1 || xs[0].Status != sfntypes.ExecutionStatusSucceeded {
			for _, x := range xs {
				t.Errorf("%s: %s (%s: %s)", key, x.Status, str(x.Error), str(x.Cause))
			}
			t.Fatalf("%s: got %d executions, want 1 SUCCEEDED", key, len(xs))
		}
	}

	copied, ok := e.get(t, "quarantine/orders/big-bad.csv")
	if !ok || !bytes.Equal(copied, big) {
		t.Fatalf("quarantined copy: %d bytes (exists %v), want the %d bytes uploaded", len(copied), ok, len(big))
	}
	head, err := e.s3.HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String(e.bucket), Key: aws.String("quarantine/orders/big-bad.csv")})
	if err != nil {
		t.Fatal(err)
	}
	if etag := aws.ToString(head.ETag); !strings.HasSuffix(etag, `-2"`) {
		t.Errorf("quarantined copy ETag %s, want a two-part multipart ETag", etag)
	}

	var m manifest
	e.getJSON(t, "manifests/orders/2024-03-01.csv."+goodETag+".json", &m)
	head, err = e.s3.HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String(e.bucket), Key: aws.String(m.Output.Key)})
	if err != nil {
		t.Fatalf("processed output %s: %v", m.Output.Key, err)
	}
	if etag := aws.ToString(head.ETag); !strings.HasSuffix(etag, `-1"`) {
		t.Errorf("processed output ETag %s, want a one-part multipart ETag", etag)
	}
	if head.Metadata[tasks.MetaSourceSequencer] == "" || head.Metadata[tasks.MetaSourceKey] == "" {
		t.Errorf("processed output metadata %v lacks the staged object's source key and sequencer", head.Metadata)
	}
	body, _ := e.get(t, m.Output.Key)
	if got := countJSONLines(t, body); got != 8 {
		t.Errorf("processed output has %d lines, want 8", got)
	}
}
