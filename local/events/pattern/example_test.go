package pattern_test

import (
	"fmt"

	"github.com/sluicehq/sluice/local/events/pattern"
)

func ExampleCompile() {
	p, err := pattern.Compile([]byte(`{
		"source": ["aws.s3"],
		"detail-type": ["Object Created"],
		"detail": {"object": {"key": [{"prefix": "incoming/"}], "size": [{"numeric": [">", 0]}]}}
	}`))
	if err != nil {
		panic(err)
	}
	ok, err := p.Match([]byte(`{"source":"aws.s3","detail-type":"Object Created",
		"detail":{"bucket":{"name":"b"},"object":{"key":"incoming/a.csv","size":12}}}`))
	fmt.Println(ok, err)
	// Output: true <nil>
}

func ExampleCompile_invalid() {
	_, err := pattern.Compile([]byte(`{"detail": {"state": [{"anything-but": null}]}}`))
	fmt.Println(err)
	// Output: Event pattern is not valid. Reason: Value of anything-but must be an array or single string/number value.
}

func ExamplePattern_MatchValue() {
	p := pattern.MustCompile(`{"$or": [{"a": [1]}, {"b": [{"exists": false}]}]}`)
	ok, _ := p.MatchValue(map[string]any{"a": 1.0, "b": "x"})
	fmt.Println(ok)
	// Output: true
}
