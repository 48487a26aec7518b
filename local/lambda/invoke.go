package lambda

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/lambda/messages"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/sluicehq/sluice/internal/jsonvalue"
)

// Invocation types of the Invoke API.
const (
	RequestResponse = "RequestResponse"
	Event           = "Event"
	DryRun          = "DryRun"
)

// InvokeInput is an Invoke request.
type InvokeInput struct {
	FunctionName   string // name, ARN or partial ARN, optionally with ":$LATEST"
	Qualifier      string
	InvocationType string // RequestResponse (default), Event or DryRun
	LogType        string // "Tail" to return the log tail
	Payload        []byte
	ClientContext  string // base64 JSON, passed to the handler in lambdacontext.ClientContext
}

// Result is the outcome of an invocation as the Invoke API reports it.
type Result struct {
	StatusCode      int    // 200 RequestResponse, 202 Event, 204 DryRun
	Payload         []byte // the handler's response, or the function error document
	FunctionError   string // "Unhandled" when the function failed
	LogResult       string // base64 log tail, when LogType is Tail
	ExecutedVersion string
	RequestID       string
}

// Invoke runs the named function synchronously (RequestResponse), the way a Step Functions
// Task state does; it shares the HTTP API's code path. A function failure is a Result with
// FunctionError set, not an error; errors are service errors (*Error). When ctx ends
// before the function, the function's context is cancelled and Invoke returns an error
// wrapping ctx.Err() (the HTTP API instead lets the invocation run on, as Lambda does).
func (s *Service) Invoke(ctx context.Context, function string, payload []byte) (Result, error) {
	return s.InvokeWith(ctx, InvokeInput{FunctionName: function, Payload: payload})
}

// InvokeWith runs an invocation described in full.
func (s *Service) InvokeWith(ctx context.Context, in InvokeInput) (Result, error) {
	fn, err := s.resolve(in.FunctionName, in.Qualifier)
	if err != nil {
		return Result{}, err
	}
	typ := in.InvocationType
	if typ == "" {
		typ = RequestResponse
	}
	limit := maxSyncRequest
	if typ == Event {
		limit = maxAsyncRequest
	}
	switch typ {
	case RequestResponse, Event, DryRun:
	default:
		return Result{}, errInvalidParameter("InvocationType", typ)
	}
	if len(in.Payload) > limit {
		return Result{}, errRequestTooLarge(limit)
	}
	payload := in.Payload
	if len(bytes.TrimSpace(payload)) == 0 {
		payload = []byte("{}")
	} else if !jsonvalue.Valid(payload) {
		var v any
		return Result{}, errInvalidJSON(json.Unmarshal(payload, &v))
	}
	var cc lambdacontext.ClientContext
	if in.ClientContext != "" {
		raw, err := base64.StdEncoding.DecodeString(in.ClientContext)
		if err != nil || len(in.ClientContext) > maxClientContext || json.Unmarshal(raw, &cc) != nil {
			return Result{}, &Error{Code: CodeInvalidRequestContent,
				Message: "Client context must be a valid Base64-encoded JSON object."}
		}
	}
	id := newRequestID()
	switch typ {
	case DryRun:
		return Result{StatusCode: 204, RequestID: id, ExecutedVersion: "$LATEST"}, nil
	case Event:
		s.async.Add(1)
		go s.runAsync(fn, payload, id, cc)
		return Result{StatusCode: 202, RequestID: id}, nil
	}
	if !fn.tryAcquire() {
		s.putServiceMetrics(ctx, serviceMetrics(fn.Name, s.opts.Clock.Now(), 0, false, true))
		return Result{}, errThrottled()
	}
	release := sync.OnceFunc(fn.release)
	defer release()
	res, lines, err := s.run(ctx, fn, payload, id, cc, release)
	if err != nil {
		return Result{}, err
	}
	if in.LogType == "Tail" {
		res.LogResult = logTail(lines)
	}
	return res, nil
}

// runAsync runs an Event invocation, retrying function errors after 1 and 2 minutes as
// Lambda does. The retries keep the request ID, as Lambda's do.
func (s *Service) runAsync(fn *function, payload []byte, id string, cc lambdacontext.ClientContext) {
	defer s.async.Done()
	for attempt := 0; ; attempt++ {
		if !fn.acquire(s.ctx) {
			return
		}
		release := sync.OnceFunc(fn.release)
		res, _, err := s.run(s.ctx, fn, payload, id, cc, release)
		release()
		if err != nil || res.FunctionError == "" || attempt >= fn.asyncRetries() {
			return
		}
		fire, stop := s.timer(time.Duration(attempt+1) * time.Minute)
		select {
		case <-fire:
		case <-s.ctx.Done():
			stop()
			return
		}
	}
}

func (fn *function) tryAcquire() bool {
	if fn.slots == nil {
		return true
	}
	select {
	case fn.slots <- struct{}{}:
		return true
	default:
		return false
	}
}

// acquire waits for a slot; it reports false when ctx ends first.
func (fn *function) acquire(ctx context.Context) bool {
	if fn.slots == nil {
		return true
	}
	select {
	case fn.slots <- struct{}{}:
		return true
	case <-ctx.Done():
		return false
	}
}

func (fn *function) release() {
	if fn.slots != nil {
		<-fn.slots
	}
}

// outcome is what the handler goroutine reports.
type outcome struct {
	payload  []byte
	err      error
	panicked *messages.InvokeResponse_Error
}

// deadlineContext reports the invocation deadline without the standard library's own timer:
// the Service's timer cancels it.
type deadlineContext struct {
	context.Context
	deadline time.Time
}

func (d deadlineContext) Deadline() (time.Time, bool) { return d.deadline, true }

// run invokes the handler once and records its log and metrics. When ctx ends before the
// handler, the handler's context is cancelled and run returns ctx's error.
//
// The invocation gives back its concurrency slot and its instance as soon as the handler has
// answered and its REPORT line is written (free), before its log and metrics are recorded: Lambda ships an
// environment's logs to CloudWatch Logs asynchronously, and the environment takes the next invocation
// once the runtime has posted its response, so recording must not hold the function's reserved
// concurrency (https://docs.aws.amazon.com/lambda/latest/dg/lambda-concurrency.html: concurrency is the
// number of requests the function is serving at the same time). Each instance queues its invocations'
// logs, so its log stream receives them in the order the invocations ran, as in AWS, without an
// invocation waiting for the previous one's log while it holds a slot.
func (s *Service) run(ctx context.Context, fn *function, payload []byte, id string, cc lambdacontext.ClientContext, free func()) (Result, []string, error) {
	inst := s.takeInstance(fn)
	handed := false
	defer func() {
		if !handed {
			fn.putInstance(inst)
		}
	}()
	start := s.opts.Clock.Now()
	out := &capture{now: s.opts.Clock.Now, appMin: minLevel(fn.ApplicationLogLevel), sysMin: minLevel(fn.SystemLogLevel)}
	jsonLogs := fn.LogFormat == LogFormatJSON
	if jsonLogs {
		out.line(platformStart(start, id, fn.arn))
	} else {
		out.line(fmt.Sprintf("START RequestId: %s Version: $LATEST", id))
	}
	rt := Runtime{Stdout: out, Env: fn.env(s), RequestID: id}
	base, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	hctx := context.Context(deadlineContext{base, start.Add(fn.Timeout)})
	hctx = lambdacontext.NewContext(hctx, &lambdacontext.LambdaContext{AwsRequestID: id, InvokedFunctionArn: fn.arn, ClientContext: cc})
	hctx = context.WithValue(hctx, runtimeKey{}, rt)

	done := make(chan outcome, 1)
	inst.do(func() {
		defer func() {
			if v := recover(); v != nil {
				pcs := make([]uintptr, 32)
				n := runtime.Callers(3, pcs)
				e := panicErrorOf(v, pcs[:n], serveInstanceName)
				done <- outcome{panicked: &e}
			}
		}()
		h := fn.Handler
		if fn.NewHandler != nil {
			h = fn.NewHandler(rt)
		}
		p, err := h.Invoke(hctx, payload)
		// aws-lambda-go's handlers answer in a buffer they reuse on their next invocation, which may
		// start (on this instance, or on a function with one handler) while this answer is still being
		// written out: the slot and the instance are given back before the log is recorded.
		done <- outcome{payload: bytes.Clone(p), err: err}
	})

	fire, stop := s.timer(fn.Timeout)
	res := Result{StatusCode: 200, RequestID: id, ExecutedVersion: "$LATEST"}
	var failure *messages.InvokeResponse_Error
	timedOut := false
	select {
	case o := <-done:
		stop()
		switch {
		case o.panicked != nil:
			failure = o.panicked
		case o.err != nil:
			e := functionErrorOf(o.err)
			failure = &e
		case len(o.payload) > maxResponse:
			failure = &messages.InvokeResponse_Error{Type: "Function.ResponseSizeTooLarge",
				Message: fmt.Sprintf("Response payload size exceeded maximum allowed payload size (%d bytes).", maxResponse)}
		default:
			res.Payload = o.payload
		}
	case <-ctx.Done():
		stop()
		cancel()
		inst.retire() // the handler runs on
		out.close()
		return Result{}, nil, fmt.Errorf("invoke %s: %w", fn.Name, ctx.Err())
	case <-fire:
		cancel()
		inst.retire() // the handler runs on
		timedOut = true
		secs := fmt.Sprintf("%.2f", fn.Timeout.Seconds())
		failure = &messages.InvokeResponse_Error{Type: "Sandbox.Timedout",
			Message: "RequestId: " + id + " Error: Task timed out after " + secs + " seconds"}
		if !jsonLogs {
			out.line(fmt.Sprintf("%s %s Task timed out after %s seconds", s.opts.Clock.Now().UTC().Format("2006-01-02T15:04:05.000Z"), id, secs))
		}
	}
	if failure != nil {
		body, _ := json.Marshal(failure) // a struct of strings: marshalling cannot fail
		res.Payload = body
		res.FunctionError = "Unhandled"
		if !timedOut {
			// The Go runtime logs the error document it reports.
			out.line(string(body))
		}
	}
	end := s.opts.Clock.Now()
	dur := end.Sub(start)
	billed := (dur + time.Millisecond - 1).Milliseconds()
	used := memoryUsedMB(fn.MemoryMB)
	if jsonLogs {
		// The JSON log format's system records: https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs-logformat.html
		r := reportRecord{requestID: id, status: "success", durationMs: float64(dur.Microseconds()) / 1000, billedMs: billed,
			memorySizeMB: fn.MemoryMB, maxMemoryUsedMB: used}
		if timedOut {
			r.status = "timeout"
		} else if failure != nil {
			r.status = "error"
		}
		if failure != nil {
			r.errorType, r.hasError = failure.Type, true
		}
		out.line(platformReport(end, r))
	} else {
		out.line("END RequestId: " + id)
		// Lambda's REPORT line, tab-separated as Lambda writes it:
		// https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs.html
		report := fmt.Sprintf("REPORT RequestId: %s\tDuration: %.2f ms\tBilled Duration: %d ms\tMemory Size: %d MB\tMax Memory Used: %d MB\t",
			id, float64(dur.Microseconds())/1000, billed, fn.MemoryMB, used)
		if timedOut {
			report += "Status: timeout"
		}
		out.line(report)
	}
	lines, times := out.close()
	// The instance is this invocation's alone until it is put back: take the place after the previous
	// invocation's log in the instance's queue before anyone else can.
	prev, mine := inst.logged, make(chan struct{})
	inst.logged = mine
	defer close(mine)
	handed = true
	fn.putInstance(inst)
	free()
	if prev != nil {
		<-prev
	}
	s.record(ctx, fn, InvocationLog{Function: fn.Name, RequestID: id, LogGroup: fn.logGroup(), LogStream: inst.stream, Start: start, Duration: dur,
		Lines: lines, Times: times, Error: errorTypeOf(failure)})
	return res, lines, nil
}

// memoryUsedMB is what a REPORT line says for Max Memory Used. Functions share the host's process, so
// the figure is the process's live heap when the invocation ends (at least 1 MB), capped at the
// function's memory size: an indication, not a per-invocation measurement.
func memoryUsedMB(limit int) int {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(sample)
	mb := 1
	if sample[0].Value.Kind() == metrics.KindUint64 {
		mb = max(1, int(sample[0].Value.Uint64()>>20))
	}
	return min(mb, limit)
}

// platformRecord is one system log record of the JSON log format: time, type and record in that order,
// record's keys sorted, as the JSON log format writes them.
func platformRecord(t time.Time, typ string, record map[string]any) string {
	b := appendPlatformHead(make([]byte, 0, 256), t, typ)
	// record holds strings, integers and finite durations, which Append always writes.
	b, _ = jsonvalue.Append(b, record)
	b = append(b, '}')
	return string(b)
}

// platformStart is platformRecord(t, "platform.start", {"requestId": id, "functionArn": arn, "version":
// "$LATEST"}), written directly (FuzzPlatformRecords holds it to that).
func platformStart(t time.Time, id, arn string) string {
	b := make([]byte, 0, 192)
	b = appendPlatformHead(b, t, "platform.start")
	b = append(b, `{"functionArn":`...)
	b = jsonvalue.AppendString(b, arn)
	b = append(b, `,"requestId":`...)
	b = jsonvalue.AppendString(b, id)
	b = append(b, `,"version":"$LATEST"}}`...)
	return string(b)
}

// reportRecord is the record of a platform.report.
type reportRecord struct {
	requestID, status string
	errorType         string
	hasError          bool // errorType is written (a failed invocation)
	durationMs        float64
	billedMs          int64
	memorySizeMB      int
	maxMemoryUsedMB   int
}

// asMap is r as the record platformRecord takes.
func (r reportRecord) asMap() map[string]any {
	m := map[string]any{"requestId": r.requestID, "status": r.status, "metrics": map[string]any{"durationMs": r.durationMs,
		"billedDurationMs": r.billedMs, "memorySizeMB": r.memorySizeMB, "maxMemoryUsedMB": r.maxMemoryUsedMB}}
	if r.hasError {
		m["errorType"] = r.errorType
	}
	return m
}

// platformReport is platformRecord(t, "platform.report", r.asMap()), written directly, without the
// map and the sorting of its keys: the record's and the metrics' keys in sorted order, numbers as
// jsonvalue writes them. FuzzPlatformRecords holds it to that.
func platformReport(t time.Time, r reportRecord) string {
	b := make([]byte, 0, 256)
	b = appendPlatformHead(b, t, "platform.report")
	b = append(b, '{')
	if r.hasError {
		b = append(b, `"errorType":`...)
		b = jsonvalue.AppendString(b, r.errorType)
		b = append(b, ',')
	}
	b = append(b, `"metrics":{"billedDurationMs":`...)
	b = strconv.AppendInt(b, r.billedMs, 10)
	b = append(b, `,"durationMs":`...)
	b, _ = jsonvalue.AppendFloat(b, r.durationMs, 64) // finite: microseconds over 1000
	b = append(b, `,"maxMemoryUsedMB":`...)
	b = strconv.AppendInt(b, int64(r.maxMemoryUsedMB), 10)
	b = append(b, `,"memorySizeMB":`...)
	b = strconv.AppendInt(b, int64(r.memorySizeMB), 10)
	b = append(b, `},"requestId":`...)
	b = jsonvalue.AppendString(b, r.requestID)
	b = append(b, `,"status":`...)
	b = jsonvalue.AppendString(b, r.status)
	b = append(b, "}}"...)
	return string(b)
}

// appendPlatformHead appends a platform record's opening up to its record: time and type.
func appendPlatformHead(b []byte, t time.Time, typ string) []byte {
	b = append(b, `{"time":"`...)
	b = t.UTC().AppendFormat(b, "2006-01-02T15:04:05.000Z")
	b = append(b, `","type":`...)
	b = jsonvalue.AppendString(b, typ)
	return append(b, `,"record":`...)
}

func errorTypeOf(e *messages.InvokeResponse_Error) string {
	if e == nil {
		return ""
	}
	return e.Type
}

// record keeps the log and hands it and its metrics to the sinks.
func (s *Service) record(ctx context.Context, fn *function, l InvocationLog) {
	s.mu.Lock()
	r := s.logs[fn.Name]
	if r == nil {
		r = &logRing{}
		s.logs[fn.Name] = r
	}
	r.add(l, s.keepLogs)
	s.mu.Unlock()
	ctx = context.WithoutCancel(ctx)
	if s.logSink != nil {
		s.logSink.PutInvocationLog(ctx, l)
	}
	s.putServiceMetrics(ctx, serviceMetrics(fn.Name, l.Start, l.Duration, l.Error != "", false))
	if s.metricSink == nil {
		return
	}
	var metrics []Metric
	for _, line := range l.Lines {
		if !strings.Contains(line, `"_aws"`) { // what ParseEMF looks for first, without copying the line
			continue
		}
		m, ok, err := ParseEMF([]byte(line))
		if !ok {
			continue
		}
		if err != nil {
			s.opts.Logger.Warn("lambda: invalid EMF line", "function", fn.Name, "request", l.RequestID, "err", err)
			continue
		}
		metrics = append(metrics, m...)
	}
	if len(metrics) == 0 {
		return
	}
	if err := s.metricSink.PutMetrics(ctx, metrics); err != nil {
		s.opts.Logger.Warn("lambda: metric sink", "function", fn.Name, "err", err)
	}
}
