package lambda

import (
	"bytes"
	"context"
	"encoding/base64"
	"strings"
	"sync"
	"time"
)

// InvocationLog is the log of one invocation: Lambda's START line, the function's output
// lines, END and REPORT.
type InvocationLog struct {
	Function  string
	RequestID string
	// LogGroup is the function's log group (Function.LogGroup).
	LogGroup string
	// LogStream is the CloudWatch Logs stream of the instance (execution environment) that ran
	// the invocation, named as Lambda names them: "2026/03/01/[$LATEST]<32 hex digits>".
	LogStream string
	Start     time.Time
	Duration  time.Duration
	// Error is the errorType of a failed invocation ("" on success).
	Error string
	Lines []string
	// Times holds when each line was written (Times[i] for Lines[i]), by the server's clock.
	Times []time.Time
}

// LogSink receives each invocation's log after the invocation ends.
type LogSink interface {
	PutInvocationLog(ctx context.Context, log InvocationLog)
}

// maxCapturedBytes bounds the output kept per invocation; later output is counted, not kept.
const maxCapturedBytes = 1 << 20

// capture collects an invocation's output as lines. After close, writes are discarded (a
// timed-out handler may go on writing).
type capture struct {
	now func() time.Time
	// appMin and sysMin are the least levels kept of the function's lines and of Lambda's own
	// records (0 keeps all): LoggingConfig's ApplicationLogLevel and SystemLogLevel.
	appMin, sysMin int
	mu             sync.Mutex
	closed         bool
	partial        []byte
	lines          []string
	times          []time.Time
	kept           int
	dropped        int
}

func (c *capture) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return len(p), nil
	}
	c.partial = append(c.partial, p...)
	for {
		i := bytes.IndexByte(c.partial, '\n')
		if i < 0 {
			break
		}
		c.addApp(string(bytes.TrimRight(c.partial[:i], "\r")))
		c.partial = c.partial[i+1:]
	}
	if len(c.partial) > maxCapturedBytes {
		c.addApp(string(c.partial))
		c.partial = nil
	}
	return len(p), nil
}

// add appends a line; caller holds mu.
func (c *capture) add(line string) {
	if c.kept+len(line) > maxCapturedBytes {
		c.dropped++
		return
	}
	c.kept += len(line)
	c.lines = append(c.lines, line)
	c.times = append(c.times, c.now())
}

// addApp appends a line of the function's output unless the application log level filters it out;
// caller holds mu.
func (c *capture) addApp(line string) {
	if c.appMin > 0 && lineLevel(line) < c.appMin {
		return
	}
	c.add(line)
}

// line appends a platform line (START, END, REPORT, runtime messages), all INFO, unless the system
// log level filters them out.
func (c *capture) line(s string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.closed && (c.sysMin == 0 || levelInfo >= c.sysMin) {
		c.add(s)
	}
}

// close flushes a trailing partial line and returns the lines and their times.
func (c *capture) close() ([]string, []time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.closed && len(c.partial) > 0 {
		c.addApp(string(c.partial))
		c.partial = nil
	}
	c.closed = true
	return c.lines, c.times
}

// logTail is what LogType Tail returns in X-Amz-Log-Result: the last 4 KB of the log, base64.
func logTail(lines []string) string {
	s := strings.Join(lines, "\n") + "\n"
	if len(s) > logTailSizeBytes {
		s = s[len(s)-logTailSizeBytes:]
	}
	return base64.StdEncoding.EncodeToString([]byte(s))
}

// logRing keeps the latest logs of one function: the last keep of logs. It drops the older ones only
// once they are as many as the kept ones, so that adding a log copies none most of the time.
type logRing struct {
	logs []InvocationLog
	keep int
}

func (r *logRing) add(l InvocationLog, keep int) {
	r.keep = keep
	if keep <= 0 {
		r.logs = nil
		return
	}
	if len(r.logs) >= 2*keep {
		n := copy(r.logs, r.logs[len(r.logs)-keep+1:])
		clear(r.logs[n:]) // what the dropped logs held is garbage now
		r.logs = r.logs[:n]
	}
	r.logs = append(r.logs, l)
}

// latest returns the kept logs, oldest first, in a new slice.
func (r *logRing) latest() []InvocationLog {
	return append([]InvocationLog(nil), r.logs[max(0, len(r.logs)-r.keep):]...)
}
