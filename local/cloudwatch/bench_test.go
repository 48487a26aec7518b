package cloudwatch_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	sdk "github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"github.com/sluicehq/sluice/local/cloudwatch"
)

// BenchmarkPutMetricData compares PutMetricData of 10 data through the SDK against a
// baseline server that reads the body and answers an empty CBOR map.
func BenchmarkPutMetricData(b *testing.B) {
	data := make([]types.MetricDatum, 10)
	for i := range data {
		data[i] = types.MetricDatum{MetricName: aws.String("Rows"), Dimensions: dims("Stage", "validate"), Value: aws.Float64(float64(i)), Unit: types.StandardUnitCount}
	}
	baseline := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Smithy-Protocol", "rpc-v2-cbor")
		w.Header().Set("Content-Type", "application/cbor")
		w.Write([]byte{0xa0})
	})
	for _, c := range []struct {
		name string
		h    http.Handler
	}{{"baseline", baseline}, {"server", newService(b)}} {
		b.Run(c.name, func(b *testing.B) {
			hs := httptest.NewServer(c.h)
			defer hs.Close()
			client := sdk.New(sdk.Options{Region: "us-east-1", BaseEndpoint: aws.String(hs.URL),
				Credentials: credentials.NewStaticCredentialsProvider("id", "secret", "")})
			for b.Loop() {
				if _, err := client.PutMetricData(context.Background(), &sdk.PutMetricDataInput{Namespace: aws.String("Sluice"), MetricData: data}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("in-process", func(b *testing.B) {
		srv := newService(b)
		d := cloudwatch.Datum{MetricName: "Rows", Dimensions: []cloudwatch.Dimension{{Name: "Stage", Value: "validate"}}, Value: aws.Float64(1), Unit: "Count"}
		for b.Loop() {
			if err := srv.Put("Sluice", d); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func newService(tb testing.TB, opts ...cloudwatch.Option) *cloudwatch.Service {
	tb.Helper()
	srv, err := cloudwatch.New(opts...)
	if err != nil {
		tb.Fatal(err)
	}
	return srv
}
