package asl

import (
	"errors"
	"strings"

	"github.com/sluicehq/sluice/asl/jsonpath"
)

// The syntax checks Validate applies to paths and intrinsic function calls
// come from asl/jsonpath, the package that also evaluates them, so a
// definition that parses here compiles there.

// checkPath checks a JSONPath: "$" (the input), "$$" (the context object)
// or "$name" (a variable), with its segments.
// https://docs.aws.amazon.com/step-functions/latest/dg/amazon-states-language-paths.html
func checkPath(expr string) error {
	_, err := jsonpath.Compile(expr)
	return err
}

// checkReferencePath checks a reference path: a JSONPath that selects a
// single node.
// https://docs.aws.amazon.com/step-functions/latest/dg/amazon-states-language-paths.html#amazon-states-language-reference-paths
func checkReferencePath(expr string) error {
	_, err := jsonpath.CompileReference(expr)
	return err
}

// errNotInput: a ResultPath that does not point into the state input.
var errNotInput = errors.New("a ResultPath must start with $ (the state input)")

// checkResultPath checks a ResultPath: a reference path into the state's
// input, so not rooted at the context object or a variable.
// https://docs.aws.amazon.com/step-functions/latest/dg/input-output-resultpath.html
func checkResultPath(expr string) error {
	p, err := jsonpath.CompileReference(expr)
	if err != nil {
		return err
	}
	if p.Root() != "$" {
		return errNotInput
	}
	return nil
}

// checkIntrinsic checks an intrinsic function call such as
// "States.Format('{}', $.name)".
// https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html
func checkIntrinsic(expr string) error {
	_, err := jsonpath.CompileIntrinsic(expr)
	return err
}

// checkDynamic checks the value of a "key.$" template field: a path or an
// intrinsic function call.
func checkDynamic(s string) error {
	if jsonpath.IsIntrinsic(s) {
		return checkIntrinsic(s)
	}
	return checkPath(s)
}

// checkPathOrIntrinsic checks ErrorPath and CausePath, which take a
// reference path or an intrinsic function call.
// https://docs.aws.amazon.com/step-functions/latest/dg/state-fail.html
func checkPathOrIntrinsic(s string) error {
	if strings.HasPrefix(s, "States.") {
		return checkIntrinsic(s)
	}
	return checkReferencePath(s)
}
