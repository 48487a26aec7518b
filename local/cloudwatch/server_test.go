package cloudwatch_test

import (
	"context"
	"errors"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	sdk "github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/sluicehq/sluice/asl/interp"

	"github.com/sluicehq/sluice/local/cloudwatch"
)

var t0 = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

func newClient(t *testing.T, opts ...cloudwatch.Option) (*cloudwatch.Service, *sdk.Client, string) {
	t.Helper()
	srv := newService(t, append([]cloudwatch.Option{cloudwatch.WithClock(interp.NewVirtualClock(t0.Add(30 * time.Minute)))}, opts...)...)
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	client := sdk.New(sdk.Options{Region: "us-east-1", BaseEndpoint: aws.String(hs.URL),
		Credentials: credentials.NewStaticCredentialsProvider("id", "secret", "")})
	return srv, client, hs.URL
}

func code(err error) string {
	if err == nil {
		return ""
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return "not an API error: " + err.Error()
}

func dims(kv ...string) []types.Dimension {
	var out []types.Dimension
	for i := 0; i < len(kv); i += 2 {
		out = append(out, types.Dimension{Name: aws.String(kv[i]), Value: aws.String(kv[i+1])})
	}
	return out
}

func seed(t *testing.T, client *sdk.Client) {
	t.Helper()
	_, err := client.PutMetricData(context.Background(), &sdk.PutMetricDataInput{
		Namespace: aws.String("Sluice"),
		MetricData: []types.MetricDatum{
			{MetricName: aws.String("Rows"), Dimensions: dims("Stage", "validate"), Timestamp: aws.Time(t0.Add(10 * time.Second)), Value: aws.Float64(10), Unit: types.StandardUnitCount},
			{MetricName: aws.String("Rows"), Dimensions: dims("Stage", "validate"), Timestamp: aws.Time(t0.Add(20 * time.Second)), Value: aws.Float64(30), Unit: types.StandardUnitCount},
			{MetricName: aws.String("Rows"), Dimensions: dims("Stage", "validate"), Timestamp: aws.Time(t0.Add(70 * time.Second)), Values: []float64{1, 2, 3}, Counts: []float64{1, 1, 2}, Unit: types.StandardUnitCount},
			{MetricName: aws.String("Rows"), Dimensions: dims("Stage", "store"), Timestamp: aws.Time(t0.Add(5 * time.Second)), StatisticValues: &types.StatisticSet{SampleCount: aws.Float64(4), Sum: aws.Float64(8), Minimum: aws.Float64(1), Maximum: aws.Float64(3)}},
			{MetricName: aws.String("Bytes"), Dimensions: dims("Stage", "validate", "Dataset", "sales"), Timestamp: aws.Time(t0), Value: aws.Float64(1024), Unit: types.StandardUnitBytes},
		},
	})
	if err != nil {
		t.Fatalf("PutMetricData: %v", err)
	}
}

func TestGetMetricData(t *testing.T) {
	_, client, _ := newClient(t)
	seed(t, client)
	out, err := client.GetMetricData(context.Background(), &sdk.GetMetricDataInput{
		StartTime: aws.Time(t0), EndTime: aws.Time(t0.Add(time.Hour)),
		MetricDataQueries: []types.MetricDataQuery{
			{Id: aws.String("sum"), MetricStat: &types.MetricStat{Metric: &types.Metric{Namespace: aws.String("Sluice"), MetricName: aws.String("Rows"), Dimensions: dims("Stage", "validate")}, Period: aws.Int32(60), Stat: aws.String("Sum")}},
			{Id: aws.String("avg"), Label: aws.String("mean"), MetricStat: &types.MetricStat{Metric: &types.Metric{Namespace: aws.String("Sluice"), MetricName: aws.String("Rows"), Dimensions: dims("Stage", "validate")}, Period: aws.Int32(60), Stat: aws.String("Average")}},
			{Id: aws.String("p50"), MetricStat: &types.MetricStat{Metric: &types.Metric{Namespace: aws.String("Sluice"), MetricName: aws.String("Rows"), Dimensions: dims("Stage", "validate")}, Period: aws.Int32(60), Stat: aws.String("p50")}},
			{Id: aws.String("store"), MetricStat: &types.MetricStat{Metric: &types.Metric{Namespace: aws.String("Sluice"), MetricName: aws.String("Rows"), Dimensions: dims("Stage", "store")}, Period: aws.Int32(300), Stat: aws.String("Maximum")}},
			{Id: aws.String("none"), MetricStat: &types.MetricStat{Metric: &types.Metric{Namespace: aws.String("Sluice"), MetricName: aws.String("Rows")}, Period: aws.Int32(60), Stat: aws.String("Sum")}},
		},
	})
	if err != nil {
		t.Fatalf("GetMetricData: %v", err)
	}
	type result struct {
		ID, Label  string
		Timestamps []time.Time
		Values     []float64
		Status     types.StatusCode
	}
	var got []result
	for _, r := range out.MetricDataResults {
		var ts []time.Time
		for _, x := range r.Timestamps {
			ts = append(ts, x.UTC())
		}
		got = append(got, result{aws.ToString(r.Id), aws.ToString(r.Label), ts, r.Values, r.StatusCode})
	}
	m1 := t0.Add(time.Minute)
	want := []result{
		// Descending by default; the second minute holds 1 + 2 + 3*2.
		{"sum", "Rows", []time.Time{m1, t0}, []float64{9, 40}, types.StatusCodeComplete},
		{"avg", "mean", []time.Time{m1, t0}, []float64{2.25, 20}, types.StatusCodeComplete},
		{"p50", "Rows", []time.Time{m1, t0}, []float64{2, 10}, types.StatusCodeComplete},
		{"store", "Rows", []time.Time{t0}, []float64{3}, types.StatusCodeComplete},
		{"none", "Rows", nil, nil, types.StatusCodeComplete},
	}
	if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("results (-want +got):\n%s", diff)
	}
}

func TestGetMetricStatistics(t *testing.T) {
	_, client, _ := newClient(t)
	seed(t, client)
	out, err := client.GetMetricStatistics(context.Background(), &sdk.GetMetricStatisticsInput{
		Namespace: aws.String("Sluice"), MetricName: aws.String("Rows"), Dimensions: dims("Stage", "validate"),
		StartTime: aws.Time(t0), EndTime: aws.Time(t0.Add(time.Hour)), Period: aws.Int32(3600),
		Statistics: []types.Statistic{types.StatisticSampleCount, types.StatisticSum, types.StatisticMinimum, types.StatisticMaximum}, ExtendedStatistics: []string{"p100"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Datapoints) != 1 {
		t.Fatalf("%d datapoints, want 1", len(out.Datapoints))
	}
	dp := out.Datapoints[0]
	got := []float64{aws.ToFloat64(dp.SampleCount), aws.ToFloat64(dp.Sum), aws.ToFloat64(dp.Minimum), aws.ToFloat64(dp.Maximum), dp.ExtendedStatistics["p100"]}
	if diff := cmp.Diff([]float64{6, 49, 1, 30, 30}, got); diff != "" {
		t.Errorf("statistics (-want +got):\n%s", diff)
	}
	if dp.Unit != types.StandardUnitCount || !dp.Timestamp.Equal(t0) {
		t.Errorf("unit %q at %v, want Count at %v", dp.Unit, dp.Timestamp, t0)
	}
}

func TestListMetrics(t *testing.T) {
	_, client, _ := newClient(t)
	seed(t, client)
	type metric struct {
		Name string
		Dims string
	}
	list := func(in *sdk.ListMetricsInput) []metric {
		t.Helper()
		out, err := client.ListMetrics(context.Background(), in)
		if err != nil {
			t.Fatal(err)
		}
		var got []metric
		for _, m := range out.Metrics {
			var ds []string
			for _, d := range m.Dimensions {
				ds = append(ds, aws.ToString(d.Name)+"="+aws.ToString(d.Value))
			}
			got = append(got, metric{aws.ToString(m.MetricName), strings.Join(ds, ",")})
		}
		return got
	}
	tests := []struct {
		name string
		in   sdk.ListMetricsInput
		want []metric
	}{
		{"all", sdk.ListMetricsInput{}, []metric{{"Bytes", "Dataset=sales,Stage=validate"}, {"Rows", "Stage=store"}, {"Rows", "Stage=validate"}}},
		{"by name", sdk.ListMetricsInput{MetricName: aws.String("Bytes")}, []metric{{"Bytes", "Dataset=sales,Stage=validate"}}},
		{"by dimension value", sdk.ListMetricsInput{Dimensions: []types.DimensionFilter{{Name: aws.String("Stage"), Value: aws.String("store")}}}, []metric{{"Rows", "Stage=store"}}},
		{"by dimension name", sdk.ListMetricsInput{Dimensions: []types.DimensionFilter{{Name: aws.String("Dataset")}}}, []metric{{"Bytes", "Dataset=sales,Stage=validate"}}},
		{"other namespace", sdk.ListMetricsInput{Namespace: aws.String("Other")}, nil},
		{"recently active", sdk.ListMetricsInput{RecentlyActive: types.RecentlyActivePt3h}, []metric{{"Bytes", "Dataset=sales,Stage=validate"}, {"Rows", "Stage=store"}, {"Rows", "Stage=validate"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, list(&tc.in)); diff != "" {
				t.Errorf("metrics (-want +got):\n%s", diff)
			}
		})
	}
}

func TestValidationErrors(t *testing.T) {
	_, client, _ := newClient(t)
	ctx := context.Background()
	put := func(d types.MetricDatum) error {
		_, err := client.PutMetricData(ctx, &sdk.PutMetricDataInput{Namespace: aws.String("N"), MetricData: []types.MetricDatum{d}})
		return err
	}
	tests := []struct {
		name string
		call func() error
		want string
	}{
		{"reserved namespace", func() error {
			_, err := client.PutMetricData(ctx, &sdk.PutMetricDataInput{Namespace: aws.String("AWS/Lambda"), MetricData: []types.MetricDatum{{MetricName: aws.String("M"), Value: aws.Float64(1)}}})
			return err
		}, "InvalidParameterValue"},
		{"value and statistic values", func() error {
			return put(types.MetricDatum{MetricName: aws.String("M"), Value: aws.Float64(1), StatisticValues: &types.StatisticSet{SampleCount: aws.Float64(1), Sum: aws.Float64(1), Minimum: aws.Float64(1), Maximum: aws.Float64(1)}})
		}, "InvalidParameterCombination"},
		{"no value", func() error { return put(types.MetricDatum{MetricName: aws.String("M")}) }, "InvalidParameterCombination"},
		{"NaN", func() error {
			return put(types.MetricDatum{MetricName: aws.String("M"), Value: aws.Float64(math.NaN())})
		}, "InvalidParameterValue"},
		{"counts size", func() error {
			return put(types.MetricDatum{MetricName: aws.String("M"), Values: []float64{1, 2}, Counts: []float64{1}})
		}, "InvalidParameterValue"},
		{"bad resolution", func() error {
			return put(types.MetricDatum{MetricName: aws.String("M"), Value: aws.Float64(1), StorageResolution: aws.Int32(5)})
		}, "InvalidParameterValue"},
		{"bad period", func() error {
			_, err := client.GetMetricStatistics(ctx, &sdk.GetMetricStatisticsInput{Namespace: aws.String("N"), MetricName: aws.String("M"),
				StartTime: aws.Time(t0), EndTime: aws.Time(t0.Add(time.Hour)), Period: aws.Int32(61), Statistics: []types.Statistic{types.StatisticSum}})
			return err
		}, "InvalidParameterValue"},
		{"start after end", func() error {
			_, err := client.GetMetricStatistics(ctx, &sdk.GetMetricStatisticsInput{Namespace: aws.String("N"), MetricName: aws.String("M"),
				StartTime: aws.Time(t0), EndTime: aws.Time(t0), Period: aws.Int32(60), Statistics: []types.Statistic{types.StatisticSum}})
			return err
		}, "InvalidParameterValue"},
		{"too many datapoints", func() error {
			_, err := client.GetMetricStatistics(ctx, &sdk.GetMetricStatisticsInput{Namespace: aws.String("N"), MetricName: aws.String("M"),
				StartTime: aws.Time(t0), EndTime: aws.Time(t0.Add(48 * time.Hour)), Period: aws.Int32(60), Statistics: []types.Statistic{types.StatisticSum}})
			return err
		}, "InvalidParameterCombination"},
		{"no statistics", func() error {
			_, err := client.GetMetricStatistics(ctx, &sdk.GetMetricStatisticsInput{Namespace: aws.String("N"), MetricName: aws.String("M"),
				StartTime: aws.Time(t0), EndTime: aws.Time(t0.Add(time.Hour)), Period: aws.Int32(60)})
			return err
		}, "InvalidParameterCombination"},
		{"expression", func() error {
			_, err := client.GetMetricData(ctx, &sdk.GetMetricDataInput{StartTime: aws.Time(t0), EndTime: aws.Time(t0.Add(time.Hour)),
				MetricDataQueries: []types.MetricDataQuery{{Id: aws.String("e1"), Expression: aws.String("SUM(METRICS())")}}})
			return err
		}, "InvalidParameterValue"},
		{"bad query id", func() error {
			_, err := client.GetMetricData(ctx, &sdk.GetMetricDataInput{StartTime: aws.Time(t0), EndTime: aws.Time(t0.Add(time.Hour)),
				MetricDataQueries: []types.MetricDataQuery{{Id: aws.String("Upper"), MetricStat: &types.MetricStat{Metric: &types.Metric{Namespace: aws.String("N"), MetricName: aws.String("M")}, Period: aws.Int32(60), Stat: aws.String("Sum")}}}})
			return err
		}, "InvalidParameterValue"},
		{"bad next token", func() error {
			_, err := client.ListMetrics(ctx, &sdk.ListMetricsInput{NextToken: aws.String("garbage!")})
			return err
		}, "InvalidNextToken"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := code(tc.call()); got != tc.want {
				t.Errorf("code = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestMalformedRequests(t *testing.T) {
	_, _, url := newClient(t)
	tests := []struct {
		name, path, body string
		wantStatus       int
		wantQueryError   string
	}{
		{"not cbor", cloudwatch.ServicePath + "PutMetricData", "\xff\xff", 400, "SerializationException;Sender"},
		{"cbor but not a map", cloudwatch.ServicePath + "PutMetricData", "\x01", 400, "SerializationException;Sender"},
		{"unknown operation", cloudwatch.ServicePath + "DeleteEverything", "", 404, "UnknownOperation;Sender"},
		{"wrong path", "/", "", 404, "UnknownOperation;Sender"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := http.Post(url+tc.path, "application/cbor", strings.NewReader(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.wantStatus || resp.Header.Get("X-Amzn-Query-Error") != tc.wantQueryError {
				t.Errorf("got %d %q, want %d %q", resp.StatusCode, resp.Header.Get("X-Amzn-Query-Error"), tc.wantStatus, tc.wantQueryError)
			}
		})
	}
}

func TestPutFromGo(t *testing.T) {
	srv, client, _ := newClient(t)
	if err := srv.Put("Sluice", cloudwatch.Datum{MetricName: "Stored", Value: aws.Float64(1), Dimensions: []cloudwatch.Dimension{{Name: "Stage", Value: "store"}}}); err != nil {
		t.Fatal(err)
	}
	var ae interface{ ErrorCode() string }
	if err := srv.Put("AWS/S3", cloudwatch.Datum{MetricName: "X", Value: aws.Float64(1)}); !errors.As(err, &ae) || ae.ErrorCode() != "InvalidParameterValue" {
		t.Errorf("Put into AWS/ namespace: %v, want InvalidParameterValue", err)
	}
	out, err := client.ListMetrics(context.Background(), &sdk.ListMetricsInput{Namespace: aws.String("Sluice")})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Metrics) != 1 || aws.ToString(out.Metrics[0].MetricName) != "Stored" {
		t.Errorf("ListMetrics = %+v, want Stored", out.Metrics)
	}
}

func TestPutServiceMetrics(t *testing.T) {
	srv, client, _ := newClient(t)
	if err := srv.PutServiceMetrics("AWS/Lambda", cloudwatch.Datum{MetricName: "Invocations", Value: aws.Float64(1),
		Dimensions: []cloudwatch.Dimension{{Name: "FunctionName", Value: "validate"}}}); err != nil {
		t.Fatal(err)
	}
	out, err := client.ListMetrics(context.Background(), &sdk.ListMetricsInput{Namespace: aws.String("AWS/Lambda")})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Metrics) != 1 || aws.ToString(out.Metrics[0].MetricName) != "Invocations" {
		t.Errorf("ListMetrics AWS/Lambda = %+v", out.Metrics)
	}
}
