package logs_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"

	"github.com/sluicehq/sluice/local/logs"
)

// BenchmarkPutLogEvents compares PutLogEvents of 10 events through the SDK, durable on disk, against a
// baseline server that reads the body and answers an empty object.
func BenchmarkPutLogEvents(b *testing.B) {
	baseline := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.Write([]byte("{}"))
	})
	svc, err := logs.New(logs.WithDataDir(b.TempDir()))
	if err != nil {
		b.Fatal(err)
	}
	defer svc.Close()
	if err := svc.CreateLogGroup(context.Background(), "g", 0, false); err != nil {
		b.Fatal(err)
	}
	if err := svc.Put(context.Background(), "g", "s", []logs.Event{{Timestamp: time.Now(), Message: "first"}}); err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name string
		h    http.Handler
	}{{"baseline", baseline}, {"service", svc}} {
		b.Run(c.name, func(b *testing.B) {
			hs := httptest.NewServer(c.h)
			defer hs.Close()
			client := cwl.New(cwl.Options{Region: "us-east-1", BaseEndpoint: aws.String(hs.URL),
				Credentials: credentials.NewStaticCredentialsProvider("id", "secret", "")})
			evs := make([]types.InputLogEvent, 10)
			for b.Loop() {
				ts := time.Now().UnixMilli()
				for i := range evs {
					evs[i] = types.InputLogEvent{Timestamp: aws.Int64(ts), Message: aws.String(`{"level":"INFO","msg":"object validated","key":"incoming/orders/x.csv"}`)}
				}
				if _, err := client.PutLogEvents(context.Background(), &cwl.PutLogEventsInput{LogGroupName: aws.String("g"),
					LogStreamName: aws.String("s"), LogEvents: evs}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkFilterLogEvents scans a group of 20,000 events on disk (2,000 batches in 20 streams) for a JSON
// pattern that only the last event matches, against a baseline that returns the first 100 events
// unfiltered. It reports the events scanned per second.
func BenchmarkFilterLogEvents(b *testing.B) {
	svc, err := logs.New(logs.WithDataDir(b.TempDir()))
	if err != nil {
		b.Fatal(err)
	}
	defer svc.Close()
	ctx := context.Background()
	if err := svc.CreateLogGroup(ctx, "g", 0, false); err != nil {
		b.Fatal(err)
	}
	start := time.Now().Add(-time.Hour)
	const batches, perBatch = 2000, 10
	for i := range batches {
		evs := make([]logs.Event, perBatch)
		for j := range evs {
			evs[j] = logs.Event{Timestamp: start.Add(time.Duration(i*perBatch+j) * time.Millisecond),
				Message: fmt.Sprintf(`{"level":"INFO","msg":"object validated","n":%d}`, i*perBatch+j)}
		}
		if err := svc.Put(ctx, "g", fmt.Sprintf("s%d", i%20), evs); err != nil {
			b.Fatal(err)
		}
	}
	hs := httptest.NewServer(svc)
	defer hs.Close()
	client := cwl.New(cwl.Options{Region: "us-east-1", BaseEndpoint: aws.String(hs.URL),
		Credentials: credentials.NewStaticCredentialsProvider("id", "secret", "")})
	for _, c := range []struct {
		name, pattern string
		limit         int32
		want          int
	}{{"baseline", "", 100, 100}, {"scan", fmt.Sprintf(`{ $.n = %d }`, batches*perBatch-1), 10000, 1}} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				out, err := client.FilterLogEvents(ctx, &cwl.FilterLogEventsInput{LogGroupName: aws.String("g"),
					FilterPattern: aws.String(c.pattern), Limit: aws.Int32(c.limit)})
				if err != nil {
					b.Fatal(err)
				}
				if len(out.Events) != c.want {
					b.Fatalf("%d events, want %d", len(out.Events), c.want)
				}
			}
			if c.name == "scan" {
				b.ReportMetric(float64(batches*perBatch*b.N)/b.Elapsed().Seconds(), "events-scanned/s")
			}
		})
	}
}
