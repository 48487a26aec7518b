package pattern_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/sluicehq/sluice/local/events/pattern"
)

// Reasons follow aws/event-ruler's JsonRuleCompiler, which EventBridge runs
// (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html).
func TestCompileErrors(t *testing.T) {
	tests := []struct {
		name, pattern, reason string
	}{
		{"not an object", `["a"]`, "Filter is not an object"},
		{"string top", `"a"`, "Filter is not an object"},
		{"empty object", `{}`, "Empty objects are not allowed"},
		{"empty nested object", `{"a":{}}`, "Empty objects are not allowed"},
		{"empty array", `{"a":[]}`, "Empty arrays are not allowed"},
		{"scalar field", `{"a":"x"}`, `"a" must be an object or an array`},
		{"nested array", `{"a":[["x"]]}`, "Match value must be String, number, true, false, or null"},
		{"empty expression", `{"a":[{}]}`, "Match expression name not found"},
		{"unknown operator", `{"a":[{"contains":"x"}]}`, "Unrecognized match type contains"},
		{"two keys", `{"a":[{"prefix":"x","suffix":"y"}]}`, "Only one key allowed in match expression"},
		{"prefix number", `{"a":[{"prefix":1}]}`, "prefix match pattern must be a string"},
		{"prefix fold unknown", `{"a":[{"prefix":{"wildcard":"x"}}]}`, "Unsupported prefix pattern: wildcard"},
		{"suffix fold number", `{"a":[{"suffix":{"equals-ignore-case":1}}]}`, "equals-ignore-case match pattern must be a string"},
		{"suffix fold empty", `{"a":[{"suffix":{}}]}`, "Suffix expression name not found"},
		{"equals-ignore-case list", `{"a":[{"equals-ignore-case":["x"]}]}`, "equals-ignore-case match pattern must be a string"},
		{"exists string", `{"a":[{"exists":"true"}]}`, "exists match pattern must be either true or false."},
		{"numeric not array", `{"a":[{"numeric":5}]}`, "Value of numeric must be an array."},
		{"numeric no operator", `{"a":[{"numeric":[5]}]}`, "Invalid member in numeric match: 5"},
		{"numeric empty", `{"a":[{"numeric":[]}]}`, "Invalid member in numeric match: ]"},
		{"numeric bad operator", `{"a":[{"numeric":["!=",5]}]}`, "Unrecognized numeric range operator: !="},
		{"numeric equals string", `{"a":[{"numeric":["=","5"]}]}`, "Value of equals must be numeric"},
		{"numeric equals extra", `{"a":[{"numeric":["=",5,6]}]}`, "Too many elements in numeric expression"},
		{"numeric range bad value", `{"a":[{"numeric":[">",0,5]}]}`, "Bad value in numeric range: 5"},
		{"numeric range bad operator", `{"a":[{"numeric":[">",0,">",5]}]}`, "Bad numeric range operator: >"},
		{"numeric range missing", `{"a":[{"numeric":[">",0,"<"]}]}`, "Value of < must be numeric"},
		{"numeric range extra", `{"a":[{"numeric":[">",0,"<",5,6]}]}`, "Too many terms in numeric range expression"},
		{"numeric too big", `{"a":[{"numeric":[">",5000000001]}]}`, "Value must be between -5.0E9 and 5.0E9, inclusive"},
		{"numeric le extra", `{"a":[{"numeric":["<=",5,"<",6]}]}`, "Too many elements in numeric expression"},
		{"anything-but null", `{"a":[{"anything-but":null}]}`, "Value of anything-but must be an array or single string/number value."},
		{"anything-but bool list", `{"a":[{"anything-but":[true]}]}`, "Inside anything but list, start|null|boolean is not supported."},
		{"anything-but mixed", `{"a":[{"anything-but":["x",1]}]}`, "Inside anything but list, either all values are number or string, mixed type is not supported"},
		{"anything-but empty list", `{"a":[{"anything-but":[]}]}`, "Inside anything but list, either all values are number or string, mixed type is not supported"},
		{"anything-but unknown", `{"a":[{"anything-but":{"numeric":[">",1]}}]}`, "Unsupported anything-but pattern: numeric"},
		{"anything-but empty object", `{"a":[{"anything-but":{}}]}`, "Anything-But expression name not found"},
		{"anything-but prefix empty", `{"a":[{"anything-but":{"prefix":""}}]}`, "Null prefix/suffix not allowed"},
		{"anything-but prefix list empty", `{"a":[{"anything-but":{"prefix":["x",""]}}]}`, "Null prefix/suffix not allowed"},
		{"anything-but fold number", `{"a":[{"anything-but":{"equals-ignore-case":1}}]}`, "Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported."},
		{"anything-but wildcard bad", `{"a":[{"anything-but":{"wildcard":"a**"}}]}`, "Consecutive wildcard characters at pos 2"},
		{"anything-but two keys", `{"a":[{"anything-but":{"prefix":"x","suffix":"y"}}]}`, "Too many elements in numeric expression"},
		{"anything-but number range", `{"a":[{"anything-but":[6000000000]}]}`, "Value must be between -5.0E9 and 5.0E9, inclusive"},
		{"wildcard consecutive", `{"a":[{"wildcard":"ab**c"}]}`, "Consecutive wildcard characters at pos 3"},
		{"wildcard bad escape", `{"a":[{"wildcard":"a\\b"}]}`, "Invalid escape character at pos 2"},
		{"wildcard trailing escape", `{"a":[{"wildcard":"a\\"}]}`, "Invalid escape character at pos 2"},
		{"wildcard too complex", `{"a":[{"wildcard":"*a*a*a*a*a*a*a*a*a*a*a*"}]}`, "Rule is too complex - try using fewer wildcard characters or fewer repeating character sequences after a wildcard character"},
		{"cidr number", `{"a":[{"cidr":1}]}`, "prefix match pattern must be a string"},
		{"cidr no slash", `{"a":[{"cidr":"10.0.0.0"}]}`, "Malformed CIDR, one '/' required"},
		{"cidr trailing slash", `{"a":[{"cidr":"10.0.0.0/"}]}`, "Malformed CIDR, one '/' required"},
		{"cidr bits text", `{"a":[{"cidr":"10.0.0.0/x"}]}`, "Malformed CIDR, mask bits must be an integer"},
		{"cidr bits negative", `{"a":[{"cidr":"10.0.0.0/-1"}]}`, "Malformed CIDR, mask bits must not be negative"},
		{"cidr v4 bits", `{"a":[{"cidr":"10.0.0.0/32"}]}`, "IPv4 mask bits must be < 32"},
		{"cidr v6 bits", `{"a":[{"cidr":"::/128"}]}`, "IPv6 mask bits must be < 128"},
		{"cidr hostname", `{"a":[{"cidr":"example.com/8"}]}`, "Nonstandard IP address: example.com"},
		{"cidr bad octet", `{"a":[{"cidr":"999.0.0.0/8"}]}`, "Invalid IP address: 999.0.0.0"},
		{"or not array", `{"$or":{"a":["x"]}}`, "It must be an Array followed with $or."},
		{"or one branch", `{"$or":[{"a":["x"]}]}`, "There must have at least 2 Objects in $or relationship."},
		{"or scalar", `{"$or":[{"a":["x"]},"b"]}`, "Only JSON object is allowed in array of $or relationship."},
		{"or empty branch", `{"$or":[{"a":["x"]},{}]}`, "Empty objects are not allowed"},
		{"or reserved name", `{"$or":[{"a":["x"]},{"prefix":["y"]}]}`, "prefix is Ruler reserved fieldName which cannot be used inside $or."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := pattern.Compile([]byte(tt.pattern))
			var perr *pattern.Error
			if !errors.As(err, &perr) {
				t.Fatalf("Compile(%s) error = %v, want *pattern.Error", tt.pattern, err)
			}
			if got, want := perr.Reason, tt.reason; got != want {
				t.Errorf("Compile(%s) reason\n got: %s\nwant: %s", tt.pattern, got, want)
			}
			if got, want := err.Error(), "Event pattern is not valid. Reason: "+tt.reason; got != want {
				t.Errorf("message = %q, want %q", got, want)
			}
		})
	}
}

func TestCompileValid(t *testing.T) {
	tests := []struct{ name, pattern string }{
		{"reserved name outside or", `{"prefix":["x"]}`},
		{"anything-but wildcard list", `{"a":[{"anything-but":{"wildcard":["x*","*y"]}}]}`},
		{"anything-but fold list", `{"a":[{"anything-but":{"equals-ignore-case":["x","Y"]}}]}`},
		{"anything-but suffix list", `{"a":[{"anything-but":{"suffix":[".png",".jpg"]}}]}`},
		{"numeric closed range", `{"a":[{"numeric":[">=",-5e9,"<=",5e9]}]}`},
		{"big exact number", `{"account":[123456789012]}`},
		{"escaped star", `{"a":[{"wildcard":"a\\*b\\\\c*"}]}`},
		{"cidr v6", `{"a":[{"cidr":"2001:db8::/32"}]}`},
		{"nested or", `{"$or":[{"a":["1"]},{"$or":[{"b":["2"]},{"c":["3"]}]}]}`},
		{"repeating wildcard", `{"FileName":[{"wildcard":"/Users/*/dir/dir/dir/dir/dir/doc.txt"}]}`},
		{"whitespace", " {\n\"a\" : [ \"x\" ] }\n"},
		{"anything-but wildcard not counted for complexity", `{"a":[{"anything-but":{"wildcard":"*a*a*a*a*a*a*a*a*a*a*a*"}}]}`},
		{"wildcards on different fields", `{"a":[{"wildcard":"*x*y*"}],"b":[{"wildcard":"*x*y*"}],"c":[{"wildcard":"*x*y*"}],"d":[{"wildcard":"*x*y*"}]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := pattern.Compile([]byte(tt.pattern)); err != nil {
				t.Errorf("Compile(%s) = %v, want nil", tt.pattern, err)
			}
		})
	}
}

func TestCompileLimits(t *testing.T) {
	t.Run("length", func(t *testing.T) {
		long := `{"a":["` + strings.Repeat("x", pattern.MaxLength) + `"]}`
		if _, err := pattern.Compile([]byte(long)); !errors.Is(err, pattern.ErrTooLong) {
			t.Errorf("Compile(long) = %v, want ErrTooLong", err)
		}
		exact := `{"a":["` + strings.Repeat("é", pattern.MaxLength-10) + `"]}` // 4096 characters, more bytes
		if _, err := pattern.Compile([]byte(exact)); err != nil {
			t.Errorf("Compile(4096 characters) = %v, want nil", err)
		}
	})
	t.Run("or combinations", func(t *testing.T) {
		// Four $or of 6 branches each: 6^4 = 1296 combinations, over the limit;
		// three give 216, under it.
		or := `[{"a":["1"]},{"b":["2"]},{"c":["3"]},{"d":["4"]},{"e":["5"]},{"f":["6"]}]`
		three := `{"x":{"$or":` + or + `},"y":{"$or":` + or + `},"z":{"$or":` + or + `}}`
		if _, err := pattern.Compile([]byte(three)); err != nil {
			t.Errorf("Compile(216 combinations) = %v, want nil", err)
		}
		four := `{"w":{"$or":` + or + `},"x":{"$or":` + or + `},"y":{"$or":` + or + `},"z":{"$or":` + or + `}}`
		var perr *pattern.Error
		if _, err := pattern.Compile([]byte(four)); !errors.As(err, &perr) {
			t.Errorf("Compile(1296 combinations) = %v, want *pattern.Error", err)
		}
	})
	t.Run("malformed", func(t *testing.T) {
		for _, src := range []string{``, `{`, `{"a":["x"]`, `{"a":["x"]} x`, `{"a" ["x"]}`} {
			var perr *pattern.Error
			if _, err := pattern.Compile([]byte(src)); !errors.As(err, &perr) {
				t.Errorf("Compile(%q) = %v, want *pattern.Error", src, err)
			}
		}
	})
}
