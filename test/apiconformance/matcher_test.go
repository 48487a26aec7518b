package apiconformance

import (
	"bytes"
	"encoding/json"
	"math/big"
	"regexp"
	"strings"
	"testing"
)

// placeholders compares values recorded against AWS with the local service's, reading the recording's
// placeholders as ../shared/conformance/README.md defines them: a <...> token stands for any value, the
// same one everywhere within a case; the account 111111111111 for any account; the whole strings date,
// datetime, timestamp and snf_role_arn for any value; RandomNumberGenerated for any number; and an
// object member whose recorded value is its own key for any value (a request id, a header).
type placeholders struct{ bound map[string]string }

func newPlaceholders() *placeholders { return &placeholders{bound: map[string]string{}} }

var (
	placeholderRE   = regexp.MustCompile(`<[^<>]+>|111111111111`)
	wildcardStrings = map[string]bool{"date": true, "datetime": true, "timestamp": true, "snf_role_arn": true}
)

// matchString reports whether got matches want, binding want's <...> tokens.
func (p *placeholders) matchString(got, want string) bool {
	if got == want || wildcardStrings[want] {
		return true
	}
	spans := placeholderRE.FindAllStringIndex(want, -1)
	if spans == nil {
		return false
	}
	expr := "^"
	var tokens []string
	last := 0
	for _, s := range spans {
		expr += regexp.QuoteMeta(want[last:s[0]]) + "(.*?)"
		tokens = append(tokens, want[s[0]:s[1]])
		last = s[1]
	}
	expr += regexp.QuoteMeta(want[last:]) + "$"
	m := regexp.MustCompile(expr).FindStringSubmatch(got)
	if m == nil {
		return false
	}
	for i, tok := range tokens {
		if !strings.HasPrefix(tok, "<") {
			continue // an account: any value, not bound
		}
		if prev, ok := p.bound[tok]; ok && prev != m[i+1] {
			return false
		}
		p.bound[tok] = m[i+1]
	}
	return true
}

// matchJSON reports whether the JSON texts got and want hold equal values: key order ignored, numbers
// by value, placeholders as above.
func (p *placeholders) matchJSON(got, want string) bool {
	g, err1 := decodeJSON(got)
	w, err2 := decodeJSON(want)
	return err1 == nil && err2 == nil && p.matchValue(g, w)
}

func decodeJSON(s string) (any, error) {
	d := json.NewDecoder(bytes.NewReader([]byte(s)))
	d.UseNumber()
	var v any
	err := d.Decode(&v)
	return v, err
}

func (p *placeholders) matchValue(got, want any) bool {
	switch w := want.(type) {
	case string:
		if g, ok := got.(string); ok {
			return p.matchString(g, w)
		}
		if _, isNum := got.(json.Number); isNum && w == "RandomNumberGenerated" {
			return true
		}
		return wildcardStrings[w]
	case json.Number:
		g, ok := got.(json.Number)
		if !ok {
			return false
		}
		if g == w {
			return true // the same text, even one big.Float cannot hold (an exponent past its range)
		}
		gf, ok1 := new(big.Float).SetPrec(256).SetString(g.String())
		wf, ok2 := new(big.Float).SetPrec(256).SetString(w.String())
		return ok1 && ok2 && gf.Cmp(wf) == 0
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok || len(g) != len(w) {
			return false
		}
		for k, wv := range w {
			gv, present := g[k]
			if !present {
				return false
			}
			if s, isStr := wv.(string); isStr && s == k {
				continue // a volatile value the recording replaced with its key
			}
			if !p.matchValue(gv, wv) {
				return false
			}
		}
		return true
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return false
		}
		for i := range w {
			if !p.matchValue(g[i], w[i]) {
				return false
			}
		}
		return true
	default: // bool, nil
		return got == want
	}
}

func TestPlaceholders(t *testing.T) {
	tests := []struct {
		name      string
		got, want string // JSON texts
		match     bool
	}{
		{"equal objects, keys reordered", `{"a":1,"b":[true,null]}`, `{"b":[true,null],"a":1}`, true},
		{"numbers by value", `{"n":1.0}`, `{"n":1}`, true},
		{"different number", `{"n":2}`, `{"n":1}`, false},
		{"extra member", `{"a":1,"b":2}`, `{"a":1}`, false},
		{"missing member", `{}`, `{"a":1}`, false},
		{"token", `"arn:aws:states:us-east-1:000000000000:execution:m:abc"`, `"arn:aws:states:us-east-1:111111111111:execution:m:<ExecArnPart_0idx>"`, true},
		{"token bound once", `["x-1","x-2"]`, `["x-<id>","x-<id>"]`, false},
		{"token bound consistently", `["x-1","x-1"]`, `["x-<id>","x-<id>"]`, true},
		{"prefix outside the token differs", `"y-1"`, `"x-<id>"`, false},
		{"whole-string wildcard", `{"t":"2025-01-01T00:00:00Z"}`, `{"t":"timestamp"}`, true},
		{"wildcard only as the whole string", `"at 2025-01-01"`, `"at timestamp"`, false},
		{"random number", `{"r":42}`, `{"r":"RandomNumberGenerated"}`, true},
		{"random number is a number", `{"r":"42"}`, `{"r":"RandomNumberGenerated"}`, false},
		{"volatile member", `{"RequestId":"f00"}`, `{"RequestId":"RequestId"}`, true},
		{"array order matters", `[1,2]`, `[2,1]`, false},
		{"string is not a number", `"1"`, `1`, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := newPlaceholders().matchJSON(tc.got, tc.want); got != tc.match {
				t.Errorf("matchJSON(%s, %s) = %v, want %v", tc.got, tc.want, got, tc.match)
			}
		})
	}
}

// FuzzPlaceholders checks the comparer on arbitrary JSON: a value matches itself, and a text that is not
// JSON matches nothing.
func FuzzPlaceholders(f *testing.F) {
	for _, seed := range []string{`{"a":[1,2.5,"x",null,true]}`, `"<token>"`, `"111111111111"`, `{"k":"k"}`, `"timestamp"`, `[`, `1e400`, `{"a":{"b":{}}}`} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		_, err := decodeJSON(s)
		got := newPlaceholders().matchJSON(s, s)
		if err == nil && !got {
			t.Errorf("matchJSON(%s, itself) = false", s)
		}
		if err != nil && got {
			t.Errorf("matchJSON(%q, itself) = true for text that is not JSON", s)
		}
	})
}
