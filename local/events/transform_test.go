package events

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func testEvent(t testing.TB) *routed {
	t.Helper()
	raw := []byte(`{"version":"0","id":"e1","detail-type":"T","source":"s","account":"1","time":"2026-01-01T00:00:00Z",` +
		`"region":"r","resources":[],"detail":{"instance":"i-1","state":"RUNNING","n":5,"list":[1,2],"q":"say \"hi\"","obj":{"a":{"b":1}}}}`)
	var doc map[string]any
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		t.Fatal(err)
	}
	return &routed{raw: raw, doc: doc, id: "e1", ingested: time.Date(2026, 1, 1, 0, 0, 1, 0, time.UTC)}
}

// Examples from https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html.
func TestFillTemplate(t *testing.T) {
	paths := map[string]string{"instance": "$.detail.instance", "state": "$.detail.state", "n": "$.detail.n",
		"list": "$.detail.list", "q": "$.detail.q", "missing": "$.detail.nope", "all": "$.detail.list[*]", "deep": "$.detail.obj.a.b"}
	compiled := map[string]*jsonPath{}
	for k, v := range paths {
		p, err := parseJSONPath(v)
		if err != nil {
			t.Fatal(err)
		}
		compiled[k] = p
	}
	tests := []struct{ name, tmpl, want string }{
		{"simple string", `"instance <instance> is in <state>"`, `"instance i-1 is in RUNNING"`},
		{"escaped quotes", `"instance \"<instance>\" is in <state>"`, `"instance \"i-1\" is in RUNNING"`},
		{"simple JSON", `{"instance" : <instance>, "state": <state>}`, `{"instance" : "i-1", "state": "RUNNING"}`},
		{"mixed", `{"instance" : <instance>, "state": [ 9, <state>, true ], "Transformed" : "Yes"}`,
			`{"instance" : "i-1", "state": [ 9, "RUNNING", true ], "Transformed" : "Yes"}`},
		{"numbers and arrays", `{"n": <n>, "list": <list>, "s": "n=<n> list=<list>"}`, `{"n": 5, "list": [1,2], "s": "n=5 list=[1,2]"}`},
		{"value not escaped in string", `{"q": "<q>"}`, `{"q": "say "hi""}`},
		{"value escaped outside string", `{"q": <q>}`, `{"q": "say \"hi\""}`},
		{"missing", `{"m": <missing>, "s": "<missing>!"}`, `{"m": null, "s": "!"}`},
		{"wildcard", `{"all": <all>}`, `{"all": [1,2]}`},
		{"deep", `{"deep": <deep>}`, `{"deep": 1}`},
		{"plain text", `<instance> is in state <state>`, `i-1 is in state RUNNING`},
		{"rule variables", `"<aws.events.rule-name> triggered by <aws.events.rule-arn> at <aws.events.event.ingestion-time>"`,
			`"rule triggered by arn:rule at 2026-01-01T00:00:01Z"`},
		{"undefined placeholder", `{"x": "<other>", "y": 1 < 2}`, `{"x": "<other>", "y": 1 < 2}`},
		{"angle in string", `{"x": "a<b", "s": <state>}`, `{"x": "a<b", "s": "RUNNING"}`},
	}
	ev := testEvent(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := string(fillTemplate(tt.tmpl, compiled, "arn:rule", "rule", ev))
			if diff := cmp.Diff(got, tt.want); diff != "" {
				t.Errorf("fillTemplate(%s) (-got +want):\n%s", tt.tmpl, diff)
			}
		})
	}
}

func TestJSONPath(t *testing.T) {
	ev := testEvent(t)
	tests := []struct {
		path  string
		want  string
		found bool
	}{
		{"$", string(marshal(ev.doc)), true},
		{"$.detail.instance", `"i-1"`, true},
		{"$.detail-type", `"T"`, true},
		{"$['detail']['obj'].a", `{"b":1}`, true},
		{"$.detail.list[0]", `1`, true},
		{"$.detail.list[5]", ``, false},
		{"$.detail.*", `["i-1",[1,2],5,{"a":{"b":1}},"say \"hi\"","RUNNING"]`, true},
		{"$.detail.nope[*]", `[]`, true},
		{"$.resources", `[]`, true},
		{"$.nope", ``, false},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			p, err := parseJSONPath(tt.path)
			if err != nil {
				t.Fatal(err)
			}
			v, found := p.eval(any(ev.doc))
			got := ""
			if found {
				got = string(marshal(v))
			}
			if got != tt.want || found != tt.found {
				t.Errorf("eval = %s, %v; want %s, %v", got, found, tt.want, tt.found)
			}
		})
	}
	for _, bad := range []string{"", "detail", "$.", "$..a", "$[", "$[x]", "$[-1]", "$a"} {
		if _, err := parseJSONPath(bad); err == nil {
			t.Errorf("parseJSONPath(%q) succeeded", bad)
		}
	}
}

func FuzzJSONPath(f *testing.F) {
	for _, s := range []string{"$", "$.detail.list[1]", "$['a'].b[*]", "$.*.*", "$[0]"} {
		f.Add(s)
	}
	ev := testEvent(f)
	f.Fuzz(func(t *testing.T, s string) {
		p, err := parseJSONPath(s)
		if err != nil {
			return
		}
		if v, ok := p.eval(any(ev.doc)); ok && !json.Valid(marshal(v)) {
			t.Fatalf("eval(%q) gave unrenderable %v", s, v)
		}
	})
}

// FuzzFillTemplate checks that filling never panics and that a JSON template
// whose placeholders all sit outside strings stays valid JSON.
func FuzzFillTemplate(f *testing.F) {
	for _, s := range []string{`{"a": <instance>}`, `"x <state> y"`, `<<instance>>`, `{"q": "<q>"}`, `[<list>, <missing>]`} {
		f.Add(s)
	}
	p, _ := parseJSONPath("$.detail.instance")
	paths := map[string]*jsonPath{"instance": p}
	ev := testEvent(f)
	f.Fuzz(func(t *testing.T, tmpl string) {
		out := fillTemplate(tmpl, paths, "arn", "name", ev)
		if !strings.Contains(tmpl, `"`) && strings.HasPrefix(tmpl, "[") && json.Valid([]byte(strings.ReplaceAll(tmpl, "<instance>", "1"))) &&
			!json.Valid(out) {
			t.Fatalf("fillTemplate(%q) = %q is not JSON", tmpl, out)
		}
	})
}

// FuzzEventID holds eventID to what the decoded event says: its top-level "id" when a string.
func FuzzEventID(f *testing.F) {
	for _, s := range []string{`{"id":"a"}`, `{"version":"0","id":"7d1e","detail":{"id":"inner"}}`, `{"id":1}`, `{"id":"a","id":"b"}`,
		`{"id":"a","id":2}`, `{"detail":{"id":"x"}}`, `[]`, `{}`, `{"id":"a"} trailing`, `{"id":"\u00e9\ud800"}`, `{"id":"a",}`, `{"i\u0064":"esc"}`, `"id"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		ev := &routed{raw: raw}
		want, _ := ev.document()["id"].(string)
		if got := eventID(raw); got != want {
			t.Errorf("eventID(%q) = %q, want %q", raw, got, want)
		}
	})
}
