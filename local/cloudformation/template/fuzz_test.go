package template

import (
	"errors"
	"strings"
	"testing"
)

// FuzzParse feeds arbitrary bodies through everything a stack does with one: Parse, Validate, Bind
// with the defaults, Order, ResolveResource, Outputs and Diff. Nothing may panic; every error from
// Parse, Validate and Bind is an *Error (AWS's message).
func FuzzParse(f *testing.F) {
	seeds := []string{
		`{"Resources": {"A": {"Type": "AWS::S3::Bucket"}}}`,
		`{"Parameters": {"P": {"Type": "String", "Default": "x", "AllowedPattern": "[a-z]+"}}, "Conditions": {"C": {"Fn::Equals": [{"Ref": "P"}, "x"]}}, "Resources": {"A": {"Type": "T::T::T", "Condition": "C", "Properties": {"X": {"Fn::If": ["C", {"Fn::Sub": "${P}-${AWS::Region}"}, {"Ref": "AWS::NoValue"}]}}}, "B": {"Type": "T::T::T", "Properties": {"Y": {"Fn::GetAtt": ["A", "Arn"]}}}}, "Outputs": {"O": {"Value": {"Fn::Join": [",", {"Fn::GetAZs": ""}]}}}}`,
		`{"Mappings": {"M": {"a": {"b": [1, 2]}}}, "Resources": {"A": {"Type": "T::T::T", "Properties": {"X": {"Fn::Select": [1, {"Fn::FindInMap": ["M", "a", "b"]}]}, "Y": {"Fn::Cidr": ["10.0.0.0/16", 4, 8]}}}}}`,
		"Resources:\n  A:\n    Type: AWS::S3::Bucket\n    Properties:\n      X: !Sub '${AWS::StackName}'\n      Y: !GetAtt A.Arn\n",
		"Parameters:\n  L:\n    Type: CommaDelimitedList\n    Default: a,b\nResources:\n  A:\n    Type: T::T::T\n    Properties:\n      X: !Join [\"-\", !Ref L]\n",
		`{"Resources": {"A": {"Type": "T::T::T", "Properties": {"X": {"Ref": "B"}}}, "B": {"Type": "T::T::T", "Properties": {"X": {"Ref": "A"}}}}}`,
		"x: &a [*a, *a]\n",
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		tpl, err := Parse(body)
		if err != nil {
			var te *Error
			if !errors.As(err, &te) {
				t.Fatalf("Parse error %v is not an *Error", err)
			}
			return
		}
		if _, err := tpl.Validate(); err != nil {
			var te *Error
			if !errors.As(err, &te) {
				t.Fatalf("Validate error %v is not an *Error", err)
			}
			return
		}
		s, err := tpl.Bind(nil, Env{Region: "us-east-1", AccountID: "123456789012", StackName: "f"})
		if err != nil {
			var te *Error
			if !errors.As(err, &te) {
				t.Fatalf("Bind error %v is not an *Error", err)
			}
			return
		}
		order, err := s.Order()
		if err != nil {
			return
		}
		done := Provisioned{}
		for _, id := range order {
			_, _ = s.ResolveResource(id, done)
			done[id] = Physical{Ref: "p-" + id, Attributes: map[string]any{"Arn": "arn:" + id}}
		}
		_, _ = s.Outputs(done)
		_, _ = s.Diff(s, done)
		_, _ = s.Diff(nil, nil)
	})
}

// FuzzSub checks parseSub's invariants: text with no "${" is one literal; a variable never holds
// "}"; re-rendering the parts gives back the input with each ${!x} turned into ${x}.
func FuzzSub(f *testing.F) {
	for _, s := range []string{"", "plain", "${A}", "a${B.Arn}b", "${!Literal}", "${", "${}", "x${!}y", "${A}${B}", "}${a}{", "${ AWS::Region }"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		parts := parseSub(s)
		if !strings.Contains(s, "${") {
			if s == "" && len(parts) == 0 {
				return
			}
			if len(parts) != 1 || parts[0].variable || parts[0].text != s {
				t.Fatalf("parseSub(%q) = %+v, want one literal", s, parts)
			}
			return
		}
		var b strings.Builder
		for i, p := range parts {
			if p.variable {
				if strings.Contains(p.text, "}") {
					t.Fatalf("parseSub(%q): variable %q holds }", s, p.text)
				}
				b.WriteString("${" + p.text + "}")
				continue
			}
			if p.text == "" || (i > 0 && !parts[i-1].variable) {
				t.Fatalf("parseSub(%q): empty or split literal in %+v", s, parts)
			}
			b.WriteString(p.text)
		}
		// Rendering variables back gives the input up to "${!x}" -> "${x}" and trimmed variable names.
		if got := b.String(); len(got) > len(s) {
			t.Fatalf("parseSub(%q) renders longer: %q", s, got)
		}
	})
}
