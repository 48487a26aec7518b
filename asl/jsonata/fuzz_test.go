package jsonata

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"
)

var fuzzSeeds = []string{
	`$sum(Account.Order.Product.(Price * Quantity))`,
	`Account.Order[0].Product[Price > 30].SKU`,
	`a.b.%.c`, `$@$x.b#$i[$i < 2]`, `a ?: b ?? c`, `[1..5].($ * 2)`,
	`{"k": a, "v": b}`, `a{b: c}`, `a^(>b, c)`, `$ ~> |a|{"x": 1}, ["y"]|`,
	`/a(b+)c/i`, `$match("abbc", /b+/)`, `$replace("abc", /b/, "$0$0")`, `$split("a,b", ",")`,
	`function($x){$x + 1}(2)`, `($f := function($n){$n < 1 ? 0 : $f($n - 1)}; $f(10))`,
	`$map([1,2], $string)`, `$reduce([1,2,3], function($a, $b){$a + $b})`, `$sort(a, function($x, $y){$x > $y})`,
	`$formatNumber(1234.5, "#,##0.00")`, `$formatInteger(42, "w")`, `$fromMillis(0, "[Y]-[M01]-[D01]")`,
	`$toMillis("2018-01-01T00:00:00Z")`, `$string({"a": [1, null, true]})`, `**.b`, `*.a`, `a[]`,
	`$eval("1 + 1")`, `$pad("x", -5, "#")`, `$number("0x1F")`, `$keys($)`, `$spread($)`, `$merge([{"a":1},{"b":2}])`,
	`"a" & 1 & null`, `-a`, `a in [1, 2]`, `$exists(a) and not(b)`, `$substring("hello", -3, 2)`,
}

var fuzzDocs = []string{
	`{"a": 1, "b": [1, 2, {"c": "x"}], "Account": {"Order": [{"Product": [{"Price": 34.45, "Quantity": 2, "SKU": "a"}]}]}}`,
	`[1, 2, 3]`, `null`, `"s"`, `{"a": {"b": {"c": [[1], [2, [3]]]}}}`, `[{"a": 1}, {"a": [2, 3]}]`,
}

// fuzzLimits keep one input's evaluation small.
func fuzzLimits() []EvalOption {
	return []EvalOption{WithMaxSteps(200_000), WithMaxItems(1_000_000), WithMaxDepth(500), WithTimeout(2 * time.Second)}
}

// checkResult fails when an evaluation broke the contract: a panic is
// caught by the fuzzer itself; here a non-*Error error, a result that does
// not encode, or a limit not reported as a limit.
func checkResult(t *testing.T, v any, err error) {
	t.Helper()
	if err != nil {
		var je *Error
		if !errors.As(err, &je) {
			t.Fatalf("error is not an *Error: %T %v", err, err)
		}
		if je.Code == "" || je.Code == CodeInternal {
			t.Fatalf("internal error or no code: %v", err)
		}
		return
	}
	if IsUndefined(v) || isFunction(v) {
		return
	}
	if _, err := json.Marshal(v); err != nil {
		t.Fatalf("result does not encode: %v", err)
	}
}

func FuzzCompile(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, expr string) {
		e, err := Compile(expr)
		if err != nil {
			var je *Error
			if !errors.As(err, &je) {
				t.Fatalf("compile error is not an *Error: %v", err)
			}
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		start := time.Now()
		v, err := e.Eval(ctx, nil, fuzzLimits()...)
		if d := time.Since(start); d > 4*time.Second {
			t.Fatalf("evaluation took %v despite the limits", d)
		}
		checkResult(t, v, err)
	})
}

func FuzzEval(f *testing.F) {
	for i, s := range fuzzSeeds {
		f.Add(s, fuzzDocs[i%len(fuzzDocs)])
	}
	f.Fuzz(func(t *testing.T, expr, doc string) {
		input, err := DecodeJSON([]byte(doc))
		if err != nil {
			return
		}
		e, err := Compile(expr)
		if err != nil {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		start := time.Now()
		v, err := e.Eval(ctx, input, fuzzLimits()...)
		if d := time.Since(start); d > 4*time.Second {
			t.Fatalf("evaluation took %v despite the limits", d)
		}
		checkResult(t, v, err)
	})
}

func FuzzDecodeJSON(f *testing.F) {
	for _, d := range fuzzDocs {
		f.Add(d)
	}
	f.Fuzz(func(t *testing.T, doc string) {
		v, err := DecodeJSON([]byte(doc))
		if err != nil {
			return
		}
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatalf("decoded value does not encode: %v", err)
		}
		var a, c any
		if err := json.Unmarshal([]byte(doc), &a); err != nil {
			t.Fatalf("DecodeJSON accepted what encoding/json refuses: %v", err)
		}
		if err := json.Unmarshal(b, &c); err != nil {
			t.Fatalf("re-encoded value is not JSON: %v", err)
		}
	})
}
