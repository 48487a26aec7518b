package sfn

import (
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sluicehq/sluice/asl/interp"
)

// recordByMaps is how records were made before appendRecord: the event encoded by encoding/json, its
// details taken from the decoded fields (and, without the execution's data, decoded into a map, empty
// payloads dropped, and encoded again), then the record encoded. appendRecord must write the same bytes.
func recordByMaps(l *executionLogging, executionArn string, redriveCount int, ev interp.HistoryEvent) []byte {
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
			details, _ = json.Marshal(m)
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

// detailFieldIndexes lists HistoryEvent's detail fields (every field after the four common ones).
func detailFieldIndexes() []int {
	var out []int
	for i := 4; i < reflect.TypeFor[interp.HistoryEvent]().NumField(); i++ {
		out = append(out, i)
	}
	return out
}

// eventWith returns an event whose detail field index is set, every field of the details filled from
// the arguments; field < 0 gives an event without details.
func eventWith(field int, id, prev int64, ts time.Time, typ, s1, s2 string, n int64, b bool, vars bool) interp.HistoryEvent {
	ev := interp.HistoryEvent{ID: id, PreviousEventID: prev, Timestamp: ts, Type: interp.EventType(typ)}
	if field < 0 {
		return ev
	}
	f := reflect.ValueOf(&ev).Elem().Field(field)
	d := reflect.New(f.Type().Elem())
	for i := range d.Elem().NumField() {
		v := d.Elem().Field(i)
		s := s1
		if i%2 == 1 {
			s = s2
		}
		switch v.Kind() {
		case reflect.String:
			v.SetString(s)
		case reflect.Int, reflect.Int64, reflect.Int32:
			v.SetInt(n)
		case reflect.Bool:
			v.SetBool(b)
		case reflect.Struct:
			if v.Type() == reflect.TypeFor[interp.DataDetails]() {
				v.Set(reflect.ValueOf(interp.DataDetails{Truncated: b}))
			}
		case reflect.Map:
			if vars {
				v.Set(reflect.ValueOf(map[string]string{"zeta": s1, "alpha": s2}))
			}
		}
	}
	f.Set(d)
	return ev
}

var recordStrings = []string{"", "plain", `{"a":1,"b":[true,null]}`, "<tag> & \"quoted\" \\ back", "\b\f\n\r\t\x00\x1f\x7f",
	"caf\u00e9 \u2028 \u2029 \U0001F600", "bad \xff\xfe utf-8", `""`}

func TestAppendRecordMatchesMaps(t *testing.T) {
	ts := time.Date(2026, 12, 6, 7, 45, 1, 987654321, time.UTC)
	fields := append([]int{-1}, detailFieldIndexes()...)
	n := 0
	for _, include := range []bool{true, false} {
		l := &executionLogging{level: "ALL", includeData: include, groupArn: "arn:aws:logs:us-east-1:123456789012:log-group:g:*", machine: "m"}
		for _, field := range fields {
			for i, s1 := range recordStrings {
				s2 := recordStrings[(i+3)%len(recordStrings)]
				for _, b := range []bool{false, true} {
					for _, num := range []int64{0, 7} {
						ev := eventWith(field, int64(i+1), int64(i), ts, "TaskStateEntered<&>", s1, s2, num, b, b)
						arn := "arn:aws:states:us-east-1:123456789012:execution:m:" + s1
						got := l.record(arn, i, ev)
						want := recordByMaps(l, arn, i, ev)
						if diff := cmp.Diff(string(got), string(want)); diff != "" {
							t.Fatalf("field %d include %v: record (-got +want):\n%s", field, include, diff)
						}
						n++
					}
				}
			}
		}
	}
	t.Logf("%d records compared", n)
}

// TestDetailsOfEveryField holds detailsOf's list to HistoryEvent: each detail field, set alone, is the
// one detailsOf returns.
func TestDetailsOfEveryField(t *testing.T) {
	for _, field := range detailFieldIndexes() {
		ev := eventWith(field, 1, 0, time.Time{}, "T", "a", "b", 1, true, false)
		got := detailsOf(&ev)
		want := reflect.ValueOf(ev).Field(field).Interface()
		if got != want {
			t.Errorf("field %s: detailsOf = %v, want %v", reflect.TypeFor[interp.HistoryEvent]().Field(field).Name, got, want)
		}
	}
	if !logDetailsByHand {
		t.Error("the details written by hand changed shape: update appendDetails")
	}
}

func FuzzAppendRecord(f *testing.F) {
	f.Add(int8(6), int64(3), int64(2), int64(1733470000123), "TaskStateEntered", "state<1>", `{"x":"&"}`, int64(0), false, false, true)
	f.Add(int8(-1), int64(1), int64(0), int64(0), "ExecutionStarted", "", "", int64(5), true, true, false)
	f.Add(int8(7), int64(9), int64(8), int64(-5), "TaskStateExited", "\u2028\xff", "\x1f\b", int64(30), true, true, false)
	f.Add(int8(12), int64(9), int64(8), int64(99), "TaskScheduled", "lambda", `""`, int64(30), false, false, false)
	fields := detailFieldIndexes()
	f.Fuzz(func(t *testing.T, field int8, id, prev, ms int64, typ, s1, s2 string, n int64, b, vars, include bool) {
		fi := -1
		if field >= 0 {
			fi = fields[int(field)%len(fields)]
		}
		ev := eventWith(fi, id, prev, time.UnixMilli(ms), typ, s1, s2, n, b, vars)
		l := &executionLogging{level: "ALL", includeData: include, groupArn: "g", machine: "m"}
		got := l.record(s2, int(n), ev)
		want := recordByMaps(l, s2, int(n), ev)
		if diff := cmp.Diff(string(got), string(want)); diff != "" {
			t.Fatalf("record (-got +want):\n%s", diff)
		}
	})
}

// TestLoggingOfParsedOnce: a configuration text parsed once serves every machine that has it, each
// execution getting its own settings with its machine's name.
func TestLoggingOfParsedOnce(t *testing.T) {
	raw := json.RawMessage(`{"level":"ERROR","includeExecutionData":true,"destinations":[{"cloudWatchLogsLogGroup":{"logGroupArn":"arn:aws:logs:us-east-1:123456789012:log-group:once:*"}}]}`)
	for _, tc := range []struct {
		raw  string
		want *executionLogging
	}{
		{string(raw), &executionLogging{level: "ERROR", includeData: true, groupArn: "arn:aws:logs:us-east-1:123456789012:log-group:once:*"}},
		{`{"level":"OFF","includeExecutionData":false}`, nil},
		{`{"level":"ALL","destinations":[]}`, nil},
		{`not json`, nil},
		{``, nil},
	} {
		for _, machine := range []string{"a", "b", "a"} {
			got := loggingOf(json.RawMessage(tc.raw), machine)
			if (got == nil) != (tc.want == nil) {
				t.Fatalf("loggingOf(%s, %s) = %v, want %v", tc.raw, machine, got, tc.want)
			}
			if got == nil {
				continue
			}
			g := [4]any{got.level, got.includeData, got.groupArn, got.machine}
			w := [4]any{tc.want.level, tc.want.includeData, tc.want.groupArn, machine}
			if g != w {
				t.Errorf("loggingOf(%s, %s) = %v, want %v", tc.raw, machine, g, w)
			}
			if again := loggingOf(json.RawMessage(tc.raw), machine); again == got {
				t.Errorf("loggingOf(%s, %s) returned the same settings twice: executions must not share them", tc.raw, machine)
			}
		}
	}
}

// TestRecordsOwnTheirBytes: the buffer a record is encoded in serves the next records, so a record
// handed out earlier must not change when later ones are made.
func TestRecordsOwnTheirBytes(t *testing.T) {
	ts := time.Date(2026, 12, 6, 7, 45, 1, 0, time.UTC)
	l := &executionLogging{level: "ALL", includeData: true, groupArn: "g", machine: "m"}
	var got, want []string
	for i, s := range recordStrings {
		field := -1 // no details
		if i%2 == 0 {
			field = detailFieldIndexes()[0]
		}
		ev := eventWith(field, int64(i+1), int64(i), ts, "TaskStateEntered", s, s, 0, false, false)
		got = append(got, l.record("arn:"+s, i, ev))
		want = append(want, string(recordByMaps(l, "arn:"+s, i, ev)))
	}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("records after all were made (-got +want):\n%s", diff)
	}
}

// TestLogStreamCache: the stream name kept for the last minute asked is the one streamName gives for
// every start asked after it, across a minute's edges, before 1970 and in other zones.
func TestLogStreamCache(t *testing.T) {
	base := time.Date(2024, 3, 1, 12, 0, 59, 999999999, time.UTC)
	starts := []time.Time{
		base, base.Add(time.Nanosecond), base, base.Add(-59 * time.Second), base.Add(-59*time.Second - time.Nanosecond),
		base.In(time.FixedZone("x", 5400)), base.Add(time.Hour * 24 * 366),
		time.Date(1969, 12, 31, 23, 59, 0, 0, time.UTC), time.Date(1969, 12, 31, 23, 58, 59, 999999999, time.UTC),
		time.Date(1969, 12, 31, 23, 59, 59, 0, time.UTC), time.Unix(0, 0), time.Unix(-1, 0),
	}
	l := &executionLogging{machine: "pipeline"}
	for i, start := range starts {
		if got, want := l.logStream(start), l.streamName(start); got != want {
			t.Errorf("start %d (%v): logStream = %q, want %q", i, start, got, want)
		}
	}
}

// FuzzLogStream: logStream, asked for two starts in turn, names each as streamName does.
func FuzzLogStream(f *testing.F) {
	f.Add(int64(1709294459), int64(999999999), int64(1709294460), int64(0))
	f.Add(int64(-1), int64(0), int64(-60), int64(1))
	f.Add(int64(-61), int64(5), int64(-60), int64(5))
	f.Fuzz(func(t *testing.T, s1, ns1, s2, ns2 int64) {
		const limit = 1 << 40 // seconds: the years time.Format writes as four digits and more, both ways
		if s1 < -limit || s1 > limit || s2 < -limit || s2 > limit {
			t.Skip()
		}
		l := &executionLogging{machine: "m"}
		for _, start := range []time.Time{time.Unix(s1, ns1), time.Unix(s2, ns2), time.Unix(s1, ns1)} {
			if got, want := l.logStream(start), l.streamName(start); got != want {
				t.Fatalf("logStream(%v) = %q, want %q", start, got, want)
			}
		}
	})
}
