package stack

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	"github.com/google/go-cmp/cmp"

	localsfn "github.com/sluicehq/sluice/local/sfn"
)

const dmapRole = "arn:aws:iam::000000000000:role/dmap"

func (st *Stack) testSFN() *sfn.Client {
	return sfn.New(sfn.Options{Region: "us-east-1", BaseEndpoint: aws.String(st.URL()),
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""), APIOptions: []func(*middleware.Stack) error{localsfn.DisableHostPrefix}})
}

// runMachine creates a state machine, runs it on input and waits for its end.
func runMachine(t *testing.T, c *sfn.Client, name, definition, input string) *sfn.DescribeExecutionOutput {
	t.Helper()
	ctx := t.Context()
	sm, err := c.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String(name), Definition: aws.String(definition), RoleArn: aws.String(dmapRole)})
	if err != nil {
		t.Fatal(err)
	}
	ex, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: sm.StateMachineArn, Input: aws.String(input)})
	if err != nil {
		t.Fatal(err)
	}
	return waitExecution(t, c, aws.ToString(ex.ExecutionArn), 3*time.Minute)
}

func waitExecution(t testing.TB, c *sfn.Client, arn string, limit time.Duration) *sfn.DescribeExecutionOutput {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		d, err := c.DescribeExecution(t.Context(), &sfn.DescribeExecutionInput{ExecutionArn: aws.String(arn)})
		if err != nil {
			t.Fatal(err)
		}
		if d.Status != types.ExecutionStatusRunning {
			return d
		}
		if time.Now().After(deadline) {
			t.Fatalf("execution %s still running after %v", arn, limit)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func getObject(t *testing.T, c *s3.Client, bucket, key string) []byte {
	t.Helper()
	out, err := c.GetObject(t.Context(), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatalf("get s3://%s/%s: %v", bucket, key, err)
	}
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// putObjects uploads n small objects under prefix with 16 clients at once.
func putObjects(t *testing.T, c *s3.Client, bucket, prefix string, n int) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	keys := make(chan int)
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range keys {
				_, err := c.PutObject(t.Context(), &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(fmt.Sprintf("%s%05d.txt", prefix, i)),
					Body: strings.NewReader(fmt.Sprint(i))})
				if err != nil {
					select {
					case errs <- err:
					default:
					}
				}
			}
		}()
	}
	for i := range n {
		keys <- i
	}
	close(keys)
	wg.Wait()
	select {
	case err := <-errs:
		t.Fatal(err)
	default:
	}
}

// resultManifest is AWS's manifest.json.
type resultManifest struct {
	DestinationBucket string
	MapRunArn         string
	ResultFiles       map[string][]struct {
		Key  string
		Size int64
	}
}

// TestDistributedMapOverBucket runs a Distributed Map over 10,000 objects of the local bucket
// (s3:listObjectsV2), exports the results with a ResultWriter and reads them back in AWS's layout,
// then checks the Map Run through DescribeMapRun, ListMapRuns, ListExecutions, DescribeExecution and the
// AWS CLI's list-map-runs. Under the race detector (make test) it runs over 2,000 objects: 10,000 take
// about a minute there, one second without it.
func TestDistributedMapOverBucket(t *testing.T) {
	n := 10_000
	if raceEnabled {
		n = 2_000
	}
	st := startTestStack(t, nil)
	s3c, c := st.testS3(t), st.testSFN()
	ctx := t.Context()
	for _, b := range []string{"dmap-data", "dmap-out"} {
		if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(b)}); err != nil {
			t.Fatal(err)
		}
	}
	putObjects(t, s3c, "dmap-data", "items/", n)
	if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("dmap-data"), Key: aws.String("other/x"), Body: strings.NewReader("x")}); err != nil {
		t.Fatal(err)
	}
	def := `{"StartAt":"Each","States":{"Each":{"Type":"Map","Label":"Each","MaxConcurrency":1000,
	  "ItemReader":{"Resource":"arn:aws:states:::s3:listObjectsV2","Parameters":{"Bucket":"dmap-data","Prefix.$":"$.prefix"}},
	  "ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},"StartAt":"Touch",
	    "States":{"Touch":{"Type":"Pass","Parameters":{"key.$":"$.Key","size.$":"$.Size"},"End":true}}},
	  "ResultWriter":{"Resource":"arn:aws:states:::s3:putObject","Parameters":{"Bucket":"dmap-out","Prefix":"runs"}},
	  "End":true}}}`
	start := time.Now()
	d := runMachine(t, c, "bucket-map", def, `{"prefix":"items/"}`)
	t.Logf("%d items in %v", n, time.Since(start))
	if d.Status != types.ExecutionStatusSucceeded {
		t.Fatalf("execution %s: %s %s", d.Status, aws.ToString(d.Error), aws.ToString(d.Cause))
	}
	var out struct {
		MapRunArn           string
		ResultWriterDetails struct{ Bucket, Key string }
	}
	if err := json.Unmarshal([]byte(aws.ToString(d.Output)), &out); err != nil {
		t.Fatal(err)
	}
	runID := out.MapRunArn[strings.LastIndexByte(out.MapRunArn, ':')+1:]
	if want := "runs/" + runID + "/manifest.json"; out.ResultWriterDetails.Bucket != "dmap-out" || out.ResultWriterDetails.Key != want {
		t.Fatalf("ResultWriterDetails = %+v, want dmap-out %s", out.ResultWriterDetails, want)
	}
	var m resultManifest
	if err := json.Unmarshal(getObject(t, s3c, "dmap-out", out.ResultWriterDetails.Key), &m); err != nil {
		t.Fatal(err)
	}
	if m.DestinationBucket != "dmap-out" || m.MapRunArn != out.MapRunArn || len(m.ResultFiles["FAILED"]) != 0 || len(m.ResultFiles["PENDING"]) != 0 {
		t.Errorf("manifest %+v", m)
	}
	seen := map[string]bool{}
	for i, f := range m.ResultFiles["SUCCEEDED"] {
		if want := fmt.Sprintf("runs/%s/SUCCEEDED_%d.json", runID, i); f.Key != want {
			t.Errorf("result file %d = %s, want %s", i, f.Key, want)
		}
		body := getObject(t, s3c, "dmap-out", f.Key)
		if int64(len(body)) != f.Size {
			t.Errorf("%s: %d bytes, manifest says %d", f.Key, len(body), f.Size)
		}
		var recs []struct {
			ExecutionArn, Name, Status, Input, Output, StateMachineArn string
			InputDetails, OutputDetails                                struct{ Included bool }
		}
		if err := json.Unmarshal(body, &recs); err != nil {
			t.Fatal(err)
		}
		for _, r := range recs {
			var o struct {
				Key  string
				Size int
			}
			if err := json.Unmarshal([]byte(r.Output), &o); err != nil || r.Status != "SUCCEEDED" || !r.OutputDetails.Included {
				t.Fatalf("record %+v: %v", r, err)
			}
			seen[o.Key] = true
		}
	}
	if len(seen) != n || !seen["items/00000.txt"] || !seen[fmt.Sprintf("items/%05d.txt", n-1)] || seen["other/x"] {
		t.Errorf("results cover %d distinct keys, want the %d under the prefix", len(seen), n)
	}

	dm, err := c.DescribeMapRun(ctx, &sfn.DescribeMapRunInput{MapRunArn: aws.String(out.MapRunArn)})
	if err != nil {
		t.Fatal(err)
	}
	if dm.Status != types.MapRunStatusSucceeded || dm.ItemCounts.Succeeded != int64(n) || dm.ItemCounts.Total != int64(n) ||
		dm.ExecutionCounts.Succeeded != int64(n) || aws.ToString(dm.ExecutionArn) != aws.ToString(d.ExecutionArn) || dm.MaxConcurrency != 1000 || dm.StopDate == nil {
		t.Errorf("DescribeMapRun = status %s items %+v executions %+v maxConcurrency %d", dm.Status, dm.ItemCounts, dm.ExecutionCounts, dm.MaxConcurrency)
	}
	runs, err := c.ListMapRuns(ctx, &sfn.ListMapRunsInput{ExecutionArn: d.ExecutionArn})
	if err != nil {
		t.Fatal(err)
	}
	if len(runs.MapRuns) != 1 || aws.ToString(runs.MapRuns[0].MapRunArn) != out.MapRunArn {
		t.Errorf("ListMapRuns = %+v", runs.MapRuns)
	}
	// Every child is listed once across the pages.
	children := map[string]bool{}
	var token *string
	for page := 0; ; page++ {
		l, err := c.ListExecutions(ctx, &sfn.ListExecutionsInput{MapRunArn: aws.String(out.MapRunArn), MaxResults: 1000, NextToken: token})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range l.Executions {
			if aws.ToString(e.MapRunArn) != out.MapRunArn || aws.ToInt32(e.ItemCount) != 1 || e.Status != types.ExecutionStatusSucceeded {
				t.Fatalf("child %+v", e)
			}
			children[aws.ToString(e.ExecutionArn)] = true
		}
		if token = l.NextToken; token == nil {
			break
		}
		if page > n/1000 {
			t.Fatal("ListExecutions does not end")
		}
	}
	if len(children) != n {
		t.Errorf("ListExecutions listed %d children, want %d", len(children), n)
	}
	var one string
	for arn := range children {
		one = arn
		break
	}
	child, err := c.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(one)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(child.MapRunArn) != out.MapRunArn || child.Status != types.ExecutionStatusSucceeded || !strings.Contains(aws.ToString(child.Output), `"key":"items/`) {
		t.Errorf("DescribeExecution of a child = %+v", child)
	}
	hist, err := c.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: aws.String(one)})
	if err != nil {
		t.Fatal(err)
	}
	if len(hist.Events) == 0 || hist.Events[0].Type != types.HistoryEventTypeExecutionStarted {
		t.Errorf("a child's history starts with %v", hist.Events)
	}
	parent, err := c.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: d.ExecutionArn})
	if err != nil {
		t.Fatal(err)
	}
	var types_ []string
	for _, e := range parent.Events {
		if strings.HasPrefix(string(e.Type), "MapRun") {
			types_ = append(types_, string(e.Type))
		}
	}
	if diff := cmp.Diff(types_, []string{"MapRunStarted", "MapRunSucceeded"}); diff != "" {
		t.Errorf("the parent's MapRun events (-got +want):\n%s", diff)
	}

	if _, err := exec.LookPath("aws"); err == nil && !testing.Short() {
		for _, args := range [][]string{
			{"list-map-runs", "--execution-arn", aws.ToString(d.ExecutionArn)},
			{"describe-map-run", "--map-run-arn", out.MapRunArn},
		} {
			cmd := exec.CommandContext(ctx, "aws", append([]string{"--endpoint-url", st.URL(), "--region", "us-east-1", "--output", "json",
				"stepfunctions"}, args...)...)
			cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID=local", "AWS_SECRET_ACCESS_KEY=local", "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null")
			got, err := cmd.CombinedOutput()
			if err != nil || !strings.Contains(string(got), out.MapRunArn) {
				t.Errorf("aws stepfunctions %s: %v\n%s\nwant %s in the output", args[0], err, got, out.MapRunArn)
			}
		}
	}
}

// csvBody makes rows of CSV with a header.
func csvBody(rows int) []byte {
	var b bytes.Buffer
	b.WriteString("id,name,note\n")
	for i := range rows {
		fmt.Fprintf(&b, "%d,\"row %d, quoted\",%s\n", i, i, strings.Repeat("x", 40))
	}
	return b.Bytes()
}

// TestDistributedMapOverCSV reads a CSV object of the local bucket in batches and writes the results
// as JSONL with the COMPACT transformation; a missing object fails the state with
// States.ItemReaderFailed.
func TestDistributedMapOverCSV(t *testing.T) {
	const rows = 20_000
	st := startTestStack(t, nil)
	s3c, c := st.testS3(t), st.testSFN()
	ctx := t.Context()
	if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("csv")}); err != nil {
		t.Fatal(err)
	}
	if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("csv"), Key: aws.String("in/rows.csv"), Body: bytes.NewReader(csvBody(rows))}); err != nil {
		t.Fatal(err)
	}
	def := `{"StartAt":"Rows","States":{"Rows":{"Type":"Map","MaxConcurrency":50,
	  "ItemReader":{"Resource":"arn:aws:states:::s3:getObject","ReaderConfig":{"InputType":"CSV","CSVHeaderLocation":"FIRST_ROW"},
	    "Parameters":{"Bucket":"csv","Key.$":"$.key"}},
	  "ItemBatcher":{"MaxItemsPerBatch":500},
	  "ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"EXPRESS"},"StartAt":"Ids",
	    "States":{"Ids":{"Type":"Pass","Parameters":{"ids.$":"$.Items[*].id"},"OutputPath":"$.ids","End":true}}},
	  "ResultWriter":{"Resource":"arn:aws:states:::s3:putObject","Parameters":{"Bucket":"csv","Prefix":"out"},
	    "WriterConfig":{"OutputType":"JSONL","Transformation":"FLATTEN"}},
	  "End":true}}}`
	d := runMachine(t, c, "csv-map", def, `{"key":"in/rows.csv"}`)
	if d.Status != types.ExecutionStatusSucceeded {
		t.Fatalf("execution %s: %s %s", d.Status, aws.ToString(d.Error), aws.ToString(d.Cause))
	}
	var out struct {
		MapRunArn           string
		ResultWriterDetails struct{ Bucket, Key string }
	}
	if err := json.Unmarshal([]byte(aws.ToString(d.Output)), &out); err != nil {
		t.Fatal(err)
	}
	var m resultManifest
	if err := json.Unmarshal(getObject(t, s3c, "csv", out.ResultWriterDetails.Key), &m); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, f := range m.ResultFiles["SUCCEEDED"] {
		if !strings.HasSuffix(f.Key, ".jsonl") {
			t.Errorf("result file %s is not .jsonl", f.Key)
		}
		for _, line := range strings.Split(strings.TrimSuffix(string(getObject(t, s3c, "csv", f.Key)), "\n"), "\n") {
			var id string
			if err := json.Unmarshal([]byte(line), &id); err != nil {
				t.Fatalf("line %q: %v", line, err)
			}
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	if len(ids) != rows || ids[0] != "0" {
		t.Errorf("%d ids written (first %v), want %d from \"0\": every CSV value is a string", len(ids), ids[:min(1, len(ids))], rows)
	}
	dm, err := c.DescribeMapRun(ctx, &sfn.DescribeMapRunInput{MapRunArn: aws.String(out.MapRunArn)})
	if err != nil {
		t.Fatal(err)
	}
	if dm.ItemCounts.Succeeded != rows || dm.ExecutionCounts.Succeeded != rows/500 {
		t.Errorf("DescribeMapRun items %+v executions %+v, want %d items in %d executions", dm.ItemCounts, dm.ExecutionCounts, rows, rows/500)
	}

	missing := runMachine(t, c, "csv-missing", def, `{"key":"in/nope.csv"}`)
	if missing.Status != types.ExecutionStatusFailed || aws.ToString(missing.Error) != "States.ItemReaderFailed" || !strings.Contains(aws.ToString(missing.Cause), "in/nope.csv") {
		t.Errorf("a missing object: %s %s %s, want FAILED with States.ItemReaderFailed", missing.Status, aws.ToString(missing.Error), aws.ToString(missing.Cause))
	}
	noBucket := runMachine(t, c, "csv-no-out", strings.Replace(def, `"Parameters":{"Bucket":"csv","Prefix":"out"}`, `"Parameters":{"Bucket":"no-such-bucket","Prefix":"out"}`, 1), `{"key":"in/rows.csv"}`)
	if noBucket.Status != types.ExecutionStatusFailed || aws.ToString(noBucket.Error) != "States.ResultWriterFailed" || !strings.Contains(aws.ToString(noBucket.Cause), "no-such-bucket") {
		t.Errorf("results to a missing bucket: %s %s %s, want FAILED with States.ResultWriterFailed", noBucket.Status, aws.ToString(noBucket.Error), aws.ToString(noBucket.Cause))
	}
}

// TestUpdateMapRun changes a running Map Run's concurrency and tolerated failures, sees them in
// DescribeMapRun, then stops the execution: the run ends ABORTED and can no longer be updated.
func TestUpdateMapRun(t *testing.T) {
	st := startTestStack(t, nil)
	c := st.testSFN()
	ctx := t.Context()
	def := `{"StartAt":"Slow","States":{"Slow":{"Type":"Map","MaxConcurrency":1,"ItemsPath":"$.items",
	  "ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},"StartAt":"Wait",
	    "States":{"Wait":{"Type":"Wait","Seconds":1,"End":true}}},"End":true}}}`
	sm, err := c.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("slow-map"), Definition: aws.String(def), RoleArn: aws.String(dmapRole)})
	if err != nil {
		t.Fatal(err)
	}
	items := make([]int, 100)
	in, _ := json.Marshal(map[string]any{"items": items})
	ex, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: sm.StateMachineArn, Input: aws.String(string(in))})
	if err != nil {
		t.Fatal(err)
	}
	var runArn string
	for deadline := time.Now().Add(30 * time.Second); runArn == ""; time.Sleep(20 * time.Millisecond) {
		l, err := c.ListMapRuns(ctx, &sfn.ListMapRunsInput{ExecutionArn: ex.ExecutionArn})
		if err != nil {
			t.Fatal(err)
		}
		if len(l.MapRuns) > 0 {
			runArn = aws.ToString(l.MapRuns[0].MapRunArn)
		} else if time.Now().After(deadline) {
			t.Fatal("no Map Run started")
		}
	}
	if _, err := c.UpdateMapRun(ctx, &sfn.UpdateMapRunInput{MapRunArn: aws.String(runArn), MaxConcurrency: aws.Int32(7),
		ToleratedFailureCount: aws.Int64(3), ToleratedFailurePercentage: aws.Float32(12.5)}); err != nil {
		t.Fatal(err)
	}
	dm, err := c.DescribeMapRun(ctx, &sfn.DescribeMapRunInput{MapRunArn: aws.String(runArn)})
	if err != nil {
		t.Fatal(err)
	}
	if dm.Status != types.MapRunStatusRunning || dm.MaxConcurrency != 7 || dm.ToleratedFailureCount != 3 || dm.ToleratedFailurePercentage != 12.5 {
		t.Errorf("after UpdateMapRun: status %s maxConcurrency %d toleratedFailureCount %d toleratedFailurePercentage %v",
			dm.Status, dm.MaxConcurrency, dm.ToleratedFailureCount, dm.ToleratedFailurePercentage)
	}
	if _, err := c.StopExecution(ctx, &sfn.StopExecutionInput{ExecutionArn: ex.ExecutionArn}); err != nil {
		t.Fatal(err)
	}
	var status types.MapRunStatus
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		dm, err := c.DescribeMapRun(ctx, &sfn.DescribeMapRunInput{MapRunArn: aws.String(runArn)})
		if err != nil {
			t.Fatal(err)
		}
		if status = dm.Status; status != types.MapRunStatusRunning || time.Now().After(deadline) {
			break
		}
	}
	if status != types.MapRunStatusAborted {
		t.Errorf("Map Run of a stopped execution is %s, want ABORTED", status)
	}
	_, err = c.UpdateMapRun(ctx, &sfn.UpdateMapRunInput{MapRunArn: aws.String(runArn), MaxConcurrency: aws.Int32(1)})
	if code := errorCode(err); code != "ValidationException" {
		t.Errorf("UpdateMapRun of an ended run: %v, want ValidationException", err)
	}
}

func errorCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}
