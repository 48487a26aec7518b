package pattern_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/sluicehq/sluice/local/events/pattern"
)

// Semantics per https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
// and aws/event-ruler's README.
func TestMatch(t *testing.T) {
	tests := []struct {
		name, pattern, event string
		want                 bool
	}{
		{"exact string", `{"source":["aws.s3"]}`, `{"source":"aws.s3"}`, true},
		{"exact string other", `{"source":["aws.s3"]}`, `{"source":"aws.s3x"}`, false},
		{"values are ORed", `{"source":["a","b"]}`, `{"source":"b"}`, true},
		{"fields are ANDed", `{"a":["1"],"b":["2"]}`, `{"a":"1","b":"3"}`, false},
		{"missing field", `{"a":["1"]}`, `{"b":"1"}`, false},
		{"number by value", `{"n":[300]}`, `{"n":3.0e2}`, true},
		{"number not string", `{"n":[300]}`, `{"n":"300"}`, false},
		{"string not number", `{"n":["300"]}`, `{"n":300}`, false},
		{"big number by text", `{"n":[123456789012]}`, `{"n":123456789012}`, true},
		{"true", `{"b":[true]}`, `{"b":true}`, true},
		{"true not string", `{"b":[true]}`, `{"b":"true"}`, false},
		{"null", `{"b":[null]}`, `{"b":null}`, true},
		{"null not missing", `{"b":[null]}`, `{}`, false},
		{"empty string", `{"b":[""]}`, `{"b":""}`, true},
		{"event array any element", `{"r":["x"]}`, `{"r":["w","x"]}`, true},
		{"event array none", `{"r":["x"]}`, `{"r":["w","y"]}`, false},
		{"dotted key is nesting", `{"detail.state":["on"]}`, `{"detail":{"state":"on"}}`, true},
		{"nesting matches dotted event key", `{"detail":{"state":["on"]}}`, `{"detail.state":"on"}`, true},
		{"object is not a value", `{"a":["x"]}`, `{"a":{"b":"x"}}`, false},
		{"escaped event string", `{"a":["x\"y"]}`, `{"a":"x\u0022y"}`, true},
		{"escaped event key", `{"a":["x"]}`, `{"\u0061":"x"}`, true},
		{"unicode surrogate", `{"a":["😀"]}`, `{"a":"\ud83d\ude00"}`, true},
		{"prefix", `{"a":[{"prefix":"ab"}]}`, `{"a":"abc"}`, true},
		{"prefix not number", `{"a":[{"prefix":"1"}]}`, `{"a":12}`, false},
		{"prefix fold", `{"a":[{"prefix":{"equals-ignore-case":"ÄB"}}]}`, `{"a":"äbc"}`, true},
		{"suffix", `{"a":[{"suffix":".png"}]}`, `{"a":"x.png"}`, true},
		{"suffix fold", `{"a":[{"suffix":{"equals-ignore-case":".PNG"}}]}`, `{"a":"x.png"}`, true},
		{"suffix fold other", `{"a":[{"suffix":{"equals-ignore-case":".PNG"}}]}`, `{"a":"x.jpg"}`, false},
		{"equals-ignore-case", `{"a":[{"equals-ignore-case":"HeLLo"}]}`, `{"a":"hello"}`, true},
		{"wildcard", `{"a":[{"wildcard":"dir/*/file*.txt"}]}`, `{"a":"dir/x/y/file1.txt"}`, true},
		{"wildcard anchored", `{"a":[{"wildcard":"dir/*.txt"}]}`, `{"a":"dir/x.txt.bak"}`, false},
		{"wildcard escaped star", `{"a":[{"wildcard":"a\\*b"}]}`, `{"a":"a*b"}`, true},
		{"wildcard escaped star literal", `{"a":[{"wildcard":"a\\*b"}]}`, `{"a":"axb"}`, false},
		{"wildcard overlap", `{"a":[{"wildcard":"*ab*ab"}]}`, `{"a":"abab"}`, true},
		{"numeric range", `{"n":[{"numeric":[">",0,"<=",5]}]}`, `{"n":5}`, true},
		{"numeric open top", `{"n":[{"numeric":[">",0,"<",5]}]}`, `{"n":5}`, false},
		{"numeric open bottom", `{"n":[{"numeric":[">",0]}]}`, `{"n":0}`, false},
		{"numeric ge", `{"n":[{"numeric":[">=",0]}]}`, `{"n":-0.0}`, true},
		{"numeric equals", `{"n":[{"numeric":["=",301.8]}]}`, `{"n":3.018e2}`, true},
		{"numeric string", `{"n":[{"numeric":[">",1]}]}`, `{"n":"5"}`, false},
		{"numeric out of range event", `{"n":[{"numeric":[">",1]}]}`, `{"n":6e9}`, false},
		{"numeric six decimals", `{"n":[{"numeric":["<",0.000002]}]}`, `{"n":0.000001}`, true},
		{"exists", `{"a":[{"exists":true}]}`, `{"a":null}`, true},
		{"exists not object", `{"a":[{"exists":true}]}`, `{"a":{"b":1}}`, false},
		{"exists not empty array", `{"a":[{"exists":true}]}`, `{"a":[]}`, false},
		{"absent", `{"a":[{"exists":false}]}`, `{"b":1}`, true},
		{"absent object counts as absent", `{"a":[{"exists":false}]}`, `{"a":{"b":1}}`, true},
		{"absent present", `{"a":[{"exists":false}]}`, `{"a":"x"}`, false},
		{"cidr v4", `{"ip":[{"cidr":"10.0.0.0/24"}]}`, `{"ip":"10.0.0.255"}`, true},
		{"cidr v4 outside", `{"ip":[{"cidr":"10.0.0.0/24"}]}`, `{"ip":"10.0.1.0"}`, false},
		{"cidr v6", `{"ip":[{"cidr":"2001:db8::/32"}]}`, `{"ip":"2001:DB8:ffff::1"}`, true},
		{"cidr other family", `{"ip":[{"cidr":"10.0.0.0/8"}]}`, `{"ip":"::a00:1"}`, false},
		{"cidr not ip", `{"ip":[{"cidr":"10.0.0.0/8"}]}`, `{"ip":"10.0.0.x"}`, false},
		{"exact ip other spelling", `{"ip":["2001:db8::1"]}`, `{"ip":"2001:0db8:0:0:0:0:0:1"}`, true},
		{"anything-but string", `{"a":[{"anything-but":"x"}]}`, `{"a":"y"}`, true},
		{"anything-but string hit", `{"a":[{"anything-but":["x","y"]}]}`, `{"a":"y"}`, false},
		{"anything-but null", `{"a":[{"anything-but":"x"}]}`, `{"a":null}`, true},
		{"anything-but missing", `{"a":[{"anything-but":"x"}]}`, `{}`, false},
		{"anything-but number", `{"a":[{"anything-but":[100,200]}]}`, `{"a":2e2}`, false},
		{"anything-but number other", `{"a":[{"anything-but":[100,200]}]}`, `{"a":201}`, true},
		{"anything-but array any", `{"a":[{"anything-but":"x"}]}`, `{"a":["x","z"]}`, true},
		{"anything-but prefix", `{"a":[{"anything-but":{"prefix":"init"}}]}`, `{"a":"initializing"}`, false},
		{"anything-but prefix list", `{"a":[{"anything-but":{"prefix":["a","b"]}}]}`, `{"a":"cat"}`, true},
		{"anything-but suffix", `{"a":[{"anything-but":{"suffix":".txt"}}]}`, `{"a":"x.txt"}`, false},
		{"anything-but fold", `{"a":[{"anything-but":{"equals-ignore-case":["X","y"]}}]}`, `{"a":"Y"}`, false},
		{"anything-but wildcard", `{"a":[{"anything-but":{"wildcard":"*/init/*"}}]}`, `{"a":"a/init/b"}`, false},
		{"anything-but wildcard other", `{"a":[{"anything-but":{"wildcard":"*/init/*"}}]}`, `{"a":"a/b"}`, true},
		{"or", `{"$or":[{"a":["1"]},{"b":["2"]}]}`, `{"b":"2"}`, true},
		{"or none", `{"$or":[{"a":["1"]},{"b":["2"]}]}`, `{"a":"2","b":"1"}`, false},
		{"or with and", `{"s":["x"],"$or":[{"a":["1"]},{"b":["2"]}]}`, `{"s":"y","b":"2"}`, false},
		{"nested or", `{"d":{"$or":[{"a":["1"]},{"$or":[{"b":["2"]},{"c":["3"]}]}]}}`, `{"d":{"c":"3"}}`, true},
		{"same element", `{"r":{"k":["a"],"v":["1"]}}`, `{"r":[{"k":"a","v":"1"},{"k":"b","v":"2"}]}`, true},
		{"different elements", `{"r":{"k":["a"],"v":["2"]}}`, `{"r":[{"k":"a","v":"1"},{"k":"b","v":"2"}]}`, false},
		{"nested arrays", `{"r":{"s":{"k":["a"]},"v":["2"]}}`, `{"r":[{"s":[{"k":"b"},{"k":"a"}],"v":"2"}]}`, true},
		{"absent in same element", `{"r":{"k":["a"],"v":[{"exists":false}]}}`, `{"r":[{"k":"a"},{"k":"b","v":"2"}]}`, true},
		{"absent in same element present", `{"r":{"k":["a"],"v":[{"exists":false}]}}`, `{"r":[{"k":"a","v":"1"},{"k":"b"}]}`, false},
		{"absence judged in path order", `{"r":{"a":[{"exists":false}],"k":["x"]}}`, `{"r":[{"k":"x"},{"a":1,"k":"y"}]}`, false},
		{"absence judged after earlier fields", `{"r":{"k":["x"],"z":[{"exists":false}]}}`, `{"r":[{"k":"x"},{"z":1,"k":"y"}]}`, true},
		{"top value with array value", `{"s":["x"],"r":{"k":["a"]}}`, `{"s":"x","r":[{"k":"b"},{"k":"a"}]}`, true},
		{"or exists parent", `{"a":{"b":[{"anything-but":["roses"]},{"exists":false}]}}`, `{"a":{"c":1}}`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := pattern.Compile([]byte(tt.pattern))
			if err != nil {
				t.Fatalf("Compile(%s): %v", tt.pattern, err)
			}
			got, err := p.Match([]byte(tt.event))
			if err != nil {
				t.Fatalf("Match(%s): %v", tt.event, err)
			}
			if got != tt.want {
				t.Errorf("Match(%s, %s) = %v, want %v", tt.pattern, tt.event, got, tt.want)
			}
			d := json.NewDecoder(strings.NewReader(tt.event))
			d.UseNumber()
			var decoded any
			if err := d.Decode(&decoded); err != nil {
				t.Fatal(err)
			}
			if got, err := p.MatchValue(decoded); err != nil || got != tt.want {
				t.Errorf("MatchValue = %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}

func TestMatchInvalidEvent(t *testing.T) {
	p := pattern.MustCompile(`{"a":["x"]}`)
	for _, ev := range []string{``, `[]`, `"a"`, `{`, `{"a":}`, `{"a":"x"} {}`, `{"a":01}`, `{"a":"\x"}`, `{"b":[1,]}`, `{"b":tru}`, "{\"a\":\"\x01\"}", `{"b":-}`, `{"b":1.}`, `{"b":1e}`} {
		t.Run(ev, func(t *testing.T) {
			if _, err := p.Match([]byte(ev)); !errors.Is(err, pattern.ErrInvalidEvent) {
				t.Errorf("Match(%q) error = %v, want ErrInvalidEvent", ev, err)
			}
			if json.Valid([]byte(ev)) && (len(ev) > 0 && ev[0] == '{') {
				t.Errorf("test event %q is valid JSON", ev)
			}
		})
	}
	if _, err := p.MatchValue([]any{}); !errors.Is(err, pattern.ErrInvalidEvent) {
		t.Errorf("MatchValue([]) error = %v, want ErrInvalidEvent", err)
	}
}
