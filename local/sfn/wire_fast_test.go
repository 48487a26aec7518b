package sfn

import (
	"bytes"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

// sameJSON reports, for a test, how got and want differ as JSON values (numbers compared as their text,
// so 1.500 and 1.5 differ, as an SDK reading the text could tell them apart).
func sameJSON(t *testing.T, got, want []byte) string {
	t.Helper()
	parse := func(b []byte) any {
		d := json.NewDecoder(bytes.NewReader(b))
		d.UseNumber()
		var v any
		if err := d.Decode(&v); err != nil {
			t.Fatalf("invalid JSON %q: %v", b, err)
		}
		return v
	}
	return cmp.Diff(parse(got), parse(want))
}

// memberNames lists an object's member names in order.
func memberNames(t *testing.T, b []byte) []string {
	t.Helper()
	d := json.NewDecoder(bytes.NewReader(b))
	if tok, err := d.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("%s: not an object", b)
	}
	var names []string
	for d.More() {
		tok, err := d.Token()
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, tok.(string))
		var v json.RawMessage
		if err := d.Decode(&v); err != nil {
			t.Fatal(err)
		}
	}
	return names
}

// checkAppend compares a hand-written answer with encoding/json's encoding of the same value: the same
// members in the same order, with the same values and JSON types, and byte for byte when no string holds
// a character encoding/json escapes and AppendString does not (<, >, &, U+2028, U+2029).
func checkAppend(t *testing.T, v interface {
	jsonAppender
}) {
	t.Helper()
	got := v.appendJSON(nil)
	want, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if diff := sameJSON(t, got, want); diff != "" {
		t.Fatalf("appendJSON differs from encoding/json (-got +want):\n%s\ngot  %s\nwant %s", diff, got, want)
	}
	if diff := cmp.Diff(memberNames(t, got), memberNames(t, want)); diff != "" {
		t.Errorf("member order (-got +want):\n%s", diff)
	}
	if !strings.ContainsAny(string(want), `\`) && !bytes.Equal(got, want) {
		t.Errorf("bytes differ:\ngot  %s\nwant %s", got, want)
	}
}

var wireStrings = []string{
	"", "a", "arn:aws:states:us-east-1:000000000000:execution:m:e", `{"id":"order-1","tags":["a","b"]}`,
	"quote \" backslash \\ slash /", "ctl \n\r\t\b\f\x00\x1f\x7f", "<html>&amp;</html>", "\u2028\u2029",
	"ünïcødé 日本 🎉", "bad utf8 \xff\xfe", "\xed\xa0\x80 surrogate", strings.Repeat("x", 3000),
}

func wireTimes(r *rand.Rand) []time.Time {
	return []time.Time{
		{}, time.Unix(0, 0), time.Unix(1, 1), time.Unix(1733472000, 123456789), time.Unix(1733472000, 999999999),
		time.Unix(-1, 0), time.Unix(-1, 500_000_000), time.Date(9999, 12, 31, 23, 59, 59, 999e6, time.UTC),
		time.Unix(r.Int64N(1<<33), r.Int64N(1e9)), time.Unix(r.Int64N(1<<33), r.Int64N(1e9)).In(time.FixedZone("x", 3600)),
	}
}

func epochOrNil(t time.Time, nilIt bool) *epoch {
	if nilIt {
		return nil
	}
	e := epoch(t)
	return &e
}

// TestAppendMatchesEncodingJSON writes StartExecution's and DescribeExecution's answers for many values,
// chosen to cover every member present and absent, every string escape and the timestamps' edges.
func TestAppendMatchesEncodingJSON(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	str := func() string { return wireStrings[r.IntN(len(wireStrings))] }
	opt := func() string {
		if r.IntN(2) == 0 {
			return ""
		}
		return str()
	}
	times := wireTimes(r)
	tm := func() time.Time { return times[r.IntN(len(times))] }
	for _, tt := range times {
		for _, s := range wireStrings {
			checkAppend(t, startExecutionOutput{ExecutionArn: s, StartDate: epoch(tt)})
		}
	}
	for i := range 3000 {
		o := describeExecutionOutput{
			ExecutionArn: str(), StateMachineArn: str(), Name: str(), Status: str(),
			StartDate: epoch(tm()), StopDate: epochOrNil(tm(), r.IntN(2) == 0),
			Input: str(), InputDetails: dataDetails{Included: r.IntN(2) == 0},
			Error: opt(), Cause: opt(), RedriveCount: []int{0, 1, 7, 1000, -3, 1 << 40}[r.IntN(6)],
			RedriveDate: epochOrNil(tm(), r.IntN(2) == 0), RedriveStatus: opt(), RedriveStatusReason: opt(),
			StateMachineVersionArn: opt(), StateMachineAliasArn: opt(), MapRunArn: opt(),
		}
		if r.IntN(2) == 0 {
			out := str()
			o.Output = &out
		}
		if r.IntN(2) == 0 {
			o.OutputDetails = &dataDetails{Included: r.IntN(2) == 0}
		}
		if i == 0 {
			o = describeExecutionOutput{}
		}
		checkAppend(t, o)
	}
}

func FuzzAppendDescribeExecution(f *testing.F) {
	for _, s := range wireStrings {
		f.Add(s, s, int64(1733472000), int64(123456789), 3, true)
	}
	f.Add("", "", int64(0), int64(0), 0, false)
	f.Fuzz(func(t *testing.T, a, b string, sec, nsec int64, n int, flag bool) {
		ts := time.Unix(sec%(1<<35), nsec)
		checkAppend(t, startExecutionOutput{ExecutionArn: a, StartDate: epoch(ts)})
		o := describeExecutionOutput{
			ExecutionArn: a, StateMachineArn: b, Name: a, Status: b, StartDate: epoch(ts),
			StopDate: epochOrNil(ts, flag), Input: b, InputDetails: dataDetails{Included: flag},
			Error: a, Cause: b, RedriveCount: n, RedriveDate: epochOrNil(ts, !flag),
			RedriveStatus: b, RedriveStatusReason: a, MapRunArn: b,
		}
		if flag {
			o.Output, o.OutputDetails = &a, &dataDetails{Included: true}
		}
		checkAppend(t, o)
	})
}

// decodeSeeds are request bodies for the fast readers: the shapes the SDK sends, and every way a body can
// leave the fast path (unknown members, nulls, other letter case, other types, malformed JSON).
var decodeSeeds = []string{
	`{"stateMachineArn":"arn:aws:states:us-east-1:000000000000:stateMachine:m","input":"{\"id\":\"order-1\",\"tags\":[\"a\"]}"}`,
	`{"stateMachineArn":"arn:m","name":"n","input":"{}","traceHeader":"Root=1"}`,
	`{"executionArn":"arn:aws:states:us-east-1:000000000000:execution:m:e"}`,
	`{"resourceArn":"r","stateMachineArn":"s","executionArn":"e"}`,
	`{}`, ` { } `, `{"name":"a","name":"b"}`, `{"n\u0061me":"esc"}`, `{"Name":"case"}`, `{"NAME":"case"}`,
	`{"input":null}`, `{"name":null}`, `{"name":1}`, `{"input":{"a":1}}`, `{"executionArn":["x"]}`,
	`{"other":"x","executionArn":"e"}`, `{"executionArn":"e"} trailing`, `{"executionArn":"e"`, `[]`, `null`,
	`"s"`, ``, `{"executionArn":"\ud800"}`, `{"executionArn":"\xff"}`, `{"input":"\u00e9\n\/"}`,
	`{"executionArn":"e",}`, `{,}`, `{"a" "b"}`, `{"executionArn":"\x01"}`,
}

// checkDecode compares the fast readers with decode on one body: the same request, or both an error with
// the same code and message.
func checkDecode(t *testing.T, body []byte) {
	t.Helper()
	same := func(gotErr, wantErr error) {
		t.Helper()
		if (gotErr == nil) != (wantErr == nil) {
			t.Fatalf("%q: error %v, want %v", body, gotErr, wantErr)
		}
		if gotErr != nil {
			var g, w *apiError
			if !errors.As(gotErr, &g) || !errors.As(wantErr, &w) {
				t.Fatalf("%q: errors %v, %v are not API errors", body, gotErr, wantErr)
			}
			if diff := cmp.Diff(g.Error(), w.Error()); diff != "" {
				t.Fatalf("%q: error (-got +want):\n%s", body, diff)
			}
		}
	}
	gotS, gotErr := decodeStartExecution(body)
	var wantS startExecutionInput
	wantErr := decode(body, &wantS)
	same(gotErr, wantErr)
	if gotErr == nil {
		if diff := cmp.Diff(gotS, wantS); diff != "" {
			t.Fatalf("%q: StartExecution request (-got +want):\n%s", body, diff)
		}
	}
	gotA, gotErr := decodeArnInput(body)
	var wantA arnInput
	wantErr = decode(body, &wantA)
	same(gotErr, wantErr)
	if gotErr == nil {
		if diff := cmp.Diff(gotA, wantA); diff != "" {
			t.Fatalf("%q: ARN request (-got +want):\n%s", body, diff)
		}
	}
}

func TestDecodeFastMatchesDecode(t *testing.T) {
	for _, s := range decodeSeeds {
		checkDecode(t, []byte(s))
	}
	// Every string of wireStrings as every member's value.
	for _, v := range wireStrings {
		if !utf8.ValidString(v) {
			continue // a JSON encoding would replace the invalid bytes; the seeds above carry raw ones
		}
		q, _ := json.Marshal(v)
		for _, name := range []string{"stateMachineArn", "name", "input", "traceHeader", "executionArn", "resourceArn"} {
			checkDecode(t, []byte(`{"`+name+`":`+string(q)+`}`))
		}
	}
}

// TestDecodeFastPath checks that the SDK's requests take the fast path (they would still be right through
// decode, but not fast).
func TestDecodeFastPath(t *testing.T) {
	for _, body := range decodeSeeds[:4] {
		ok := scanStringMembers([]byte(body), func(name []byte, v string) bool { return true })
		if !ok {
			t.Errorf("%s: not read by the fast path", body)
		}
	}
}

func FuzzDecodeFast(f *testing.F) {
	for _, s := range decodeSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) { checkDecode(t, body) })
}
