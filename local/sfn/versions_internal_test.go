package sfn

import (
	"strconv"
	"testing"
)

// FuzzParseQualifiedArn: a state machine ARN with an optional version or alias parses back to itself,
// the unqualified part parses as an unqualified ARN, and a version is a positive number written without
// leading zeros.
func FuzzParseQualifiedArn(f *testing.F) {
	for _, seed := range []string{
		"arn:aws:states:us-east-1:000000000000:stateMachine:m",
		"arn:aws:states:us-east-1:000000000000:stateMachine:m:1",
		"arn:aws:states:us-east-1:000000000000:stateMachine:m:live",
		"arn:aws:states:us-east-1:000000000000:stateMachine:m:01",
		"arn:aws:states:us-east-1:000000000000:stateMachine:m:99999999999999999999",
		"arn:aws:states:us-east-1:000000000000:stateMachine:m:a:b",
		"arn:aws:states:us-east-1:000000000000:execution:m:x",
		"arn:aws-cn:states:cn-north-1:1:stateMachine:m:0",
		"arn:aws:states:::stateMachine:m",
		"",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, arn string) {
		q, ok := parseQualifiedArn(arn)
		if !ok {
			return
		}
		if q.version < 0 || (q.version > 0 && q.alias != "") {
			t.Fatalf("%q: both a version and an alias: %+v", arn, q)
		}
		rebuilt := q.machine
		switch {
		case q.version > 0:
			rebuilt += ":" + strconv.Itoa(q.version)
		case q.alias != "":
			rebuilt += ":" + q.alias
			if allDigits(q.alias) {
				t.Fatalf("%q: a number parsed as an alias", arn)
			}
		}
		if rebuilt != arn {
			t.Fatalf("%q parsed as %+v, which reads %q", arn, q, rebuilt)
		}
		m, ok := parseQualifiedArn(q.machine)
		if !ok || m.machine != q.machine || m.version != 0 || m.alias != "" {
			t.Fatalf("%q: its machine %q does not parse as an unqualified ARN: %+v", arn, q.machine, m)
		}
		if checkMachineArn(q.machine) != nil {
			t.Fatalf("%q: the machine ARN %q is refused by checkMachineArn", arn, q.machine)
		}
	})
}
