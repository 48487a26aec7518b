package stack

import (
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

func getHealth(t *testing.T, st *Stack) (Health, int) {
	t.Helper()
	resp, err := http.DefaultClient.Do(newRequest(t, http.MethodGet, st.URL()+"/_sluice/health", "", ""))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var h Health
	if err := json.NewDecoder(resp.Body).Decode(&h); err != nil {
		t.Fatal(err)
	}
	return h, resp.StatusCode
}

// TestHealth: /_sluice/health probes every service through its API and says which one fails.
func TestHealth(t *testing.T) {
	st := startTestStack(t, nil)
	h, code := getHealth(t, st)
	if code != http.StatusOK || h.Status != "ok" || h.PID != os.Getpid() || h.Endpoint != st.URL() {
		t.Fatalf("health: %d %+v", code, h)
	}
	for _, svc := range []string{"s3", "stepfunctions", "events", "lambda", "cloudwatch", "logs", "cloudformation"} {
		if s, ok := h.Services[svc]; !ok || s.Status != "ok" || s.Probe == "" {
			t.Errorf("%s: %+v", svc, s)
		}
	}
	// Without its bucket the stack is not usable: the probe says so.
	client := st.testS3(t)
	if _, err := client.DeleteBucket(t.Context(), &s3.DeleteBucketInput{Bucket: aws.String(st.Resources().Bucket)}); err != nil {
		t.Skipf("cannot delete the bucket to break the stack: %v", err)
	}
	h, code = getHealth(t, st)
	if code != http.StatusServiceUnavailable || h.Status != "unavailable" || h.Services["s3"].Status != "unavailable" || !strings.Contains(h.Services["s3"].Error, "404") {
		t.Errorf("health without the bucket: %d %+v", code, h)
	}
	if h.Services["stepfunctions"].Status != "ok" {
		t.Errorf("stepfunctions: %+v", h.Services["stepfunctions"])
	}
}

// TestHealthWithoutAStack: a stack started without a template (Config.Empty) is healthy: the services
// answer, there is nothing deployed to probe.
func TestHealthWithoutAStack(t *testing.T) {
	st := startTestStack(t, func(c *Config) { c.Empty = true })
	h, code := getHealth(t, st)
	if code != http.StatusOK || h.Status != "ok" {
		t.Fatalf("health: %d %+v", code, h)
	}
	if got := h.Services["s3"].Probe; got != "ListBuckets" {
		t.Errorf("s3 probe %q, want ListBuckets", got)
	}
	if res := st.Resources(); res.Bucket != "" || res.StateMachineArn != "" || len(res.Functions) != 0 {
		t.Errorf("resources of an empty stack: %+v", res)
	}
}

// TestDataDirLock: a second stack on a data directory in use fails, naming the holder; once the first
// closes, the directory can be taken again.
func TestDataDirLock(t *testing.T) {
	dir := t.TempDir()
	first := startTestStack(t, func(c *Config) { c.DataDir = dir })
	tpl, err := os.ReadFile(filepath.Join("..", "..", "deploy", "template.json"))
	if err != nil {
		t.Fatal(err)
	}
	start := func() (*Stack, error) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		cfg := Config{Template: tpl, DataDir: dir, Functions: PipelineFunctions()}
		st, err := Start(l, cfg)
		if err != nil {
			l.Close()
		}
		return st, err
	}
	_, err = start()
	var inUse *DataDirInUseError
	if !errors.As(err, &inUse) || inUse.Holder.PID != os.Getpid() || inUse.Holder.Endpoint != first.URL() {
		t.Fatalf("second stack: %v, want a *DataDirInUseError naming pid %d at %s", err, os.Getpid(), first.URL())
	}
	if !strings.Contains(err.Error(), first.URL()) || !strings.Contains(err.Error(), "--data") {
		t.Errorf("message: %q", err)
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	again, err := start()
	if err != nil {
		t.Fatalf("after the first closed: %v", err)
	}
	again.Close()
}
