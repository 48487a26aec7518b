package sfn

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sluicehq/sluice/asl/interp"
)

// LogSink receives the execution log records of state machines whose LoggingConfiguration sends them to a
// CloudWatch Logs group (the local stack connects it to the local CloudWatch Logs).
type LogSink interface {
	PutExecutionLog(ctx context.Context, rec ExecutionLog) error
}

// ExecutionLog is one execution event as Step Functions logs it.
type ExecutionLog struct {
	// LogGroupArn is the destination's logGroupArn as the LoggingConfiguration gives it.
	LogGroupArn string
	// LogStream is the stream Step Functions writes to: "states/<state machine>/<yyyy-mm-dd-hh-mm>/<id>".
	LogStream string
	Timestamp time.Time
	// Message is the record: id, type, details, previous_event_id, event_timestamp, execution_arn and
	// redrive_count, numbers as strings, as in
	// https://docs.aws.amazon.com/step-functions/latest/dg/cw-logs.html#cloudwatch-log-format
	// A string, so that the sink can keep it or hand it on as is: Step Functions copies it out of the buffer
	// it was encoded in for a LogSink or a BatchLogSink, and lends that buffer to a LentLogSink instead.
	Message string
}

// WithLogSink sets where execution log records go.
func WithLogSink(l LogSink) Option { return func(s *Service) { s.logSink = l } }

// loggingConfig is a state machine's LoggingConfiguration, as the API takes it.
type loggingConfig struct {
	Level                string `json:"level"`
	IncludeExecutionData bool   `json:"includeExecutionData"`
	Destinations         []struct {
		CloudWatchLogsLogGroup struct {
			LogGroupArn string `json:"logGroupArn"`
		} `json:"cloudWatchLogsLogGroup"`
	} `json:"destinations"`
}

// executionLogging is what an execution logs and where.
type executionLogging struct {
	level       string
	includeData bool
	groupArn    string
	machine     string

	// stream is the log stream last named (events of one execution are logged from several goroutines).
	stream atomic.Pointer[namedStream]
}

// namedStream is the log stream of the executions that started in a minute (minuteOf).
type namedStream struct {
	minute int64
	name   string
}

// loggingOf parses a machine's LoggingConfiguration; nil when nothing is logged. A configuration is parsed
// once: the settings of each configuration text seen are kept (up to maxParsedLogging texts).
func loggingOf(raw json.RawMessage, machineName string) *executionLogging {
	if len(raw) == 0 {
		return nil
	}
	parsedLogging.mu.RLock()
	p, ok := parsedLogging.m[string(raw)]
	parsedLogging.mu.RUnlock()
	if !ok {
		p = parseLogging(raw)
		parsedLogging.mu.Lock()
		if len(parsedLogging.m) >= maxParsedLogging {
			clear(parsedLogging.m)
		}
		parsedLogging.m[string(raw)] = p
		parsedLogging.mu.Unlock()
	}
	if p == nil {
		return nil
	}
	return &executionLogging{level: p.level, includeData: p.includeData, groupArn: p.groupArn, machine: machineName}
}

// parsedLogging holds the settings of the LoggingConfiguration texts parsed (nil: nothing is logged).
var parsedLogging = struct {
	mu sync.RWMutex
	m  map[string]*executionLogging
}{m: map[string]*executionLogging{}}

const maxParsedLogging = 1024

// parseLogging parses a LoggingConfiguration; nil when nothing is logged.
func parseLogging(raw json.RawMessage) *executionLogging {
	var c loggingConfig
	if json.Unmarshal(raw, &c) != nil || c.Level == "" || c.Level == "OFF" || len(c.Destinations) == 0 {
		return nil
	}
	arn := c.Destinations[0].CloudWatchLogsLogGroup.LogGroupArn
	if arn == "" {
		return nil
	}
	return &executionLogging{level: c.Level, includeData: c.IncludeExecutionData, groupArn: arn}
}

// logged reports whether an event of type t is logged at level, per
// https://docs.aws.amazon.com/step-functions/latest/dg/cw-logs.html#cloudwatch-log-level: ALL logs every
// event; ERROR the failures, time-outs and aborts of executions, states, tasks, Lambda functions, Map and
// Parallel states, and FailStateEntered; FATAL only ExecutionFailed, ExecutionAborted and ExecutionTimedOut.
func logged(level string, t interp.EventType) bool {
	name := string(t)
	switch level {
	case "ALL":
		return true
	case "ERROR":
		return name == "FailStateEntered" || strings.HasSuffix(name, "Failed") || strings.HasSuffix(name, "TimedOut") ||
			strings.HasSuffix(name, "Aborted")
	case "FATAL":
		return name == "ExecutionFailed" || name == "ExecutionAborted" || name == "ExecutionTimedOut"
	}
	return false
}

// logStream names the stream of an execution's records: one per state machine and minute of start.
// The name of the last minute's stream is kept: executions running at once started at different instants,
// mostly of the same minute, and each of their records asks.
func (l *executionLogging) logStream(start time.Time) string {
	minute := minuteOf(start)
	if n := l.stream.Load(); n != nil && n.minute == minute {
		return n.name
	}
	n := &namedStream{minute, l.streamName(start)}
	l.stream.Store(n)
	return n.name
}

// minuteOf numbers the UTC minute of t (the minutes since 1970, rounded down).
func minuteOf(t time.Time) int64 {
	s := t.Unix()
	m := s / 60
	if s%60 < 0 {
		m--
	}
	return m
}

func (l *executionLogging) streamName(start time.Time) string {
	minute := start.UTC().Format("2006-01-02-15-04")
	sum := sha256.Sum256([]byte(l.machine + "/" + minute))
	return "states/" + l.machine + "/" + minute + "/" + hex.EncodeToString(sum[:4])
}

// record renders one history event as Step Functions' log record (logging_encode.go writes it); "" when
// the event's details cannot be encoded. It is encodeRecord's record copied out, for the sinks that keep
// records as strings (LogSink, BatchLogSink).
func (l *executionLogging) record(executionArn string, redriveCount int, ev interp.HistoryEvent) string {
	buf := l.encodeRecord(executionArn, redriveCount, ev)
	if buf == nil {
		return ""
	}
	msg := string(*buf)
	releaseLogRecord(buf)
	return msg
}

// encodeRecord renders one history event as Step Functions' log record into a buffer of logRecordBuffers,
// nil when the event's details cannot be encoded. The buffer is the caller's until it hands it back with
// releaseLogRecord: a LentLogSink is lent the record in it, so it is handed back only once the sink's call
// has returned. Each record has a buffer of its own (the events of one execution are logged from several
// goroutines, which encode at once), kept between records: a buffer of each record's own had to be sized
// by a guess with room for escaping, a tenth to a fifth larger than the record, and was zeroed first.
func (l *executionLogging) encodeRecord(executionArn string, redriveCount int, ev interp.HistoryEvent) *[]byte {
	buf := logRecordBuffers.Get().(*[]byte)
	out, err := l.appendRecord((*buf)[:0], executionArn, redriveCount, ev)
	*buf = out
	if err != nil || len(out) == 0 {
		releaseLogRecord(buf)
		return nil
	}
	return buf
}

// releaseLogRecord hands a record's buffer back to logRecordBuffers; one grown past maxLogRecordBuffer is
// let go.
func releaseLogRecord(buf *[]byte) {
	if cap(*buf) <= maxLogRecordBuffer {
		*buf = (*buf)[:0]
		logRecordBuffers.Put(buf)
	}
}

// logRecordBuffers holds the buffers log records are encoded in.
var logRecordBuffers = sync.Pool{New: func() any { return new([]byte) }}

const maxLogRecordBuffer = 64 << 10

// logEvent hands an event's record to the execution's (logdelivery.go) when its logging asks for it.
func (s *Service) logEvent(e *execution, ev interp.HistoryEvent) {
	l := e.logging
	if l == nil || s.logSink == nil {
		return
	}
	var rec *pendingLog
	if logged(l.level, ev.Type) {
		if buf := l.encodeRecord(e.rec.Arn, e.rec.RedriveCount, ev); buf != nil {
			rec = &pendingLog{groupArn: l.groupArn, stream: l.logStream(e.rec.Start), timestamp: ev.Timestamp, message: buf}
		}
	}
	s.queueLog(e, ev.Type, rec)
}
