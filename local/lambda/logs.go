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
	Start     time.Time
	Duration  time.Duration
	// Error is the errorType of a failed invocation ("" on success).
	Error string
	Lines []string
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
	mu      sync.Mutex
	closed  bool
	partial []byte
	lines   []string
	kept    int
	dropped int
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
		c.add(string(bytes.TrimRight(c.partial[:i], "\r")))
		c.partial = c.partial[i+1:]
	}
	if len(c.partial) > maxCapturedBytes {
		c.add(string(c.partial))
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
}

// line appends a platform line (START, END, REPORT, runtime messages).
func (c *capture) line(s string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.closed {
		c.add(s)
	}
}

// close flushes a trailing partial line and returns the lines.
func (c *capture) close() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.closed && len(c.partial) > 0 {
		c.add(string(c.partial))
		c.partial = nil
	}
	c.closed = true
	return c.lines
}

// logTail is what LogType Tail returns in X-Amz-Log-Result: the last 4 KB of the log, base64.
func logTail(lines []string) string {
	s := strings.Join(lines, "\n") + "\n"
	if len(s) > logTailSizeBytes {
		s = s[len(s)-logTailSizeBytes:]
	}
	return base64.StdEncoding.EncodeToString([]byte(s))
}

// logRing keeps the latest logs of one function.
type logRing struct {
	logs []InvocationLog
}

func (r *logRing) add(l InvocationLog, keep int) {
	r.logs = append(r.logs, l)
	if len(r.logs) > keep {
		r.logs = append([]InvocationLog(nil), r.logs[len(r.logs)-keep:]...)
	}
}
