package jsonatabench

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/sluicehq/sluice/asl/jsonata"
)

// TestDifferential evaluates testdata/differential.json (2,012 generated
// expressions: paths, operators, tuple streams, functions, lambdas,
// transforms, regexes, date/time and number pictures) over the suite's
// dataset5 with asl/jsonata and with jsonata-js 2.2.2, and compares the
// JSON results as JSON.stringify writes them. When both fail the case
// agrees (the codes may differ: jsonata-js evaluates array items
// concurrently, so which error it reports first depends on its
// scheduling). Every other difference must be listed, with its reason, in
// testdata/differential-known.txt, and a listed expression that agrees
// fails the test. Skipped when node or jsonata-js is not installed
// (npm ci --prefix test/jsonatabench).
func TestDifferential(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node not found")
	}
	if _, err := os.Stat(filepath.Join("node_modules", "jsonata", "package.json")); err != nil {
		t.Skip("jsonata-js not installed: npm ci --prefix test/jsonatabench")
	}
	raw, err := os.ReadFile(datasetsFile(nil))
	if err != nil {
		t.Skipf("JSONata suite datasets not available: %v", err)
	}
	var sets map[string]json.RawMessage
	if err := json.Unmarshal(raw, &sets); err != nil {
		t.Fatal(err)
	}
	var exprs []string
	b, err := os.ReadFile(filepath.Join("testdata", "differential.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &exprs); err != nil {
		t.Fatal(err)
	}
	known := map[string]string{}
	kb, err := os.ReadFile(filepath.Join("testdata", "differential-known.txt"))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(kb), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		expr, reason, _ := strings.Cut(line, "\t")
		known[expr] = reason
	}

	spec, err := json.Marshal(map[string]any{"data": sets["dataset5"], "exprs": exprs})
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(t.Context(), node, "differential.js")
	cmd.Stdin = bytes.NewReader(spec)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("differential.js: %v: %s", err, stderr.String())
	}
	var js []map[string]any
	if err := json.Unmarshal(out, &js); err != nil {
		t.Fatal(err)
	}
	doc, err := jsonata.DecodeJSON(sets["dataset5"])
	if err != nil {
		t.Fatal(err)
	}
	agree := 0
	for i, src := range exprs {
		got := evalForDiff(t, src, doc)
		want := js[i]
		_, gotErr := got["error"]
		_, wantErr := want["error"]
		same := (gotErr && wantErr) || reflect.DeepEqual(got, want)
		reason, isKnown := known[src]
		switch {
		case same && isKnown:
			t.Errorf("%s: agrees with jsonata-js but is listed as a known difference (%s); remove it", src, reason)
		case !same && !isKnown:
			gb, _ := json.Marshal(got)
			wb, _ := json.Marshal(want)
			t.Errorf("%s:\n\tgot  %s\n\twant %s (jsonata-js)", src, gb, wb)
		}
		if same {
			agree++
		}
	}
	t.Logf("%d of %d expressions agree with jsonata-js; %d known differences", agree, len(exprs), len(known))
}

// evalForDiff evaluates src and renders the outcome as differential.js
// does.
func evalForDiff(t *testing.T, src string, doc any) (res map[string]any) {
	e, err := jsonata.Compile(src)
	var v any
	if err == nil {
		v, err = e.Eval(t.Context(), doc)
	}
	if err != nil {
		var je *jsonata.Error
		if errors.As(err, &je) {
			return map[string]any{"error": je.Code}
		}
		return map[string]any{"error": err.Error()}
	}
	s, ok := stringifyJS(v)
	if !ok {
		return map[string]any{"undefined": true}
	}
	var back any
	if err := json.Unmarshal([]byte(s), &back); err != nil {
		return map[string]any{"error": fmt.Sprintf("result is not JSON: %v", err)}
	}
	return map[string]any{"v": back}
}

// stringifyJS writes v as JSON.stringify would: a function is dropped
// from an object, null in an array, and nothing at the top.
func stringifyJS(v any) (string, bool) {
	if jsonata.IsUndefined(v) || isFunc(v) {
		return "", false
	}
	var b strings.Builder
	writeJS(&b, v)
	return b.String(), true
}

func isFunc(v any) bool {
	switch v.(type) {
	case nil, bool, float64, string, []any, *jsonata.Object, map[string]any:
		return false
	}
	return !jsonata.IsUndefined(v)
}

func writeJS(b *strings.Builder, v any) {
	switch x := v.(type) {
	case *jsonata.Object:
		b.WriteByte('{')
		first := true
		for i, k := range x.Keys() {
			if isFunc(x.Value(i)) {
				continue
			}
			if !first {
				b.WriteByte(',')
			}
			first = false
			kb, _ := json.Marshal(k)
			b.Write(kb)
			b.WriteByte(':')
			writeJS(b, x.Value(i))
		}
		b.WriteByte('}')
	case []any:
		b.WriteByte('[')
		for i, it := range x {
			if i > 0 {
				b.WriteByte(',')
			}
			if isFunc(it) {
				b.WriteString("null")
				continue
			}
			writeJS(b, it)
		}
		b.WriteByte(']')
	default:
		vb, err := json.Marshal(v)
		if err != nil {
			b.WriteString("null")
			return
		}
		b.Write(vb)
	}
}
