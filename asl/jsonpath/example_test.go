package jsonpath_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/sluicehq/sluice/asl/jsonpath"
)

// decode turns JSON text into the engine's value form (UseNumber).
func decode(text string) any {
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		panic(err)
	}
	return v
}

func encode(v any) string {
	data, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(data)
}

func ExampleCompile() {
	p, err := jsonpath.Compile("$.items[?(@.price > 10)].name")
	if err != nil {
		panic(err)
	}
	input := decode(`{"items": [{"name": "a", "price": 5}, {"name": "b", "price": 15}]}`)
	v, err := p.Eval(&jsonpath.Scope{Input: input})
	fmt.Println(encode(v), err)
	// Output: ["b"] <nil>
}

func ExamplePath_Eval_notFound() {
	p := jsonpath.MustCompile("$.no.such.field")
	_, err := p.Eval(&jsonpath.Scope{Input: decode(`{}`)})
	var e *jsonpath.Error
	if errors.As(err, &e) && errors.Is(err, jsonpath.ErrPathNotFound) {
		fmt.Println(e.Name)
		fmt.Println(e.Cause)
	}
	// Output:
	// States.Runtime
	// Invalid path '$.no.such.field' : Missing property in path $['no']
}

func ExampleSet() {
	ref, err := jsonpath.CompileReference("$.result.payload")
	if err != nil {
		panic(err)
	}
	doc := decode(`{"input": 1}`)
	out, err := jsonpath.Set(doc, ref, decode(`{"ok": true}`))
	fmt.Println(encode(out), err)
	fmt.Println(encode(doc)) // unchanged
	// Output:
	// {"input":1,"result":{"payload":{"ok":true}}} <nil>
	// {"input":1}
}

func ExampleCompileTemplate() {
	tmpl, err := jsonpath.CompileTemplate(decode(`{
	  "Bucket.$": "$.detail.bucket.name",
	  "Execution.$": "$$.Execution.Id",
	  "Attempt.$": "$attempt",
	  "Key.$": "States.Format('{}/{}', $.prefix, $.detail.object.key)",
	  "Static": {"Mode": "strict"}
	}`))
	if err != nil {
		panic(err)
	}
	out, err := tmpl.Eval(&jsonpath.Scope{
		Input:   decode(`{"prefix": "in", "detail": {"bucket": {"name": "b1"}, "object": {"key": "a.csv"}}}`),
		Context: decode(`{"Execution": {"Id": "arn:aws:states:us-east-1:111111111111:execution:m:e"}}`),
		Var: func(name string) (any, bool) {
			if name == "attempt" {
				return json.Number("2"), true
			}
			return nil, false
		},
	})
	fmt.Println(encode(out), err)
	// Output: {"Attempt":2,"Bucket":"b1","Execution":"arn:aws:states:us-east-1:111111111111:execution:m:e","Key":"in/a.csv","Static":{"Mode":"strict"}} <nil>
}

func ExampleCompileIntrinsic() {
	f, err := jsonpath.CompileIntrinsic("States.ArrayPartition(States.ArrayRange(1, 5, 1), 2)")
	if err != nil {
		panic(err)
	}
	v, err := f.Eval(&jsonpath.Scope{})
	fmt.Println(encode(v), err)
	// Output: [[1,2],[3,4],[5]] <nil>
}

func ExampleIntrinsic_Eval_randomness() {
	// Inject a source to make States.UUID and States.MathRandom repeatable.
	var n uint64
	scope := &jsonpath.Scope{Random: func() uint64 { n++; return n * 0x9e3779b97f4a7c15 }}
	f, _ := jsonpath.CompileIntrinsic("States.UUID()")
	v, _ := f.Eval(scope)
	fmt.Println(len(v.(string)))
	// Output: 36
}
