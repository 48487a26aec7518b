package stack

import (
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/google/go-cmp/cmp"

	"github.com/sluicehq/sluice/local/logs"
	localsfn "github.com/sluicehq/sluice/local/sfn"
)

// TestExecutionLogSinkStreams: records of several streams in one call each land in their own stream, in
// the order they were logged, read back with GetLogEvents; a group of another account is an error that
// does not keep the others from being written. The same with the messages lent (PutExecutionLogsLent):
// their bytes, overwritten once the call has returned, are stored as they were during the call.
func TestExecutionLogSinkStreams(t *testing.T) {
	for _, lent := range []bool{false, true} {
		t.Run(map[bool]string{false: "strings", true: "lent"}[lent], func(t *testing.T) { testExecutionLogSinkStreams(t, lent) })
	}
}

func testExecutionLogSinkStreams(t *testing.T, lent bool) {
	ctx := t.Context()
	const region, account = "us-east-1", "000000000000"
	svc, err := logs.New(logs.WithRegion(region), logs.WithAccount(account))
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	for _, g := range []string{"g1", "g2"} {
		if err := svc.CreateLogGroup(ctx, g, 0, false); err != nil {
			t.Fatal(err)
		}
	}
	arn := func(account, group string) string {
		return "arn:aws:logs:" + region + ":" + account + ":log-group:" + group + ":*"
	}
	at := time.Now().Add(-time.Minute).Truncate(time.Millisecond)
	var recs []localsfn.ExecutionLog
	for i, d := range []struct{ account, group, stream, msg string }{
		{account, "g1", "s1", `{"id":"1"}`},
		{account, "g2", "s1", `{"id":"2"}`},
		{"111111111111", "g1", "s1", `{"id":"3"}`},
		{account, "g1", "s2", `{"id":"4"}`},
		{account, "g1", "s1", `{"id":"5"}`},
		{account, "g2", "s1", `{"id":"6"}`},
		{account, "g1", "s1", `{"id":"7"}`},
	} {
		recs = append(recs, localsfn.ExecutionLog{LogGroupArn: arn(d.account, d.group), LogStream: d.stream,
			Timestamp: at.Add(time.Duration(i) * time.Millisecond), Message: d.msg})
	}
	sink := executionLogSink{logs: svc, region: region, account: account}
	if !lent {
		if err := sink.PutExecutionLogs(ctx, recs); err == nil {
			t.Error("PutExecutionLogs with a group of another account: no error")
		}
	} else {
		lentRecs := make([]localsfn.LentExecutionLog, len(recs))
		for i, r := range recs {
			lentRecs[i] = localsfn.LentExecutionLog{LogGroupArn: r.LogGroupArn, LogStream: r.LogStream, Timestamp: r.Timestamp, Message: []byte(r.Message)}
		}
		if err := sink.PutExecutionLogsLent(ctx, lentRecs); err == nil {
			t.Error("PutExecutionLogsLent with a group of another account: no error")
		}
		for _, r := range lentRecs {
			for i := range r.Message {
				r.Message[i] = 'x' // the sink must have copied what it keeps
			}
		}
	}

	srv := httptest.NewServer(svc)
	defer srv.Close()
	c := cloudwatchlogs.New(cloudwatchlogs.Options{Region: region, BaseEndpoint: aws.String(srv.URL),
		Credentials: credentials.NewStaticCredentialsProvider("local", "local", "")})
	for _, tc := range []struct {
		group, stream string
		want          []string
	}{
		{"g1", "s1", []string{`{"id":"1"}`, `{"id":"5"}`, `{"id":"7"}`}},
		{"g2", "s1", []string{`{"id":"2"}`, `{"id":"6"}`}},
		{"g1", "s2", []string{`{"id":"4"}`}},
	} {
		out, err := c.GetLogEvents(ctx, &cloudwatchlogs.GetLogEventsInput{LogGroupName: aws.String(tc.group),
			LogStreamName: aws.String(tc.stream), StartFromHead: aws.Bool(true)})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range out.Events {
			got = append(got, aws.ToString(e.Message))
		}
		if diff := cmp.Diff(got, tc.want); diff != "" {
			t.Errorf("%s/%s (-got +want):\n%s", tc.group, tc.stream, diff)
		}
	}
}
