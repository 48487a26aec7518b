package cloudformation_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cfn "github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/sluicehq/sluice/local/cloudformation/template"
)

// BenchmarkDeployPipeline creates the generated template's stack through the API (TemplateURL from
// the local S3, every resource provisioned or recorded, outputs resolved) and deletes it, per
// iteration; the baseline is the template engine's share of that work alone (parse, validate, bind,
// order, resolve every resource and the outputs), also timed in each iteration of "service", which
// reports its own time as a ratio of it (x-engine):
// go test -run XXX -bench DeployPipeline -benchtime 5x ./local/cloudformation/
func BenchmarkDeployPipeline(b *testing.B) {
	body, err := os.ReadFile(filepath.Join("..", "..", "deploy", "template.json"))
	if err != nil {
		b.Skip("no generated template")
	}
	params := map[string]string{"ArtifactBucket": "bench-artifacts", "ValidateCodeKey": "v.zip", "ProcessCodeKey": "p.zip", "StoreCodeKey": "s.zip"}
	engine := func(b *testing.B) {
		b.Helper()
		{
			t, err := template.Parse(body)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := t.Validate(); err != nil {
				b.Fatal(err)
			}
			s, err := t.Bind(params, template.Env{Region: "us-east-1", AccountID: "000000000000", StackName: "bench"})
			if err != nil {
				b.Fatal(err)
			}
			order, err := s.Order()
			if err != nil {
				b.Fatal(err)
			}
			done := template.Provisioned{}
			for _, id := range order {
				if _, err := s.ResolveResource(id, done); err != nil {
					b.Fatal(err)
				}
				done[id] = template.Physical{Ref: id, Attributes: map[string]any{"Arn": "arn:aws:x:::" + id, "QueueName": id, "TopicName": id, "QueueUrl": id, "TopicArn": id}}
			}
			if _, err := s.Outputs(done); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.Run("engine", func(b *testing.B) {
		for b.Loop() {
			engine(b)
		}
	})
	b.Run("service", func(b *testing.B) {
		st := startEmpty(b, nil)
		ctx := b.Context()
		s3c := s3.New(s3.Options{Region: "us-east-1", BaseEndpoint: aws.String(st.URL()), UsePathStyle: true,
			Credentials: credentials.NewStaticCredentialsProvider("local", "local", "")})
		if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("bench-artifacts")}); err != nil {
			b.Fatal(err)
		}
		if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bench-artifacts"), Key: aws.String("t.json"), Body: bytes.NewReader(body)}); err != nil {
			b.Fatal(err)
		}
		c := newClient(st.URL())
		var ps []cfntypes.Parameter
		for k, v := range params {
			ps = append(ps, cfntypes.Parameter{ParameterKey: aws.String(k), ParameterValue: aws.String(v)})
		}
		var engineTime, serviceTime time.Duration
		for b.Loop() {
			start := time.Now()
			engine(b)
			engineTime += time.Since(start)
			start = time.Now()
			if _, err := c.CreateStack(ctx, &cfn.CreateStackInput{StackName: aws.String("bench"), Parameters: ps,
				TemplateURL: aws.String(st.URL() + "/bench-artifacts/t.json"), Capabilities: []cfntypes.Capability{cfntypes.CapabilityCapabilityIam}}); err != nil {
				b.Fatal(err)
			}
			if s := waitStack(b, ctx, c, "bench"); s.StackStatus != cfntypes.StackStatusCreateComplete {
				b.Fatalf("create: %s %s", s.StackStatus, aws.ToString(s.StackStatusReason))
			}
			if _, err := c.DeleteStack(ctx, &cfn.DeleteStackInput{StackName: aws.String("bench")}); err != nil {
				b.Fatal(err)
			}
			serviceTime += time.Since(start)
		}
		// The service's create and delete against the engine's pass, in the same run.
		b.ReportMetric(float64(serviceTime)/float64(engineTime), "x-engine")
	})
}
