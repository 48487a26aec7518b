package asl

import "strings"

// Choice picks the Next of the first rule that matches, else Default.
// https://docs.aws.amazon.com/step-functions/latest/dg/state-choice.html
type Choice struct {
	Comment       string
	QueryLanguage QueryLanguage

	InputPath  Path
	OutputPath Path
	Output     any

	Choices []ChoiceRule
	// Default is the state to go to when no rule matches; "" is absent
	// (then States.NoChoiceMatched).
	Default string
	Assign  map[string]any
}

// ChoiceRule is one of a Choice state's Choices or a rule nested in And,
// Or or Not. A JSONPath rule is exactly one of:
//   - a comparison: Variable, Operator and Value;
//   - And or Or with one or more nested rules, or Not with one.
//
// A JSONata rule has only Condition. Next (and, for JSONata or variables,
// Assign and Output) belong on top-level rules only.
type ChoiceRule struct {
	Comment string

	Variable string
	Operator Operator
	// Value is the operand: a string (also for timestamps and for every
	// ...Path operator, where it is the path), a number (json.Number after
	// Parse; any Go integer or float when authoring) or a bool.
	Value any

	And []ChoiceRule
	Or  []ChoiceRule
	Not *ChoiceRule

	// Condition is the JSONata expression "{% ... %}" or a constant
	// boolean; nil is absent.
	Condition any

	Next   string
	Assign map[string]any
	Output any
}

// Operator is a Choice rule's comparison.
// https://docs.aws.amazon.com/step-functions/latest/dg/state-choice.html#amazon-states-language-choice-state-rules
type Operator string

// Every comparison operator.
const (
	StringEquals                   Operator = "StringEquals"
	StringEqualsPath               Operator = "StringEqualsPath"
	StringLessThan                 Operator = "StringLessThan"
	StringLessThanPath             Operator = "StringLessThanPath"
	StringGreaterThan              Operator = "StringGreaterThan"
	StringGreaterThanPath          Operator = "StringGreaterThanPath"
	StringLessThanEquals           Operator = "StringLessThanEquals"
	StringLessThanEqualsPath       Operator = "StringLessThanEqualsPath"
	StringGreaterThanEquals        Operator = "StringGreaterThanEquals"
	StringGreaterThanEqualsPath    Operator = "StringGreaterThanEqualsPath"
	StringMatches                  Operator = "StringMatches"
	NumericEquals                  Operator = "NumericEquals"
	NumericEqualsPath              Operator = "NumericEqualsPath"
	NumericLessThan                Operator = "NumericLessThan"
	NumericLessThanPath            Operator = "NumericLessThanPath"
	NumericGreaterThan             Operator = "NumericGreaterThan"
	NumericGreaterThanPath         Operator = "NumericGreaterThanPath"
	NumericLessThanEquals          Operator = "NumericLessThanEquals"
	NumericLessThanEqualsPath      Operator = "NumericLessThanEqualsPath"
	NumericGreaterThanEquals       Operator = "NumericGreaterThanEquals"
	NumericGreaterThanEqualsPath   Operator = "NumericGreaterThanEqualsPath"
	BooleanEquals                  Operator = "BooleanEquals"
	BooleanEqualsPath              Operator = "BooleanEqualsPath"
	TimestampEquals                Operator = "TimestampEquals"
	TimestampEqualsPath            Operator = "TimestampEqualsPath"
	TimestampLessThan              Operator = "TimestampLessThan"
	TimestampLessThanPath          Operator = "TimestampLessThanPath"
	TimestampGreaterThan           Operator = "TimestampGreaterThan"
	TimestampGreaterThanPath       Operator = "TimestampGreaterThanPath"
	TimestampLessThanEquals        Operator = "TimestampLessThanEquals"
	TimestampLessThanEqualsPath    Operator = "TimestampLessThanEqualsPath"
	TimestampGreaterThanEquals     Operator = "TimestampGreaterThanEquals"
	TimestampGreaterThanEqualsPath Operator = "TimestampGreaterThanEqualsPath"
	IsNull                         Operator = "IsNull"
	IsPresent                      Operator = "IsPresent"
	IsNumeric                      Operator = "IsNumeric"
	IsString                       Operator = "IsString"
	IsBoolean                      Operator = "IsBoolean"
	IsTimestamp                    Operator = "IsTimestamp"
)

// OperandKind is the JSON type an Operator's Value must have.
type OperandKind uint8

// Operand kinds.
const (
	OperandString    OperandKind = iota + 1 // a string
	OperandNumber                           // a number
	OperandBoolean                          // true or false
	OperandTimestamp                        // an RFC 3339 timestamp string
	OperandPath                             // a reference path string
	OperandPattern                          // a StringMatches pattern (* wildcards)
)

// Valid reports whether op is one of the comparison operators.
func (op Operator) Valid() bool {
	switch op {
	case StringEquals, StringEqualsPath, StringLessThan, StringLessThanPath,
		StringGreaterThan, StringGreaterThanPath, StringLessThanEquals,
		StringLessThanEqualsPath, StringGreaterThanEquals, StringGreaterThanEqualsPath,
		StringMatches,
		NumericEquals, NumericEqualsPath, NumericLessThan, NumericLessThanPath,
		NumericGreaterThan, NumericGreaterThanPath, NumericLessThanEquals,
		NumericLessThanEqualsPath, NumericGreaterThanEquals, NumericGreaterThanEqualsPath,
		BooleanEquals, BooleanEqualsPath,
		TimestampEquals, TimestampEqualsPath, TimestampLessThan, TimestampLessThanPath,
		TimestampGreaterThan, TimestampGreaterThanPath, TimestampLessThanEquals,
		TimestampLessThanEqualsPath, TimestampGreaterThanEquals, TimestampGreaterThanEqualsPath,
		IsNull, IsPresent, IsNumeric, IsString, IsBoolean, IsTimestamp:
		return true
	}
	return false
}

// Compares reports the type of data op compares: for a ...Path operator, the
// type of the value its path selects; for the Is* tests, OperandBoolean
// (their operand). It is 0 for an invalid operator.
func (op Operator) Compares() OperandKind {
	if !op.Valid() {
		return 0
	}
	s := string(op)
	switch {
	case strings.HasPrefix(s, "String"):
		return OperandString
	case strings.HasPrefix(s, "Numeric"):
		return OperandNumber
	case strings.HasPrefix(s, "Timestamp"):
		return OperandTimestamp
	}
	return OperandBoolean // BooleanEquals(Path) and the Is* tests
}

// IsPath reports whether op is one of the ...Path variants, whose Value is
// a reference path to the value to compare against.
func (op Operator) IsPath() bool {
	return op.Valid() && strings.HasSuffix(string(op), "Path")
}

// Operand reports the JSON type op's Value must have (0 if op is invalid).
func (op Operator) Operand() OperandKind {
	switch {
	case !op.Valid():
		return 0
	case op.IsPath():
		return OperandPath
	case op == StringMatches:
		return OperandPattern
	}
	return op.Compares()
}
