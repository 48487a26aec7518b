package sfn

import (
	"strconv"
	"sync"
	"time"

	"github.com/sluicehq/sluice/internal/jsonvalue"
)

// The operations a client calls once or more per execution (StartExecution, then DescribeExecution until it
// ends) read their requests and write their answers by hand rather than through encoding/json's
// reflection. The answers carry the same members, in the same order, with the same JSON types as the
// struct tags in wire.go say (wire_fast_test.go compares the two for many values); a request the fast
// reader does not fully understand (a member it does not know, a null, a name in other letter case,
// malformed JSON) is read by decode, which gives the same result and the same errors as before.

// jsonAppender is an answer that writes itself as JSON, appended to b.
type jsonAppender interface {
	appendJSON(b []byte) []byte
}

var (
	_ jsonAppender = startExecutionOutput{}
	_ jsonAppender = describeExecutionOutput{}
)

// appendEpoch appends t as epoch.MarshalJSON writes it.
func appendEpoch(b []byte, t time.Time) []byte {
	if t.IsZero() {
		return append(b, "null"...)
	}
	return strconv.AppendFloat(b, float64(t.UnixMilli())/1000, 'f', 3, 64)
}

func appendMember(b []byte, first bool, name string) []byte {
	if !first {
		b = append(b, ',')
	}
	b = append(b, '"')
	b = append(b, name...)
	return append(b, '"', ':')
}

func appendStringMember(b []byte, first bool, name, v string) []byte {
	return jsonvalue.AppendString(appendMember(b, first, name), v)
}

func appendDataDetails(b []byte, d dataDetails) []byte {
	return append(strconv.AppendBool(append(b, `{"included":`...), d.Included), '}')
}

func (o startExecutionOutput) appendJSON(b []byte) []byte {
	b = append(b, '{')
	b = appendStringMember(b, true, "executionArn", o.ExecutionArn)
	b = appendEpoch(appendMember(b, false, "startDate"), time.Time(o.StartDate))
	return append(b, '}')
}

func (o describeExecutionOutput) appendJSON(b []byte) []byte {
	b = append(b, '{')
	b = appendStringMember(b, true, "executionArn", o.ExecutionArn)
	b = appendStringMember(b, false, "stateMachineArn", o.StateMachineArn)
	b = appendStringMember(b, false, "name", o.Name)
	b = appendStringMember(b, false, "status", o.Status)
	b = appendEpoch(appendMember(b, false, "startDate"), time.Time(o.StartDate))
	if o.StopDate != nil {
		b = appendEpoch(appendMember(b, false, "stopDate"), time.Time(*o.StopDate))
	}
	b = appendStringMember(b, false, "input", o.Input)
	b = appendDataDetails(appendMember(b, false, "inputDetails"), o.InputDetails)
	if o.Output != nil {
		b = appendStringMember(b, false, "output", *o.Output)
	}
	if o.OutputDetails != nil {
		b = appendDataDetails(appendMember(b, false, "outputDetails"), *o.OutputDetails)
	}
	if o.Error != "" {
		b = appendStringMember(b, false, "error", o.Error)
	}
	if o.Cause != "" {
		b = appendStringMember(b, false, "cause", o.Cause)
	}
	b = strconv.AppendInt(appendMember(b, false, "redriveCount"), int64(o.RedriveCount), 10)
	if o.RedriveDate != nil {
		b = appendEpoch(appendMember(b, false, "redriveDate"), time.Time(*o.RedriveDate))
	}
	if o.RedriveStatus != "" {
		b = appendStringMember(b, false, "redriveStatus", o.RedriveStatus)
	}
	if o.RedriveStatusReason != "" {
		b = appendStringMember(b, false, "redriveStatusReason", o.RedriveStatusReason)
	}
	if o.StateMachineVersionArn != "" {
		b = appendStringMember(b, false, "stateMachineVersionArn", o.StateMachineVersionArn)
	}
	if o.StateMachineAliasArn != "" {
		b = appendStringMember(b, false, "stateMachineAliasArn", o.StateMachineAliasArn)
	}
	if o.MapRunArn != "" {
		b = appendStringMember(b, false, "mapRunArn", o.MapRunArn)
	}
	return append(b, '}')
}

// answerBuffers hold answers being written; an answer larger than maxPooledAnswer is not kept.
var answerBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

const maxPooledAnswer = 64 << 10

// scanStringMembers reads body as one JSON object whose members all have string values, calling set with
// each member's name and value in order; it returns false, having perhaps called set for some members,
// when body is anything else or set returns false (a name it does not know).
func scanStringMembers(body []byte, set func(name []byte, value string) bool) bool {
	var sc jsonvalue.Scanner
	sc.Reset(body)
	if sc.Peek() != jsonvalue.Object || sc.BeginObject() != nil {
		return false
	}
	var scratch []byte
	for first := true; ; first = false {
		more, err := sc.NextMember(first)
		if err != nil {
			return false
		}
		if !more {
			break
		}
		name, _, err := sc.Key(nil)
		if err != nil || sc.Peek() != jsonvalue.String {
			return false
		}
		text, view, err := sc.String(scratch[:0])
		if err != nil {
			return false
		}
		if !view {
			scratch = text
		}
		if !set(name, string(text)) {
			return false
		}
	}
	return sc.End() == nil
}

// decodeStartExecution reads StartExecution's request as decode(body, &in) does.
func decodeStartExecution(body []byte) (startExecutionInput, error) {
	var in startExecutionInput
	ok := scanStringMembers(body, func(name []byte, v string) bool {
		switch string(name) {
		case "stateMachineArn":
			in.StateMachineArn = v
		case "name":
			in.Name = v
		case "input":
			in.Input = &v
		case "traceHeader":
			in.TraceHeader = v
		default:
			return false
		}
		return true
	})
	if ok {
		return in, nil
	}
	in = startExecutionInput{}
	err := decode(body, &in)
	return in, err
}

// decodeArnInput reads a request naming a resource by ARN as decode(body, &in) does.
func decodeArnInput(body []byte) (arnInput, error) {
	var in arnInput
	ok := scanStringMembers(body, func(name []byte, v string) bool {
		switch string(name) {
		case "stateMachineArn":
			in.StateMachineArn = v
		case "executionArn":
			in.ExecutionArn = v
		case "resourceArn":
			in.ResourceArn = v
		default:
			return false
		}
		return true
	})
	if ok {
		return in, nil
	}
	in = arnInput{}
	err := decode(body, &in)
	return in, err
}
