package sfn

import (
	"strings"
	"unicode/utf8"
)

// ARN formats: https://docs.aws.amazon.com/step-functions/latest/dg/concepts-state-machine-executions.html
// and https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsstepfunctions.html
//
//	arn:aws:states:<region>:<account>:stateMachine:<name>
//	arn:aws:states:<region>:<account>:execution:<machine>:<name>
//	arn:aws:states:<region>:<account>:express:<machine>:<name>:<id>

func (s *Service) machineArn(name string) string {
	return "arn:aws:states:" + s.region + ":" + s.account + ":stateMachine:" + name
}

func (s *Service) executionArn(machine, name string) string {
	return "arn:aws:states:" + s.region + ":" + s.account + ":execution:" + machine + ":" + name
}

func (s *Service) expressArn(machine, name, id string) string {
	return "arn:aws:states:" + s.region + ":" + s.account + ":express:" + machine + ":" + name + ":" + id
}

// arnParts splits a Step Functions ARN (arn:<partition>:states:<region>:<account>:<resource>:<name>...)
// into its resource type and the names after it, none of them empty. It allocates nothing: names holds
// how many there are and the first two.
func arnParts(arn string) (resource string, names arnNames, ok bool) {
	rest := arn
	for i := 0; ; i++ {
		f, after, more := strings.Cut(rest, ":")
		switch {
		case i == 0 && f != "arn", i == 1 && f == "", i == 2 && f != "states", i >= 6 && f == "":
			return "", arnNames{}, false
		case i == 5:
			resource = f
		case i >= 6:
			if names.n < len(names.v) {
				names.v[names.n] = f
			}
			names.n++
		}
		if !more {
			break
		}
		rest = after
	}
	if names.n == 0 {
		return "", arnNames{}, false
	}
	return resource, names, true
}

// arnNames are the names after an ARN's resource type: how many, and the first two.
type arnNames struct {
	n int
	v [2]string
}

// checkMachineArn validates a state machine ARN as AWS does (InvalidArn "Invalid Arn: ...").
func checkMachineArn(arn string) error {
	if arn == "" {
		return validationErrorf("Value null at 'stateMachineArn' failed to satisfy constraint: Member must not be null")
	}
	res, names, ok := arnParts(arn)
	if !ok || res != "stateMachine" || names.n != 1 {
		return apiErrorf(CodeInvalidArn, "Invalid Arn: 'Resource type not valid in this context: %s'", arn)
	}
	return nil
}

// checkExecutionArn validates an execution ARN.
func checkExecutionArn(arn string) error {
	if arn == "" {
		return validationErrorf("Value null at 'executionArn' failed to satisfy constraint: Member must not be null")
	}
	res, names, ok := arnParts(arn)
	if !ok || (res != "execution" && res != "express") || names.n < 2 {
		return apiErrorf(CodeInvalidArn, "Invalid Arn: 'Resource type not valid in this context: %s'", arn)
	}
	return nil
}

// validName reports whether name is a valid state machine or execution name: 1 to 80 characters, none of
// them whitespace, brackets, wildcards, the special characters " # % \ ^ | ~ ` $ & , ; : / or control
// characters (https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html).
func validName(name string) bool {
	// Most names are ASCII: one table look-up a byte, its length its count of characters.
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c >= utf8.RuneSelf {
			return validNameRunes(name)
		}
		if !nameASCII[c] {
			return false
		}
	}
	return name != "" && len(name) <= 80
}

// nameASCII marks the ASCII characters a name may hold (validNameRunes's rules).
var nameASCII = func() (ok [utf8.RuneSelf]bool) {
	for c := range ok {
		ok[c] = validNameRunes(string(rune(c)))
	}
	return ok
}()

// validNameRunes is validName, a character at a time.
func validNameRunes(name string) bool {
	if name == "" || utf8.RuneCountInString(name) > 80 {
		return false
	}
	for _, r := range name {
		switch {
		case r <= 0x20, r >= 0x7f && r <= 0x9f:
			return false
		case strings.ContainsRune("<>{}[]?*\"#%\\^|~`$&,;:/", r):
			return false
		case r == 0x85 || r == 0xa0 || r == 0x1680 || (r >= 0x2000 && r <= 0x200a) || r == 0x2028 ||
			r == 0x2029 || r == 0x202f || r == 0x205f || r == 0x3000:
			return false
		}
	}
	return true
}
