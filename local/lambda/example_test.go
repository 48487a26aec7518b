package lambda_test

import (
	"context"
	"fmt"

	awslambda "github.com/aws/aws-lambda-go/lambda"

	"github.com/sluicehq/sluice/local/lambda"
)

func Example() {
	srv, err := lambda.New()
	if err != nil {
		panic(err)
	}
	defer srv.Close()
	type order struct {
		ID string `json:"id"`
	}
	_ = srv.Register(lambda.Function{
		Name: "accept",
		Handler: awslambda.NewHandler(func(ctx context.Context, o order) (string, error) {
			if o.ID == "" {
				return "", fmt.Errorf("missing id")
			}
			return "accepted " + o.ID, nil
		}),
	})
	ok, _ := srv.Invoke(context.Background(), "accept", []byte(`{"id":"42"}`))
	fmt.Println(string(ok.Payload))
	failed, _ := srv.Invoke(context.Background(), "accept", []byte(`{}`))
	fmt.Println(failed.FunctionError, string(failed.Payload))
	// Output:
	// "accepted 42"
	// Unhandled {"errorMessage":"missing id","errorType":"errorString"}
}
