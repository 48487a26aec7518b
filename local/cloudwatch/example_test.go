package cloudwatch_test

import (
	"context"
	"fmt"
	"net/http/httptest"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	sdk "github.com/aws/aws-sdk-go-v2/service/cloudwatch"

	"github.com/sluicehq/sluice/local/cloudwatch"
)

func Example() {
	srv, err := cloudwatch.New()
	if err != nil {
		panic(err)
	}
	// In process, for example from a Lambda host's Embedded Metric Format sink:
	_ = srv.Put("Sluice", cloudwatch.Datum{MetricName: "ObjectsStored", Value: aws.Float64(1),
		Dimensions: []cloudwatch.Dimension{{Name: "Stage", Value: "store"}}})

	hs := httptest.NewServer(srv)
	defer hs.Close()
	client := sdk.New(sdk.Options{Region: "us-east-1", BaseEndpoint: aws.String(hs.URL),
		Credentials: credentials.NewStaticCredentialsProvider("id", "secret", "")})
	out, err := client.ListMetrics(context.Background(), &sdk.ListMetricsInput{Namespace: aws.String("Sluice")})
	if err != nil {
		panic(err)
	}
	for _, m := range out.Metrics {
		fmt.Println(aws.ToString(m.MetricName), aws.ToString(m.Dimensions[0].Name), aws.ToString(m.Dimensions[0].Value))
	}
	// Output: ObjectsStored Stage store
}
