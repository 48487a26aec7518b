package jsonata

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"
)

// suiteDir finds ../shared/conformance/jsonata relative to the repository
// root (the directory holding go.mod), or under $SLUICE_SHARED when set.
func suiteDir(t testing.TB) string {
	t.Helper()
	if s := os.Getenv("SLUICE_SHARED"); s != "" {
		return filepath.Join(s, "conformance", "jsonata")
	}
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("repository root not found")
		}
		dir = parent
	}
	d := filepath.Join(dir, "..", "shared", "conformance", "jsonata")
	if _, err := os.Stat(filepath.Join(d, "suite.jsonl")); err != nil {
		t.Skipf("JSONata test suite not available: %v", err)
	}
	return d
}

type suiteCase struct {
	ID              string          `json:"id"`
	Expr            string          `json:"expr"`
	Data            json.RawMessage `json:"data"`
	Dataset         *string         `json:"dataset"`
	Bindings        json.RawMessage `json:"bindings"`
	Result          json.RawMessage `json:"result"`
	UndefinedResult bool            `json:"undefinedResult"`
	Code            string          `json:"code"`
	Token           *string         `json:"token"`
	Error           map[string]any  `json:"error"`
	ResultRe        string          `json:"result_re"`
	Timelimit       int             `json:"timelimit"`
	Depth           int             `json:"depth"`
	Unordered       bool            `json:"unordered"`
}

func loadSuite(t testing.TB) ([]suiteCase, map[string]any) {
	dir := suiteDir(t)
	raw, err := os.ReadFile(filepath.Join(dir, "datasets.json"))
	if err != nil {
		t.Fatal(err)
	}
	var sets map[string]json.RawMessage
	if err := json.Unmarshal(raw, &sets); err != nil {
		t.Fatal(err)
	}
	datasets := map[string]any{}
	for k, v := range sets {
		if datasets[k], err = DecodeJSON(v); err != nil {
			t.Fatal(err)
		}
	}
	f, err := os.Open(filepath.Join(dir, "suite.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cases []suiteCase
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var c suiteCase
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatal(err)
		}
		cases = append(cases, c)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return cases, datasets
}

// runCase runs one case with the reference runner's rules and returns ""
// when it passes, or what went wrong.
func runCase(t testing.TB, c suiteCase, datasets map[string]any) (problem string) {
	defer func() {
		if r := recover(); r != nil {
			problem = fmt.Sprintf("panic: %v", r)
		}
	}()
	var input any = Undefined
	if c.Dataset != nil {
		input = datasets[*c.Dataset]
	} else if len(c.Data) > 0 {
		v, err := DecodeJSON(c.Data)
		if err != nil {
			return "bad data: " + err.Error()
		}
		input = v
	}
	var opts []EvalOption
	if len(c.Bindings) > 0 {
		b, err := DecodeJSON(c.Bindings)
		if err != nil {
			return "bad bindings: " + err.Error()
		}
		if o, ok := b.(*Object); ok && o.Len() > 0 {
			m := map[string]any{}
			for i, k := range o.Keys() {
				m[k] = o.Value(i)
			}
			opts = append(opts, WithBindings(m))
		}
	}
	if c.Depth > 0 {
		opts = append(opts, WithMaxDepth(c.Depth))
	}
	if c.Timelimit > 0 {
		opts = append(opts, WithTimeout(time.Duration(c.Timelimit)*time.Millisecond))
	} else {
		opts = append(opts, WithTimeout(5*time.Second))
	}
	wantCode := c.Code
	if c.Error != nil {
		wantCode, _ = c.Error["code"].(string)
	}
	expr, err := Compile(c.Expr)
	var got any
	if err == nil {
		got, err = expr.Eval(context.Background(), input, opts...)
	}
	if wantCode != "" {
		var je *Error
		if err == nil {
			return fmt.Sprintf("want error %s, got result %s", wantCode, show(got))
		}
		if !errors.As(err, &je) {
			return fmt.Sprintf("want error %s, got %v", wantCode, err)
		}
		if je.Code != wantCode {
			return fmt.Sprintf("want error %s, got %s (%s)", wantCode, je.Code, je.Message)
		}
		if c.Error != nil {
			if tok, ok := c.Error["token"].(string); ok && tok != je.Token {
				return fmt.Sprintf("want token %q, got %q", tok, je.Token)
			}
			if msg, ok := c.Error["message"].(string); ok && msg != je.Message {
				return fmt.Sprintf("want message %q, got %q", msg, je.Message)
			}
		}
		return ""
	}
	if err != nil {
		return "error: " + err.Error()
	}
	if c.UndefinedResult {
		if !IsUndefined(got) {
			return "want undefined, got " + show(got)
		}
		return ""
	}
	if len(c.Result) == 0 {
		return "" // the case checks nothing further
	}
	if IsUndefined(got) {
		return "got undefined, want " + string(c.Result)
	}
	var want any
	if err := json.Unmarshal(c.Result, &want); err != nil {
		return "bad result: " + err.Error()
	}
	gotJSON, err := json.Marshal(exportForJSON(got))
	if err != nil {
		return "cannot encode result: " + err.Error()
	}
	var gotV any
	if err := json.Unmarshal(gotJSON, &gotV); err != nil {
		return "cannot decode result: " + err.Error()
	}
	if c.Unordered {
		gotV, want = sortedJSON(gotV), sortedJSON(want)
	}
	if !reflect.DeepEqual(gotV, want) {
		return fmt.Sprintf("got %s, want %s", gotJSON, c.Result)
	}
	return ""
}

// exportForJSON replaces functions (which JSON.stringify drops) with "".
func exportForJSON(v any) any {
	switch x := v.(type) {
	case *Object:
		o := NewObject(x.Len())
		for i, k := range x.Keys() {
			if isFunction(x.Value(i)) {
				o.Set(k, "")
				continue
			}
			o.Set(k, exportForJSON(x.Value(i)))
		}
		return o
	case []any:
		out := make([]any, len(x))
		for i, it := range x {
			out[i] = exportForJSON(it)
		}
		return out
	}
	if isFunction(v) {
		return ""
	}
	return v
}

func sortedJSON(v any) any {
	a, ok := v.([]any)
	if !ok {
		return v
	}
	out := append([]any(nil), a...)
	sort.Slice(out, func(i, j int) bool {
		x, _ := json.Marshal(out[i])
		y, _ := json.Marshal(out[j])
		return string(x) < string(y)
	})
	return out
}

func show(v any) string {
	if IsUndefined(v) {
		return "undefined"
	}
	b, err := json.Marshal(exportForJSON(v))
	if err != nil {
		return fmt.Sprintf("%v", v)
	}
	return string(b)
}

// heavyCases allocate millions of values; the race detector makes them
// take most of the package's test time.
var heavyCases = map[string]bool{
	"range-operator/case021": true, "range-operator/case024": true,
	"flattening/large#0": true, "flattening/large#1": true,
}

// readKnownFailures reads testdata/suite-known-failures.txt: a case id, a
// tab, and the reason it cannot pass.
func readKnownFailures(t *testing.T) map[string]string {
	raw, err := os.ReadFile(filepath.Join("testdata", "suite-known-failures.txt"))
	if err != nil {
		t.Fatal(err)
	}
	known := map[string]string{}
	for _, line := range strings.Split(string(raw), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		id, reason, _ := strings.Cut(line, "\t")
		known[id] = strings.TrimSpace(reason)
	}
	return known
}

// TestSuite runs the JSONata test suite (1,686 cases of jsonata-js
// 2.2.2) with the reference runner's rules. A case listed in
// testdata/suite-known-failures.txt must fail; every other case must pass.
func TestSuite(t *testing.T) {
	cases, datasets := loadSuite(t)
	known := readKnownFailures(t)
	pass := 0
	for _, c := range cases {
		if raceEnabled && heavyCases[c.ID] {
			t.Logf("%s: skipped under the race detector (it allocates 10^5-10^7 items and tests no concurrency)", c.ID)
			continue
		}
		problem := runCase(t, c, datasets)
		reason, isKnown := known[c.ID]
		switch {
		case problem == "" && isKnown:
			t.Errorf("%s: passes but is listed as a known failure (%s); remove it from the list", c.ID, reason)
		case problem != "" && !isKnown:
			t.Errorf("%s: %s\n\texpr: %s", c.ID, problem, c.Expr)
		}
		if problem == "" {
			pass++
		}
	}
	t.Logf("JSONata suite: %d of %d cases pass", pass, len(cases))
}
