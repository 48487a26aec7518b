package stack

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"
)

// TestReservedConcurrencyFromTemplate checks that each function's ReservedConcurrentExecutions in the
// generated template becomes the local function's concurrency limit, as GetFunction reports it
// (Concurrency.ReservedConcurrentExecutions, https://docs.aws.amazon.com/lambda/latest/api/API_GetFunction.html).
func TestReservedConcurrencyFromTemplate(t *testing.T) {
	st := startTestStack(t, nil)
	client := awslambda.New(awslambda.Options{Region: st.cfg.Region, BaseEndpoint: aws.String(st.url),
		Credentials: credentials.NewStaticCredentialsProvider("local", "local", "")})
	res := st.Resources()
	tpl, err := ParseTemplate(st.cfg.Template, st.cfg.StackName, st.cfg.Region, st.cfg.Account, nil)
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for id, name := range res.Functions {
		reserved, err := tpl.Property(id, "ReservedConcurrentExecutions")
		if err != nil {
			t.Fatal(err)
		}
		want := int32(seconds(reserved, 0) / time.Second)
		if want == 0 {
			t.Errorf("%s: the template reserves no concurrency", id)
			continue
		}
		out, err := client.GetFunction(t.Context(), &awslambda.GetFunctionInput{FunctionName: aws.String(name)})
		if err != nil {
			t.Fatalf("GetFunction %s: %v", name, err)
		}
		if out.Concurrency == nil {
			t.Errorf("%s: GetFunction reports no reserved concurrency, want %d", id, want)
			continue
		}
		if got := aws.ToInt32(out.Concurrency.ReservedConcurrentExecutions); got != want {
			t.Errorf("%s: reserved concurrency = %d, want %d", id, got, want)
		}
		checked++
	}
	if checked != 3 {
		t.Errorf("checked %d functions, want 3", checked)
	}
}
