package jsonpath

import (
	"errors"
	"regexp"
	"strings"
	"testing"
)

// Expected values come from the intrinsic functions page
// (https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html)
// and from executions recorded against AWS where noted.
func TestIntrinsicEval(t *testing.T) {
	input := `{
	  "name": "Arnav", "template": "Hello, my name is {}.",
	  "escapedJsonString": "{\"foo\": \"bar\"}", "unescapedJson": {"foo": "bar"},
	  "Id": 123456, "inputArray": [1,2,3,4,5,6,7,8,9], "dups": [1,2,2,3,3,4,1.0,{"a":1},{"a":1.0}],
	  "json1": {"a": {"a1": 1, "a2": 2}, "b": 2}, "json2": {"a": {"a3": 1, "a4": 2}, "c": 3},
	  "s": "Hello World", "csv": "1,2,3,4,5", "arn": "arn:aws:imagebuilder:us-east-1:111:image-recipe/my-recipe.name/1.0.0",
	  "ImageRecipe": {"Arn": "arn:aws:imagebuilder:us-east-1:123456789012:image-recipe/myrecipe/1.0.1"}
	}`
	scope := &Scope{
		Input:   mustJSON(t, input),
		Context: mustJSON(t, `{"StateMachine": {"Name": "a-b-c"}}`),
		Var:     func(n string) (any, bool) { return map[string]any{"v": "var"}[n], n == "v" },
		Random:  seqRandom(1),
	}
	tests := []struct {
		expr string
		want string
	}{
		// States.Format
		{"States.Format('Hello, my name is {}.', $.name)", `"Hello, my name is Arnav."`},
		{"States.Format($.template, $.name)", `"Hello, my name is Arnav."`},
		{"States.Format('no placeholders')", `"no placeholders"`},
		{"States.Format('{}|{}|{}|{}', $.Id, true, null, $.unescapedJson)", `"123456|true|null|{foo=bar}"`}, // objects as AWS formats them: TestFormatArgumentText
		{`States.Format('escaped \{\} and \'quotes\' and \\ backslash {}', 'x')`, `"escaped {} and 'quotes' and \\ backslash x"`},
		{`States.Format('{}{}', 'a', 'b')`, `"ab"`},
		{"States.Format('{} and {}', $v, $$.StateMachine.Name)", `"var and a-b-c"`},
		{"States.Format('  {}  ', 'x')", `"  x  "`},
		{`States.Format('\{"a":"b"\}')`, `"{\"a\":\"b\"}"`},
		// JSON
		{"States.StringToJson($.escapedJsonString)", `{"foo":"bar"}`},
		{"States.StringToJson(' ')", `null`},
		{"States.StringToJson('1.1')", `1.1`},
		{"States.JsonToString($.unescapedJson)", `"{\"foo\":\"bar\"}"`},
		{"States.JsonToString($.inputArray)", `"[1,2,3,4,5,6,7,8,9]"`},
		{"States.JsonMerge($.json1, $.json2, false)", `{"a": {"a3": 1, "a4": 2}, "b": 2, "c": 3}`},
		// Arrays
		{"States.Array($.Id)", `[123456]`},
		{"States.Array()", `[]`},
		{"States.Array('a', 1, true, null, $.unescapedJson, States.Array())", `["a",1,true,null,{"foo":"bar"},[]]`},
		{"States.ArrayPartition($.inputArray, 4)", `[[1,2,3,4],[5,6,7,8],[9]]`},
		{"States.ArrayPartition($.inputArray, 2.6)", `[[1,2],[3,4],[5,6],[7,8],[9]]`},
		{"States.ArrayPartition(States.Array(), 3)", `[]`},
		{"States.ArrayContains($.inputArray, 5)", `true`},
		{"States.ArrayContains($.inputArray, 5.0)", `true`},
		// AWS compares text: a number matches its digits in a string.
		{"States.ArrayContains($.inputArray, '5')", `true`},
		{"States.ArrayContains(States.Array('1', 'x'), 1)", `true`},
		{"States.ArrayContains(States.Array('true', 'false'), true)", `true`},
		{"States.ArrayContains(States.Array(0, 1, -1, -1.5), false)", `false`},
		{"States.ArrayContains(States.Array(1, null, 3), null)", `true`},
		{"States.ArrayContains(States.Array(States.Array(0, 1, false)), States.Array(0, 1, false))", `true`},
		{"States.ArrayContains(States.Array($.unescapedJson), States.StringToJson('{\\}'))", `false`},
		{"States.ArrayContains($.dups, $.unescapedJson)", `false`},
		{"States.ArrayRange(1, 9, 2)", `[1,3,5,7,9]`},
		{"States.ArrayRange(1.4, 5.6, 2.2)", `[1,3,5]`},
		{"States.ArrayRange(5, 1, -2)", `[5,3,1]`},
		{"States.ArrayRange(5, 1, 1)", `[]`},
		{"States.ArrayRange(3, 3, -1)", `[3]`},
		{"States.ArrayGetItem($.inputArray, 5)", `6`},
		{"States.ArrayGetItem($.inputArray, 1.9)", `2`},
		{"States.ArrayGetItem(States.Array(), 999)", `null`},
		{"States.ArrayLength($.inputArray)", `9`},
		{"States.ArrayUnique($.dups)", `[{"a":1},1,2,3,4]`},
		// Orders recorded on AWS (a Java HashSet's iteration order).
		{"States.ArrayUnique(States.Array(true, false, true, false))", `[false,true]`},
		{"States.ArrayUnique(States.Array(States.Array(1,2), States.Array(1,2), States.Array(2,1)))", `[[2,1],[1,2]]`},
		{"States.ArrayUnique(States.Array(null, null, 1, null))", `[null,1]`},
		{"States.ArrayUnique(States.Array(1, 2, 3, 3, 3, 4))", `[1,2,3,4]`},
		{"States.ArrayUnique(States.Array('a', 'b', 'a', 'c', 'b'))", `["a","b","c"]`},
		{"States.ArrayUnique(States.Array(1, '1', '01'))", `[1,"1","01"]`},
		// Encoding and hashing
		{"States.Base64Encode($.s)", `"SGVsbG8gV29ybGQ="`},
		{"States.Base64Decode('SGVsbG8gV29ybGQ=')", `"Hello World"`},
		{"States.Base64Decode('')", `""`},
		{"States.Base64Decode('aGVsbG8')", `"hello"`},
		{"States.Base64Decode(' YWJjZA== ')", `"abcd"`},
		{"States.Base64Decode('ab==cd')", `"i"`},
		{"States.Base64Decode('4pyT')", `"✓"`},
		{"States.Hash('hello', 'SHA-512')", `"9b71d224bd62f3785d96d46ad3ea3d73319bfbc2890caadae2dff72519673ca72323c3d99ba5c11d7c7acc6e14b8c5da0c4663475c2e5c3adef46f73bcdec043"`},
		{"States.Hash('', 'SHA-256')", `"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"`},
		{"States.JsonMerge($.json1, $.json2, 'false')", `{"a": {"a3": 1, "a4": 2}, "b": 2, "c": 3}`},
		{"States.Hash('input data', 'SHA-256')", `"b4a697a057313163aee33cd8d40c66e9f0f177e00cac2de32475ffff6169c3e3"`},
		{"States.Hash('input data', 'MD5')", `"812f45842bc6d66ee14572ce20db8e86"`},
		{"States.Hash('input data', 'SHA-1')", `"aaff4a450a104cd177d28d18d74485e8cae074b7"`},
		// Math
		{"States.MathAdd(111, -1)", `110`},
		{"States.MathAdd(1.49, 1.5)", `3`},
		{"States.MathAdd(-1.5, 0)", `-1`},
		{"States.MathAdd(-2.5, 0)", `-2`},
		{"States.MathAdd(1.6, 2.7)", `5`},
		{"States.MathAdd(0.1, 0.2)", `0`},
		{"States.MathAdd(-2147483647, -1)", `-2147483648`},
		{"States.MathAdd(States.ArrayLength($.inputArray), -1)", `8`},
		// Strings
		{"States.StringSplit($.csv, ',')", `["1","2","3","4","5"]`},
		{"States.StringSplit(',,,,', ',')", `[]`},
		{"States.StringSplit(' , ', ',')", `[" "," "]`},
		{"States.StringSplit('1+2,3.4', '.+,')", `["1","2","3","4"]`},
		{"States.StringSplit('', ',')", `[]`},
		{"States.StringSplit('abc', '')", `["abc"]`},
		// Nested calls: the doc's myArn example (nine calls; the page shows
		// three placeholders for two values, which AWS rejects, so two here).
		{"States.Format('{}.{}', States.ArrayGetItem(States.StringSplit(States.ArrayGetItem(States.StringSplit($.ImageRecipe.Arn, '/'), 2), '.'), 0), States.ArrayGetItem(States.StringSplit(States.ArrayGetItem(States.StringSplit($.ImageRecipe.Arn, '/'), 2), '.'), 1))", `"1.0"`},
		{"States.ArrayGetItem(States.StringSplit($$.StateMachine.Name, '-'), States.MathAdd(States.ArrayLength(States.StringSplit($$.StateMachine.Name, '-')), -1))", `"c"`},
		{"States.ArrayGetItem( $.inputArray , 0 )", `1`},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			f, err := CompileIntrinsic(tt.expr)
			if err != nil {
				t.Fatalf("CompileIntrinsic: %v", err)
			}
			got, err := f.Eval(scope)
			if err != nil {
				t.Fatalf("Eval: %v", err)
			}
			if want := mustJSON(t, tt.want); !sameJSON(got, want) {
				t.Errorf("Eval = %s, want %s", jsonText(got), jsonText(want))
			}
		})
	}
}

// Rejected arguments fail at run time with States.Runtime and
// "Invalid arguments in States.X", as AWS reports them.
func TestIntrinsicEvalErrors(t *testing.T) {
	scope := &Scope{Input: mustJSON(t, `{"arr": [10, 20, 30], "s": "str", "n": null, "obj": {"a": 1}, "long": "`+strings.Repeat("a", 10001)+`"}`)}
	tests := []string{
		"States.Format('{} {}', 'x')",
		"States.Format('{}', 'x', 'y')",
		"States.Format('Hello {', 'x')",
		"States.Format('}')",
		"States.Format('Hello {{}}', 'x')",
		`States.Format('{"a":"b"}')`,
		"States.Format('{}.{}.{}', 'x', 'y')",
		"States.Format($.arr, 'x')",
		"States.StringToJson($.arr)",
		"States.StringToJson('{')",
		"States.StringToJson('1 2')",
		"States.ArrayPartition('not-array', 2)",
		"States.ArrayPartition($.arr, 0.49)",
		"States.ArrayPartition($.arr, -1)",
		"States.ArrayPartition($.arr, '2')",
		"States.ArrayPartition($.arr, null)",
		"States.ArrayContains($.s, 1)",
		"States.ArrayRange('a', 5, 1)",
		"States.ArrayRange(1, 10, 0)",
		"States.ArrayRange(1, 10, 0.49)",
		"States.ArrayRange(1, 1001, 1)",
		"States.ArrayRange(1001, 1, -1)",
		"States.ArrayGetItem('not-array', 0)",
		"States.ArrayGetItem($.arr, 3)",
		"States.ArrayGetItem($.arr, -1)",
		"States.ArrayGetItem($.arr, '1')",
		"States.ArrayLength($.s)",
		"States.ArrayUnique($.obj)",
		"States.Base64Encode($.arr)",
		"States.Format()",
		"States.UUID(1)",
		"States.ArrayPartition($.arr)",
		"States.ArrayPartition($.arr, 2, 999)",
		"States.ArrayRange(1, 5)",
		"States.MathRandom(1)",
		"States.MathRandom(1, 10, 5, 99)",
		"States.Hash()",
		"States.Hash($.long, 'MD5')",
		"States.Base64Encode($.long)",
		"States.Base64Decode($.long)",
		"States.Base64Decode('aGVsbG8=', 'extra')",
		"States.JsonMerge($.obj, $.obj)",
		"States.Hash('x', 'SHA-3')",
		"States.Hash('x', 'sha-256')",
		"States.Hash($.n, 'MD5')",
		"States.JsonMerge($.obj, $.arr, false)",
		"States.JsonMerge($.obj, $.obj, true)",
		"States.MathRandom(1, 1)",
		"States.MathRandom(10, 5)",
		"States.MathRandom(1.4, 1.6)",
		"States.MathRandom('a', 10)",
		"States.MathRandom(1, 10, null)",
		"States.MathAdd('1', 2)",
		"States.MathAdd(2147483648, 0)",
		"States.MathAdd(2147483647, 1)",
		"States.MathAdd(-2147483648, -1)",
		"States.MathAdd(true, 1)",
		"States.MathAdd(null, 1)",
		"States.StringSplit($.n, ',')",
		"States.StringSplit($.s, 1)",
	}
	for _, expr := range tests {
		t.Run(expr, func(t *testing.T) {
			f, err := CompileIntrinsic(expr)
			if err != nil {
				t.Fatalf("CompileIntrinsic: %v", err)
			}
			got, err := f.Eval(scope)
			if err == nil {
				t.Fatalf("Eval = %s, want an error", jsonText(got))
			}
			var e *Error
			if !errors.As(err, &e) || !errors.Is(err, ErrIntrinsic) {
				t.Fatalf("error %v is not an intrinsic *Error", err)
			}
			name := expr[:strings.IndexByte(expr, '(')]
			if e.Name != "States.Runtime" || e.Cause != "Invalid arguments in "+name {
				t.Errorf("error = %s / %q, want States.Runtime / %q", e.Name, e.Cause, "Invalid arguments in "+name)
			}
		})
	}
}

func TestIntrinsicPathNotFound(t *testing.T) {
	f, err := CompileIntrinsic("States.ArrayPartition($.missing, 2)")
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.Eval(&Scope{Input: map[string]any{}})
	if !errors.Is(err, ErrPathNotFound) {
		t.Errorf("error = %v, want ErrPathNotFound", err)
	}
}

func TestCompileIntrinsicErrors(t *testing.T) {
	for _, expr := range []string{
		"States.Nope()",
		"States.Format",
		"States.ArrayGetItem($.arr, )",
		"States.StringSplit($.a ',')",
		"States.Array(1) trailing",
		"States.Array('unterminated)",
		`States.Format('bad \n escape')`,
		`States.StringToJson('{"text":"An \"escaped double quote\" here"}')`,
		`States.Format('He said, \"Hello, {}!\"', 'Test \"Name\" Here')`,
		`States.Format('open escape \`,
		"States.Array(1.2.3)",
		"States.Array(nope)",
		"States.Array($.a[)",
		"states.Array()",
		"States.Array(" + strings.Repeat("States.Array(", 10) + strings.Repeat(")", 11),
	} {
		t.Run(expr, func(t *testing.T) {
			if _, err := CompileIntrinsic(expr); err == nil {
				t.Errorf("CompileIntrinsic(%q) succeeded, want an error", expr)
			}
		})
	}
	// Ten levels are allowed.
	deep := strings.Repeat("States.Array(", 10) + strings.Repeat(")", 10)
	if _, err := CompileIntrinsic(deep); err != nil {
		t.Errorf("ten nested calls: %v", err)
	}
}

var uuidV4 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestIntrinsicRandomness(t *testing.T) {
	uuid := mustIntrinsic(t, "States.UUID()")
	a, _ := uuid.Eval(&Scope{Random: seqRandom(7)})
	b, _ := uuid.Eval(&Scope{Random: seqRandom(7)})
	c, _ := uuid.Eval(&Scope{Random: seqRandom(8)})
	if a != b || a == c {
		t.Errorf("UUID with seeds 7,7,8 = %v %v %v: want the injected source to decide", a, b, c)
	}
	if s, _ := a.(string); !uuidV4.MatchString(s) {
		t.Errorf("UUID = %q, not a version 4 UUID", s)
	}
	real, err := uuid.Eval(&Scope{})
	if s, _ := real.(string); err != nil || !uuidV4.MatchString(s) {
		t.Errorf("UUID without a source = %v, %v", real, err)
	}

	random := mustIntrinsic(t, "States.MathRandom(1, 4)")
	seen := map[string]bool{}
	s := &Scope{Random: seqRandom(3)}
	for range 200 {
		v, err := random.Eval(s)
		if err != nil {
			t.Fatal(err)
		}
		seen[jsonText(v)] = true
	}
	if len(seen) != 3 || !seen["1"] || !seen["2"] || !seen["3"] {
		t.Errorf("MathRandom(1, 4) produced %v, want exactly 1, 2 and 3", seen)
	}

	seeded := mustIntrinsic(t, "States.MathRandom(1, 1000, 42)")
	x, _ := seeded.Eval(&Scope{Random: seqRandom(1)})
	y, _ := seeded.Eval(&Scope{Random: seqRandom(2)})
	if x != y {
		t.Errorf("seeded MathRandom = %v and %v, want the seed alone to decide", x, y)
	}
}

func TestIsIntrinsic(t *testing.T) {
	for expr, want := range map[string]bool{
		"States.Format('x')": true, "States.UUID()": true, "$.a": false, "$$.Execution": false, "$States": false, "Format()": false,
	} {
		if got := IsIntrinsic(expr); got != want {
			t.Errorf("IsIntrinsic(%q) = %v, want %v", expr, got, want)
		}
	}
}

func mustIntrinsic(t testing.TB, expr string) *Intrinsic {
	t.Helper()
	f, err := CompileIntrinsic(expr)
	if err != nil {
		t.Fatalf("CompileIntrinsic(%q): %v", expr, err)
	}
	return f
}
