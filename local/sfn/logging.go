package sfn

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"strings"
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
	Message []byte
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
}

// loggingOf parses a machine's LoggingConfiguration; nil when nothing is logged.
func loggingOf(raw json.RawMessage, machineName string) *executionLogging {
	if len(raw) == 0 {
		return nil
	}
	var c loggingConfig
	if json.Unmarshal(raw, &c) != nil || c.Level == "" || c.Level == "OFF" || len(c.Destinations) == 0 {
		return nil
	}
	arn := c.Destinations[0].CloudWatchLogsLogGroup.LogGroupArn
	if arn == "" {
		return nil
	}
	return &executionLogging{level: c.Level, includeData: c.IncludeExecutionData, groupArn: arn, machine: machineName}
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
func (l *executionLogging) logStream(start time.Time) string {
	minute := start.UTC().Format("2006-01-02-15-04")
	sum := sha256.Sum256([]byte(l.machine + "/" + minute))
	return "states/" + l.machine + "/" + minute + "/" + hex.EncodeToString(sum[:4])
}

// record renders one history event as Step Functions' log record.
func (l *executionLogging) record(executionArn string, redriveCount int, ev interp.HistoryEvent) []byte {
	if !l.includeData {
		ev = withoutData(ev)
	}
	raw, err := json.Marshal(ev)
	if err != nil {
		return nil
	}
	var fields map[string]json.RawMessage
	if json.Unmarshal(raw, &fields) != nil {
		return nil
	}
	details := json.RawMessage(`{}`)
	for k, v := range fields {
		if strings.HasSuffix(k, "EventDetails") {
			details = v
			break
		}
	}
	if !l.includeData {
		var m map[string]json.RawMessage
		if json.Unmarshal(details, &m) == nil {
			for _, k := range []string{"input", "output", "parameters"} {
				if s, ok := m[k]; ok && string(s) == `""` {
					delete(m, k)
				}
			}
			details, _ = json.Marshal(m) // raw JSON just decoded: marshalling cannot fail
		}
	}
	out, err := json.Marshal(struct {
		ID              string          `json:"id"`
		Type            string          `json:"type"`
		Details         json.RawMessage `json:"details"`
		PreviousEventID string          `json:"previous_event_id"`
		EventTimestamp  string          `json:"event_timestamp"`
		ExecutionArn    string          `json:"execution_arn"`
		RedriveCount    string          `json:"redrive_count"`
	}{strconv.FormatInt(ev.ID, 10), string(ev.Type), details, strconv.FormatInt(ev.PreviousEventID, 10),
		strconv.FormatInt(ev.Timestamp.UnixMilli(), 10), executionArn, strconv.Itoa(redriveCount)})
	if err != nil {
		return nil
	}
	return out
}

// logEvent hands an event to the log sink when the execution's logging asks for it.
func (s *Service) logEvent(e *execution, ev interp.HistoryEvent) {
	l := e.logging
	if l == nil || s.logSink == nil || !logged(l.level, ev.Type) {
		return
	}
	msg := l.record(e.rec.Arn, e.rec.RedriveCount, ev)
	if msg == nil {
		return
	}
	if err := s.logSink.PutExecutionLog(context.WithoutCancel(s.ctx), ExecutionLog{LogGroupArn: l.groupArn,
		LogStream: l.logStream(e.rec.Start), Timestamp: ev.Timestamp, Message: msg}); err != nil {
		s.logger.Warn("step functions: execution log not delivered", "execution", e.rec.Arn, "group", l.groupArn, "err", err)
	}
}
