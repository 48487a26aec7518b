package lambda_test

import (
	"context"
	"net/http/httptest"
	"testing"

	awslambda "github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	sdk "github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/sluicehq/sluice/local/lambda"
)

// BenchmarkInvoke compares calling the aws-lambda-go handler directly (baseline) with the
// in-process Service.Invoke and with the HTTP API through the SDK client.
func BenchmarkInvoke(b *testing.B) {
	handler := awslambda.NewHandler(echo)
	payload := []byte(`{"name":"bench"}`)
	ctx := context.Background()
	srv, err := lambda.New()
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	if err := srv.Register(lambda.Function{Name: "echo", Handler: handler}); err != nil {
		b.Fatal(err)
	}
	b.Run("baseline-direct", func(b *testing.B) {
		for b.Loop() {
			if _, err := handler.Invoke(ctx, payload); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("in-process", func(b *testing.B) {
		for b.Loop() {
			if _, err := srv.Invoke(ctx, "echo", payload); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("http-sdk", func(b *testing.B) {
		hs := httptest.NewServer(srv)
		defer hs.Close()
		client := sdk.New(sdk.Options{Region: "us-east-1", BaseEndpoint: aws.String(hs.URL),
			Credentials: credentials.NewStaticCredentialsProvider("id", "secret", "")})
		for b.Loop() {
			if _, err := client.Invoke(ctx, &sdk.InvokeInput{FunctionName: aws.String("echo"), Payload: payload}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
