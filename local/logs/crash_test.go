package logs_test

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"

	"github.com/sluicehq/sluice/local/logs"
)

// TestCrashChild is the server process TestKill9 kills; it does nothing on its own.
func TestCrashChild(t *testing.T) {
	dir := os.Getenv("SLUICE_LOGS_CRASH_DIR")
	if dir == "" {
		t.Skip("run by TestKill9")
	}
	svc, err := logs.New(logs.WithDataDir(dir))
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	fmt.Printf("LISTENING %s\n", ln.Addr())
	_ = http.Serve(ln, svc) // until killed
}

// TestKill9 kills the service's process with SIGKILL while writers put events: every event whose
// PutLogEvents was answered is there after a restart, in its stream, in order.
func TestKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process")
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.v")
	cmd.Env = append(os.Environ(), "SLUICE_LOGS_CRASH_DIR="+dir)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	var addr string
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		if a, ok := strings.CutPrefix(sc.Text(), "LISTENING "); ok {
			addr = a
			break
		}
	}
	if addr == "" {
		t.Fatal("child did not start")
	}
	go func() {
		for sc.Scan() {
		}
	}()
	client := cwl.New(cwl.Options{Region: "us-east-1", BaseEndpoint: aws.String("http://" + addr),
		Credentials: credentials.NewStaticCredentialsProvider("local", "local", ""), RetryMaxAttempts: 1})
	ctx := t.Context()
	if _, err := client.CreateLogGroup(ctx, &cwl.CreateLogGroupInput{LogGroupName: aws.String("g")}); err != nil {
		t.Fatal(err)
	}
	const writers = 16 // concurrent: their requests share group commits (commit.go)
	acked := make([][]string, writers)
	var acks atomic.Int64
	var wg sync.WaitGroup
	for w := range writers {
		stream := fmt.Sprintf("s%d", w)
		if _, err := client.CreateLogStream(ctx, &cwl.CreateLogStreamInput{LogGroupName: aws.String("g"), LogStreamName: aws.String(stream)}); err != nil {
			t.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 100000; i++ {
				msg := fmt.Sprintf("writer %d line %d", w, i)
				_, err := client.PutLogEvents(ctx, &cwl.PutLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String(stream),
					LogEvents: []types.InputLogEvent{{Timestamp: aws.Int64(time.Now().UnixMilli()), Message: aws.String(msg)}}})
				if err != nil {
					return // the process died
				}
				acked[w] = append(acked[w], msg)
				acks.Add(1)
			}
		}()
	}
	// Kill once some writes were acknowledged (and more are in flight).
	for deadline := time.Now().Add(30 * time.Second); acks.Load() < 200 && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	_ = cmd.Wait()

	svc, err := logs.New(logs.WithDataDir(dir))
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	total := 0
	for w := range writers {
		got := map[string]bool{}
		out, err := readAll(t, svc, "g", fmt.Sprintf("s%d", w))
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range out {
			got[m] = true
		}
		for _, m := range acked[w] {
			if !got[m] {
				t.Fatalf("acknowledged %q lost after kill -9 (%d acknowledged, %d recovered)", m, len(acked[w]), len(out))
			}
		}
		total += len(acked[w])
	}
	if total == 0 {
		t.Fatal("no write was acknowledged before the kill")
	}
	t.Logf("%d acknowledged events, all recovered", total)
}

// readAll returns a stream's messages through the API, from the head.
func readAll(t *testing.T, svc *logs.Service, group, stream string) ([]string, error) {
	srv := httptest.NewServer(svc)
	defer srv.Close()
	client := cwl.New(cwl.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL),
		Credentials: credentials.NewStaticCredentialsProvider("local", "local", "")})
	var out []string
	p := cwl.NewGetLogEventsPaginator(client, &cwl.GetLogEventsInput{LogGroupName: aws.String(group), LogStreamName: aws.String(stream),
		StartFromHead: aws.Bool(true)}, func(o *cwl.GetLogEventsPaginatorOptions) { o.StopOnDuplicateToken = true })
	for p.HasMorePages() {
		page, err := p.NextPage(t.Context())
		if err != nil {
			return nil, err
		}
		for _, e := range page.Events {
			out = append(out, aws.ToString(e.Message))
		}
	}
	return out, nil
}
