package asl

import (
	"strings"
)

func (v *validator) wait(s *Wait, loc string, ql QueryLanguage) {
	v.transition(loc, s.Next, s.End)
	v.io(loc, ql, ioFields{input: s.InputPath, output: s.OutputPath, jsonataOutput: s.Output})
	v.assign(loc, ql, s.Assign)
	n := 0
	for _, set := range [...]bool{s.Seconds != nil, s.SecondsPath != "", s.Timestamp != "", s.TimestampPath != ""} {
		if set {
			n++
		}
	}
	if n != 1 {
		v.schema(loc, "Exactly one of 'Seconds', 'SecondsPath', 'Timestamp' or 'TimestampPath' is required")
	}
	v.intExpr(loc+"/Seconds", "Seconds", s.Seconds, ql, 0, maxSeconds)
	if s.Timestamp != "" {
		if ql == JSONata && strings.HasPrefix(s.Timestamp, "{%") {
			v.jsonataString(loc+"/Timestamp", "Timestamp", s.Timestamp)
		} else if !ValidTimestamp(s.Timestamp) {
			v.schema(loc+"/Timestamp", "String does not match RFC3339 timestamp")
		}
	}
	v.refPath(loc+"/SecondsPath", "SecondsPath", s.SecondsPath, ql)
	v.refPath(loc+"/TimestampPath", "TimestampPath", s.TimestampPath, ql)
}
