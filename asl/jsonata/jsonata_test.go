package jsonata

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
)

func evalString(t *testing.T, expr string, input any, opts ...EvalOption) (any, error) {
	t.Helper()
	e, err := Compile(expr)
	if err != nil {
		return nil, err
	}
	return e.Eval(t.Context(), input, opts...)
}

func TestAPI(t *testing.T) {
	doc, err := DecodeJSON([]byte(`{"b":1,"a":[1,2,3],"n":null}`))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		expr string
		opts []EvalOption
		want string // JSON, or "undefined"
	}{
		{expr: `b`, want: `1`},
		{expr: `missing`, want: `undefined`},
		{expr: `n`, want: `null`},
		{expr: `$`, want: `{"b":1,"a":[1,2,3],"n":null}`},
		{expr: `{"z":1,"y":2,"x":a}`, want: `{"z":1,"y":2,"x":[1,2,3]}`},
		{expr: `$x + b`, opts: []EvalOption{WithBindings(map[string]any{"x": json.Number("41")})}, want: `42`},
		{expr: `$twice(b)`, opts: []EvalOption{WithFunction("twice", "<n:n>", func(ctx context.Context, args []any) (any, error) {
			return args[0].(float64) * 2, nil
		})}, want: `2`},
		{expr: `a[$ > 1]`, want: `[2,3]`},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			got, err := evalString(t, tt.expr, doc, tt.opts...)
			if err != nil {
				t.Fatal(err)
			}
			s := "undefined"
			if !IsUndefined(got) {
				b, err := json.Marshal(got)
				if err != nil {
					t.Fatal(err)
				}
				s = string(b)
			}
			if s != tt.want {
				t.Errorf("got %s, want %s", s, tt.want)
			}
		})
	}
}

func TestInputModel(t *testing.T) {
	in := map[string]any{"n": json.Number("2.5"), "i": 3, "list": []any{json.Number("1"), int64(2)}}
	got, err := evalString(t, `[n, i, $sum(list)]`, in)
	if err != nil {
		t.Fatal(err)
	}
	want := []any{2.5, 3.0, 3.0}
	g := got.([]any)
	for i := range want {
		if g[i] != want[i] {
			t.Errorf("item %d: got %#v, want %#v", i, g[i], want[i])
		}
	}
	if _, ok := in["n"].(json.Number); !ok {
		t.Errorf("input was modified: %#v", in["n"])
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		expr, code string
	}{
		{`1 +`, "S0211"},
		{`"a" + 1`, "T2001"},
		{`$sum("a")`, "T0412"},
		{`$substring("a", "b")`, "T0410"},
		{`(`, "S0203"},
		{`$f := function($x){$f($x)+1}; $f(1)`, "U1001"},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			_, err := evalString(t, "("+tt.expr+")", nil)
			var je *Error
			if !errors.As(err, &je) {
				t.Fatalf("got %v, want an *Error", err)
			}
			if je.Code != tt.code {
				t.Errorf("got code %s (%s), want %s", je.Code, je.Message, tt.code)
			}
		})
	}
}

func TestLimits(t *testing.T) {
	loop := `($f := function(){$f()}; $f())`
	t.Run("timeout", func(t *testing.T) {
		_, err := evalString(t, loop, nil, WithTimeout(50*time.Millisecond))
		var je *Error
		if !errors.As(err, &je) || je.Code != "U1001" {
			t.Fatalf("got %v, want U1001", err)
		}
	})
	t.Run("steps", func(t *testing.T) {
		_, err := evalString(t, loop, nil, WithMaxSteps(10000))
		var je *Error
		if !errors.As(err, &je) || je.Code != "U1001" {
			t.Fatalf("got %v, want U1001", err)
		}
	})
	t.Run("cancel", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		e := MustCompile(loop)
		_, err := e.Eval(ctx, nil)
		var je *Error
		if !errors.As(err, &je) || je.Code != "U1003" {
			t.Fatalf("got %v, want U1003", err)
		}
	})
	t.Run("deep recursion", func(t *testing.T) {
		_, err := evalString(t, `($f := function($n){$n = 0 ? 0 : 1 + $f($n - 1)}; $f(1000000))`, nil)
		var je *Error
		if !errors.As(err, &je) || je.Code != "U1001" {
			t.Fatalf("got %v, want U1001", err)
		}
	})
	t.Run("tail calls run in a loop", func(t *testing.T) {
		got, err := evalString(t, `($f := function($n, $acc){$n = 0 ? $acc : $f($n - 1, $acc + 1)}; $f(100000, 0))`, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got != 100000.0 {
			t.Errorf("got %v, want 100000", got)
		}
	})
}

func TestConcurrentEval(t *testing.T) {
	e := MustCompile(`Account.Order.{"id": OrderID, "total": $sum(Product.(Price * Quantity))}`)
	doc, err := DecodeJSON([]byte(`{"Account":{"Order":[{"OrderID":"a","Product":[{"Price":2,"Quantity":3}]},{"OrderID":"b","Product":[{"Price":1,"Quantity":1}]}]}}`))
	if err != nil {
		t.Fatal(err)
	}
	const want = `[{"id":"a","total":6},{"id":"b","total":1}]`
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 50; j++ {
				v, err := e.Eval(t.Context(), doc)
				if err != nil {
					errs <- err
					return
				}
				b, _ := json.Marshal(v)
				if string(b) != want {
					errs <- errors.New("got " + string(b))
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestObjectOrder(t *testing.T) {
	o := &Object{}
	for _, k := range strings.Split("q w e r t y u i o p a s d f g h", " ") {
		o.Set(k, k)
	}
	o.Delete("e")
	o.Set("w", "W")
	b, err := json.Marshal(o)
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"q":"q","w":"W","r":"r","t":"t","y":"y","u":"u","i":"i","o":"o","p":"p","a":"a","s":"s","d":"d","f":"f","g":"g","h":"h"}`
	if string(b) != want {
		t.Errorf("got %s, want %s", b, want)
	}
	if v, ok := o.Get("g"); !ok || v != "g" {
		t.Errorf("Get(g) = %v, %v", v, ok)
	}
}

func TestNormalize(t *testing.T) {
	in := map[string]any{"a": []any{json.Number("1.5"), "x"}, "b": map[string]any{"c": 2}}
	got := Normalize(in).(map[string]any)
	if v := got["a"].([]any)[0]; v != 1.5 {
		t.Errorf("a[0]: got %#v, want 1.5", v)
	}
	if v := got["b"].(map[string]any)["c"]; v != 2.0 {
		t.Errorf("b.c: got %#v, want 2.0", v)
	}
	if _, ok := in["a"].([]any)[0].(json.Number); !ok {
		t.Error("the input was modified")
	}
	// a normalized value goes through unchanged
	again := Normalize(got).(map[string]any)
	again["marker"] = true
	if _, ok := got["marker"]; !ok {
		t.Error("Normalize copied a value that needed no change")
	}
}

// Error messages fill their templates as jsonata-js does, with tokens and
// values as JSON.stringify writes them; Step Functions' causes carry this
// text after the code.
func TestErrorMessageText(t *testing.T) {
	tests := []struct{ expr, want string }{
		{`a[1,2)`, `Expected "]", got ","`},
		{`1 +`, `Unexpected end of expression`},
		{`$sum(["a"])`, `Argument 1 of function "sum" must be an array of "numbers"`},
		{`"<a>" + 1`, `The left side of the "+" operator must evaluate to a number`},
	}
	for _, tc := range tests {
		_, err := Compile(tc.expr)
		if err == nil {
			var e *Expr
			e, err = Compile(tc.expr)
			if err == nil {
				_, err = e.Eval(context.Background(), nil)
			}
		}
		var je *Error
		if !errors.As(err, &je) {
			t.Fatalf("%s: error %v, want an *Error", tc.expr, err)
		}
		if je.Message != tc.want {
			t.Errorf("%s: message %q, want %q", tc.expr, je.Message, tc.want)
		}
	}
}

func TestObjectIndexKeysFirst(t *testing.T) {
	// a JavaScript object lists array-index keys first, in numeric order,
	// and jsonata-js's results are JavaScript objects
	doc, err := DecodeJSON([]byte(`{"b":1,"10":2,"a":3,"2":4,"02":5,"4294967295":6,"0":7}`))
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"0":7,"2":4,"10":2,"b":1,"a":3,"02":5,"4294967295":6}`
	if string(b) != want {
		t.Errorf("got %s, want %s", b, want)
	}
	got, err := evalString(t, `Account.Order.Product{$string(Quantity): SKU}`, map[string]any{"Account": map[string]any{"Order": []any{
		map[string]any{"Product": []any{map[string]any{"Quantity": 2, "SKU": "a"}, map[string]any{"Quantity": 1, "SKU": "b"}}},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	b, _ = json.Marshal(got)
	if string(b) != `{"1":"b","2":"a"}` {
		t.Errorf("group keys: got %s", b)
	}
}

// A host function sees an argument it was not given as Undefined, and an
// undefined item inside an array as null.
func TestHostFunctionArguments(t *testing.T) {
	var got []any
	f := WithFunction("probe", "<n?a?:n>", func(_ context.Context, args []any) (any, error) {
		got = args
		return 1.0, nil
	})
	if _, err := evalString(t, `$probe()`, nil, f); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || !IsUndefined(got[0]) || !IsUndefined(got[1]) {
		t.Errorf("$probe(): got %#v, want two Undefined", got)
	}
	if _, err := evalString(t, `$probe(1, [2, 3])`, nil, f); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0] != 1.0 {
		t.Errorf("$probe(1, [2, 3]): got %#v", got)
	}
}

// TopLevelFields finds what an expression reads from its (absent) input.
func TestTopLevelFields(t *testing.T) {
	tests := []struct {
		expr string
		want []string
	}{
		{`phone`, []string{"phone"}},
		{`phone[0].number`, []string{"phone"}},
		{`{'a': phone, 'b': email & name}`, []string{"phone", "email", "name"}},
		{`$states.input.phone`, nil},
		{`$states.input[price > 10].name`, nil},
		{`$sum(Account.Order)`, []string{"Account"}},
		{`$map([1,2], function($v) { $v * rate })`, nil},
		{`($x := 1; $x + y)`, []string{"y"}},
		{`a ? b : c`, []string{"a", "b", "c"}},
		{`-n`, []string{"n"}},
		{`1 + 2`, nil},
	}
	for _, tc := range tests {
		e, err := Compile(tc.expr)
		if err != nil {
			t.Fatalf("%s: %v", tc.expr, err)
		}
		got := e.TopLevelFields()
		if strings.Join(got, ",") != strings.Join(tc.want, ",") {
			t.Errorf("%s: TopLevelFields() = %q, want %q", tc.expr, got, tc.want)
		}
	}
}
