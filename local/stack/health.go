package stack

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"sort"
	"time"

	"github.com/sluicehq/sluice/local/cloudformation"
	"github.com/sluicehq/sluice/local/cloudwatch"
	"github.com/sluicehq/sluice/local/events"
	"github.com/sluicehq/sluice/local/logs"
)

// Health is the answer of GET /_sluice/health: 200 with Status "ok" when every service answered its
// probe, 503 with Status "unavailable" otherwise. Scripts waiting for a stack poll it
// (curl -fs http://127.0.0.1:4566/_sluice/health).
type Health struct {
	Status   string                   `json:"status"`
	PID      int                      `json:"pid"`
	Endpoint string                   `json:"endpoint"`
	DataDir  string                   `json:"dataDir"`
	Services map[string]ServiceHealth `json:"services"`
}

// ServiceHealth is one service's probe: an API call on what the stack deployed (HeadBucket on the
// bucket, DescribeStateMachine, DescribeRule, GetFunction on each function; ListBuckets and
// ListStateMachines when no stack is deployed), ListMetrics, DescribeLogGroups and CloudFormation's
// DescribeStacks, through the service's own handler.
type ServiceHealth struct {
	Status string `json:"status"` // "ok" or "unavailable"
	Probe  string `json:"probe"`
	Error  string `json:"error,omitempty"`
}

// healthTimeout bounds each probe.
const healthTimeout = 2 * time.Second

// probe is one API call and the service that answers it.
type probe struct {
	service, name string
	handler       http.Handler
	method, path  string
	target        string // X-Amz-Target, for the JSON protocols
	body          string
	form          string // a query protocol request's form body
}

func (st *Stack) health(ctx context.Context) (Health, int) {
	res := st.Resources()
	var probes []probe
	// Without a deployed stack (sluice up --empty) there is no bucket or state machine to probe: the
	// services answer a list instead.
	if res.Bucket != "" {
		probes = append(probes, probe{service: "s3", name: "HeadBucket " + res.Bucket, handler: st.S3, method: http.MethodHead, path: "/" + res.Bucket})
	} else {
		probes = append(probes, probe{service: "s3", name: "ListBuckets", handler: st.S3, method: http.MethodGet, path: "/"})
	}
	if res.StateMachineArn != "" {
		probes = append(probes, probe{service: "stepfunctions", name: "DescribeStateMachine", handler: st.SFN, method: http.MethodPost, path: "/",
			target: "AWSStepFunctions.DescribeStateMachine", body: jsonBody(map[string]string{"stateMachineArn": res.StateMachineArn})})
	} else {
		probes = append(probes, probe{service: "stepfunctions", name: "ListStateMachines", handler: st.SFN, method: http.MethodPost, path: "/",
			target: "AWSStepFunctions.ListStateMachines", body: "{}"})
	}
	probes = append(probes, []probe{
		{service: "cloudformation", name: "DescribeStacks", handler: st.CloudFormation, method: http.MethodPost, path: "/",
			form: "Action=DescribeStacks&Version=" + cloudformation.APIVersion},
		{service: "cloudwatch", name: "ListMetrics", handler: st.CloudWatch, method: http.MethodPost, path: "/",
			target: cloudwatch.TargetPrefix + "ListMetrics", body: "{}"},
		{service: "logs", name: "DescribeLogGroups", handler: st.Logs, method: http.MethodPost, path: "/",
			target: logs.TargetPrefix + "DescribeLogGroups", body: "{}"},
	}...)
	for _, rule := range res.Rules {
		probes = append(probes, probe{service: "events", name: "DescribeRule " + rule, handler: st.Events, method: http.MethodPost, path: "/",
			target: events.TargetPrefix + "DescribeRule", body: jsonBody(map[string]string{"Name": rule})})
	}
	names := make([]string, 0, len(res.Functions))
	for _, fn := range res.Functions {
		names = append(names, fn)
	}
	sort.Strings(names)
	for _, fn := range names {
		probes = append(probes, probe{service: "lambda", name: "GetFunction " + fn, handler: st.Lambda, method: http.MethodGet,
			path: "/2015-03-31/functions/" + url.PathEscape(fn)})
	}
	h := Health{Status: "ok", PID: os.Getpid(), Endpoint: st.url, DataDir: st.cfg.DataDir, Services: map[string]ServiceHealth{}}
	for _, p := range probes {
		s := ServiceHealth{Status: "ok", Probe: p.name}
		if err := st.runProbe(ctx, p); err != nil {
			s = ServiceHealth{Status: "unavailable", Probe: p.name, Error: err.Error()}
		}
		if prev, seen := h.Services[p.service]; seen && prev.Status != "ok" {
			continue // keep a service's first failure
		} else if seen && s.Status == "ok" {
			s.Probe = prev.Probe + "; " + s.Probe
		}
		h.Services[p.service] = s
		if s.Status != "ok" {
			h.Status = "unavailable"
		}
	}
	if h.Status != "ok" {
		return h, http.StatusServiceUnavailable
	}
	return h, http.StatusOK
}

func (st *Stack) runProbe(ctx context.Context, p probe) error {
	ctx, cancel := context.WithTimeout(ctx, healthTimeout)
	defer cancel()
	body := p.body
	if p.form != "" {
		body = p.form
	}
	req, err := http.NewRequestWithContext(ctx, p.method, st.url+p.path, bytes.NewReader([]byte(body)))
	if err != nil {
		return err
	}
	if p.form != "" {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if p.target != "" {
		req.Header.Set("X-Amz-Target", p.target)
		req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	}
	w := &statusWriter{header: http.Header{}}
	done := make(chan any, 1)
	go func() {
		defer func() { done <- recover() }() // a service that is not running (a nil one) panics
		p.handler.ServeHTTP(w, req)
	}()
	select {
	case v := <-done:
		if v != nil {
			return fmt.Errorf("not serving: %v", v)
		}
	case <-ctx.Done():
		return fmt.Errorf("no answer within %v", healthTimeout)
	}
	if w.status() != http.StatusOK {
		return fmt.Errorf("answered %d %s", w.status(), bytes.TrimSpace(w.body.Bytes()))
	}
	return nil
}

func jsonBody(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// statusWriter keeps what a probe's handler answers.
type statusWriter struct {
	header http.Header
	code   int
	body   bytes.Buffer
}

func (w *statusWriter) Header() http.Header { return w.header }
func (w *statusWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
}
func (w *statusWriter) Write(b []byte) (int, error) {
	if w.body.Len() < 512 {
		w.body.Write(b[:min(len(b), 512)])
	}
	return len(b), nil
}
func (w *statusWriter) status() int {
	if w.code == 0 {
		return http.StatusOK
	}
	return w.code
}
