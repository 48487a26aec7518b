package asl_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sluicehq/sluice/asl"
)

// machine wraps states in a top-level machine starting at "A".
func machine(states string) string {
	return `{"StartAt":"A","States":{` + states + `}}`
}

func schema(loc, msg string) asl.Diagnostic {
	return asl.Diagnostic{Severity: asl.SeverityError, Code: asl.CodeSchemaValidationFailed, Message: msg, Location: loc}
}

func diag(code asl.Code, loc, msg string) asl.Diagnostic {
	return asl.Diagnostic{Severity: asl.SeverityError, Code: code, Message: msg, Location: loc}
}

func warning(code asl.Code, loc, msg string) asl.Diagnostic {
	return asl.Diagnostic{Severity: asl.SeverityWarning, Code: code, Message: msg, Location: loc}
}

const endPass = `"Z":{"Type":"Pass","End":true}`

// TestValidate checks the rules CreateStateMachine applies. Where the
// message or location is AWS's recorded one, the case says so; the rest
// follow the same formats.
func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		def  string
		want []asl.Diagnostic
	}{
		{
			name: "empty definition",
			def:  "  ",
			want: []asl.Diagnostic{diag(asl.CodeMissingDescription, "", "The definition is empty")},
		},
		{
			name: "top level not an object",
			def:  `[]`,
			want: []asl.Diagnostic{schema("/", "The value for the field 'definition' must be an OBJECT")},
		},
		{
			name: "missing StartAt and States",
			def:  `{"Comment":"x"}`,
			want: []asl.Diagnostic{schema("/", "These fields are required: [StartAt, States]")},
		},
		{
			name: "unknown top-level field",
			def:  `{"StartAt":"Z","States":{` + endPass + `},"Foo":1}`,
			want: []asl.Diagnostic{schema("/", "Field 'Foo' is not supported")},
		},
		{
			name: "StartAt names no state",
			def:  `{"StartAt":"Nope","States":{` + endPass + `}}`,
			want: []asl.Diagnostic{
				diag(asl.CodeMissingTransitionTarget, "/StartAt", "Missing 'Next' target: Nope"),
				diag(asl.CodeMissingTransitionTarget, "/States/Z", `State "Z" is not reachable.`),
			},
		},
		{
			name: "empty States",
			def:  `{"StartAt":"A","States":{}}`,
			want: []asl.Diagnostic{schema("/States", "The field 'States' should be non-empty")},
		},
		{
			name: "missing Type",
			def:  machine(`"A":{"End":true}`),
			want: []asl.Diagnostic{schema("/States/A", "These fields are required: [Type]")},
		},
		{
			name: "invalid Type",
			def:  machine(`"A":{"Type":"Sleep","End":true}`),
			want: []asl.Diagnostic{schema("/States/A/Type", "The field 'Type' should have one of these values: [Task, Wait, Pass, Succeed, Fail, Choice, Parallel, Map]")},
		},
		{
			// Recorded by AWS for Parallel, Map and Pass (see package doc).
			name: "field of another state type",
			def:  machine(`"A":{"Type":"Pass","TimeoutSeconds":5,"End":true}`),
			want: []asl.Diagnostic{schema("/States/A", "Field 'TimeoutSeconds' is not supported")},
		},
		{
			name: "Catch on a Pass state",
			def:  machine(`"A":{"Type":"Pass","End":true,"Catch":[{"ErrorEquals":["States.ALL"],"Next":"A"}]}`),
			want: []asl.Diagnostic{schema("/States/A", "Field 'Catch' is not supported")},
		},
		{
			name: "dangling Next",
			def:  machine(`"A":{"Type":"Pass","Next":"Ghost"},` + endPass),
			want: []asl.Diagnostic{
				diag(asl.CodeMissingTransitionTarget, "/States/A/Next", "Missing 'Next' target: Ghost"),
				diag(asl.CodeMissingTransitionTarget, "/States/Z", `State "Z" is not reachable.`),
			},
		},
		{
			name: "dangling Choice, Default and Catch targets",
			def: machine(`"A":{"Type":"Choice","Choices":[{"Variable":"$.x","IsPresent":true,"Next":"G1"}],"Default":"B"},` +
				`"B":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Catch":[{"ErrorEquals":["States.ALL"],"Next":"G2"}],"Next":"C"},` +
				`"C":{"Type":"Choice","Choices":[{"Variable":"$.x","IsNull":false,"Next":"Z"}],"Default":"G3"},` + endPass),
			want: []asl.Diagnostic{
				diag(asl.CodeMissingTransitionTarget, "/States/A/Choices[0]/Next", "Missing 'Next' target: G1"),
				diag(asl.CodeMissingTransitionTarget, "/States/B/Catch[0]/Next", "Missing 'Next' target: G2"),
				diag(asl.CodeMissingTransitionTarget, "/States/C/Default", "Missing 'Next' target: G3"),
			},
		},
		{
			name: "neither Next nor End",
			def:  machine(`"A":{"Type":"Pass"}`),
			want: []asl.Diagnostic{
				schema("/States/A", "These fields are required: [Next or End]"),
				diag(asl.CodeMissingEndState, "", "Workflow has no terminal state"),
			},
		},
		{
			name: "Next and End together",
			def:  machine(`"A":{"Type":"Pass","Next":"Z","End":true},` + endPass),
			want: []asl.Diagnostic{schema("/States/A", "Only one of 'Next' or 'End' may be set")},
		},
		{
			name: "loop with no terminal state hides unreachable states",
			def:  machine(`"A":{"Type":"Pass","Next":"B"},"B":{"Type":"Pass","Next":"A"},"U":{"Type":"Pass","Next":"A"}`),
			want: []asl.Diagnostic{diag(asl.CodeMissingEndState, "", "Workflow has no terminal state")},
		},
		{
			name: "loop with an unreachable terminal state",
			def:  machine(`"A":{"Type":"Pass","Next":"B"},"B":{"Type":"Pass","Next":"A"},"C":{"Type":"Pass","End":true}`),
			want: []asl.Diagnostic{diag(asl.CodeMissingTransitionTarget, "/States/C", `State "C" is not reachable.`)},
		},
		{
			name: "a loop without an end inside a Map is accepted",
			def: machine(`"A":{"Type":"Map","ItemProcessor":{"StartAt":"P","States":{` +
				`"P":{"Type":"Pass","Next":"Q"},"Q":{"Type":"Pass","Next":"P"}}},"End":true}`),
		},
		{
			name: "state name too long",
			def:  `{"StartAt":"` + strings.Repeat("n", 81) + `","States":{"` + strings.Repeat("n", 81) + `":{"Type":"Succeed"}}}`,
			want: []asl.Diagnostic{diag(asl.CodeInvalidStateName, "/States/"+strings.Repeat("n", 81), "State name '"+strings.Repeat("n", 81)+"' must be between 1 and 80 characters long")},
		},
		{
			name: "80 characters is fine",
			def:  `{"StartAt":"` + strings.Repeat("n", 80) + `","States":{"` + strings.Repeat("n", 80) + `":{"Type":"Succeed"}}}`,
		},
		{
			name: "state name used in two branches",
			def: machine(`"A":{"Type":"Parallel","End":true,"Branches":[` +
				`{"StartAt":"S","States":{"S":{"Type":"Succeed"}}},{"StartAt":"S","States":{"S":{"Type":"Succeed"}}}]}`),
			want: []asl.Diagnostic{diag(asl.CodeDuplicateStateName, "/States/A/Branches[1]/States/S", "Duplicate State name: S")},
		},
		{
			name: "Next cannot leave a branch",
			def:  machine(`"A":{"Type":"Parallel","Next":"Z","Branches":[{"StartAt":"S","States":{"S":{"Type":"Pass","Next":"Z"}}}]},` + endPass),
			want: []asl.Diagnostic{diag(asl.CodeMissingTransitionTarget, "/States/A/Branches[0]/States/S/Next", "Missing 'Next' target: Z")},
		},
		{
			name: "unreachable state in a branch",
			def: machine(`"A":{"Type":"Parallel","End":true,"Branches":[{"StartAt":"W","States":{` +
				`"W":{"Type":"Pass","End":true},"Ghost":{"Type":"Pass","End":true}}}]}`),
			want: []asl.Diagnostic{diag(asl.CodeMissingTransitionTarget, "/States/A/Branches[0]/States/Ghost", `State "Ghost" is not reachable.`)},
		},
		{
			name: "Parallel without branches",
			def:  machine(`"A":{"Type":"Parallel","End":true,"Branches":[]}`),
			want: []asl.Diagnostic{schema("/States/A/Branches", "The field 'Branches' should be non-empty")},
		},
		{
			name: "wrong JSON types",
			def:  machine(`"A":{"Type":"Pass","Comment":1,"End":"yes","InputPath":3}`),
			want: []asl.Diagnostic{
				schema("/States/A/Comment", "The value for the field 'Comment' must be a STRING"),
				schema("/States/A/InputPath", "The value for the field 'InputPath' must be a STRING or null"),
				schema("/States/A/End", "The value for the field 'End' must be a BOOLEAN"),
			},
		},
		{
			name: "bad paths",
			def:  machine(`"A":{"Type":"Pass","InputPath":"x","ResultPath":"$.a[*]","OutputPath":"$.ok","End":true}`),
			want: []asl.Diagnostic{
				schema("/States/A/InputPath", "The value for the field 'InputPath' must be a valid JSONPath"),
				schema("/States/A/ResultPath", "The value for the field 'ResultPath' must be a valid reference path"),
			},
		},
		{
			name: "ResultPath into the context object or a variable",
			def: machine(`"A":{"Type":"Pass","ResultPath":"$$.Execution.Id","Next":"B"},` +
				`"B":{"Type":"Pass","ResultPath":"$var.x","OutputPath":"$var","End":true}`),
			want: []asl.Diagnostic{
				schema("/States/A/ResultPath", "The value for the field 'ResultPath' must be a valid reference path"),
				schema("/States/B/ResultPath", "The value for the field 'ResultPath' must be a valid reference path"),
			},
		},
		{
			name: "null paths are fine",
			def:  machine(`"A":{"Type":"Pass","InputPath":null,"ResultPath":null,"OutputPath":null,"End":true}`),
		},
		{
			// Recorded AWS message (ESCAPE_SEQUENCES_ILLEGAL_INTRINSIC_FUNCTION).
			name: "bad template value",
			def:  machine(`"A":{"Type":"Pass","Parameters":{"x":{"y.$":"nope"},"ok.$":"States.UUID()"},"End":true}`),
			want: []asl.Diagnostic{schema("/States/A/Parameters", "The value for the field 'y.$' must be a valid JSONPath or a valid intrinsic function call")},
		},
		{
			name: "template key with and without .$",
			def:  machine(`"A":{"Type":"Pass","Parameters":{"x":1,"x.$":"$.x"},"End":true}`),
			want: []asl.Diagnostic{schema("/States/A/Parameters", `template field "/x.$": the field "x" appears both with and without the ".$" suffix`)},
		},
		{
			name: "Task without Resource",
			def:  machine(`"A":{"Type":"Task","End":true}`),
			want: []asl.Diagnostic{schema("/States/A", "These fields are required: [Resource]")},
		},
		{
			// Recorded AWS message (test_invalid_integration).
			name: "optimized integration action that does not exist",
			def:  machine(`"A":{"Type":"Task","Resource":"arn:aws:states:::dynamodb:query","End":true}`),
			want: []asl.Diagnostic{schema("/States/A/Resource", "The resource provided arn:aws:states:::dynamodb:query is not recognized. The value is not a valid resource ARN, or the resource is not available in this region.")},
		},
		{
			name: "SDK integration and function ARN are fine",
			def: machine(`"A":{"Type":"Task","Resource":"arn:aws:states:::aws-sdk:dynamodb:query","Next":"B"},` +
				`"B":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:f","End":true}`),
		},
		{
			name: "timeouts",
			def: machine(`"A":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","TimeoutSeconds":10,"TimeoutSecondsPath":"$.t",` +
				`"HeartbeatSeconds":10,"End":true}`),
			want: []asl.Diagnostic{
				schema("/States/A/TimeoutSeconds", "Fields 'TimeoutSeconds' and 'TimeoutSecondsPath' are mutually exclusive"),
				schema("/States/A/HeartbeatSeconds", "The value for the field 'HeartbeatSeconds' must be smaller than 'TimeoutSeconds'"),
			},
		},
		{
			name: "timeout out of range",
			def:  machine(`"A":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","TimeoutSeconds":0,"End":true}`),
			want: []asl.Diagnostic{schema("/States/A/TimeoutSeconds", "The value for the field 'TimeoutSeconds' must be between 1 and 99999999")},
		},
		{
			// Recorded AWS message (INVALID_CREDENTIALS_FIELD).
			name: "Credentials without RoleArn",
			def:  machine(`"A":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Credentials":{"Other":"x"},"End":true}`),
			want: []asl.Diagnostic{schema("/States/A/Credentials", "The field 'RoleArn' is required but was missing")},
		},
		{
			name: "Retry values",
			def: machine(`"A":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","End":true,"Retry":[` +
				`{"ErrorEquals":[],"IntervalSeconds":0,"MaxAttempts":-1,"BackoffRate":0.5,"MaxDelaySeconds":0,"JitterStrategy":"SOME"},` +
				`{"ErrorEquals":["States.ALL"]}]}`),
			want: []asl.Diagnostic{
				schema("/States/A/Retry[0]/ErrorEquals", "The field 'ErrorEquals' should be non-empty"),
				schema("/States/A/Retry[0]/IntervalSeconds", "The value for the field 'IntervalSeconds' must be between 1 and 99999999"),
				schema("/States/A/Retry[0]/MaxAttempts", "The value for the field 'MaxAttempts' must be between 0 and 99999999"),
				schema("/States/A/Retry[0]/BackoffRate", "The value for the field 'BackoffRate' must be greater than or equal to 1.0"),
				schema("/States/A/Retry[0]/MaxDelaySeconds", "The value for the field 'MaxDelaySeconds' must be between 1 and 31622400"),
				schema("/States/A/Retry[0]/JitterStrategy", "The value for the field 'JitterStrategy' must be one of [FULL, NONE]"),
			},
		},
		{
			name: "Retry MaxAttempts not an integer",
			def:  machine(`"A":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","End":true,"Retry":[{"ErrorEquals":["X"],"MaxAttempts":1.5}]}`),
			want: []asl.Diagnostic{schema("/States/A/Retry[0]/MaxAttempts", "The value for the field 'MaxAttempts' must be an INTEGER")},
		},
		{
			name: "States.ALL not alone and not last",
			def: machine(`"A":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Next":"Z",` +
				`"Retry":[{"ErrorEquals":["States.ALL","X"]},{"ErrorEquals":["Y"]}],` +
				`"Catch":[{"ErrorEquals":["States.ALL"],"Next":"Z"},{"ErrorEquals":["Y"],"Next":"Z"}]},` + endPass),
			want: []asl.Diagnostic{
				schema("/States/A/Retry[0]/ErrorEquals", "The error name States.ALL must appear alone in ErrorEquals"),
				schema("/States/A/Retry[0]/ErrorEquals", "The error name States.ALL must appear in the last Retry entry"),
				schema("/States/A/Catch[0]/ErrorEquals", "The error name States.ALL must appear in the last Catch entry"),
			},
		},
		{
			name: "Catch without Next",
			def:  machine(`"A":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","End":true,"Catch":[{"ErrorEquals":["X"]}]}`),
			want: []asl.Diagnostic{schema("/States/A/Catch[0]", "These fields are required: [Next]")},
		},
		{
			name: "Choice without Choices",
			def:  machine(`"A":{"Type":"Choice","Default":"Z"},` + endPass),
			want: []asl.Diagnostic{schema("/States/A", "These fields are required: [Choices]")},
		},
		{
			name: "Choice with empty Choices",
			def:  machine(`"A":{"Type":"Choice","Choices":[],"Default":"Z"},` + endPass),
			want: []asl.Diagnostic{schema("/States/A/Choices", "The field 'Choices' should be non-empty")},
		},
		{
			name: "Choice rule with two comparisons",
			def: machine(`"A":{"Type":"Choice","Choices":[` +
				`{"Variable":"$.x","StringEquals":"a","NumericEquals":1,"Next":"Z"}]},` + endPass),
			want: []asl.Diagnostic{
				schema("/States/A/Choices[0]", "A choice rule must have exactly one comparison operator, found [NumericEquals, StringEquals]"),
			},
		},
		{
			name: "Choice rules with no comparison and a nested Next",
			def: machine(`"A":{"Type":"Choice","Choices":[` +
				`{"Variable":"$.x","Next":"Z"},` +
				`{"Not":{"Variable":"$.x","IsNull":true,"Next":"Z"},"Next":"Z"}]},` + endPass),
			want: []asl.Diagnostic{
				schema("/States/A/Choices[0]", "A choice rule must have exactly one of a comparison operator, 'And', 'Or' or 'Not'"),
				schema("/States/A/Choices[1]/Not", "Field 'Next' is not supported"),
			},
		},
		{
			name: "Choice operand types",
			def: machine(`"A":{"Type":"Choice","Choices":[` +
				`{"Variable":"$.x","StringEquals":1,"Next":"Z"},` +
				`{"Variable":"$.x","NumericLessThan":"1","Next":"Z"},` +
				`{"Variable":"$.x","BooleanEquals":"true","Next":"Z"},` +
				`{"Variable":"$.x","TimestampEquals":"2016-12-05 21:29:29Z","Next":"Z"},` +
				`{"Variable":"$.x","StringEqualsPath":"nope","Next":"Z"},` +
				`{"Variable":"x","IsString":true,"Next":"Z"},` +
				`{"Or":[],"Next":"Z"}]},` + endPass),
			want: []asl.Diagnostic{
				schema("/States/A/Choices[0]/StringEquals", "The value for the field 'StringEquals' must be a STRING"),
				schema("/States/A/Choices[1]/NumericLessThan", "The value for the field 'NumericLessThan' must be a NUMBER"),
				schema("/States/A/Choices[2]/BooleanEquals", "The value for the field 'BooleanEquals' must be a BOOLEAN"),
				schema("/States/A/Choices[3]/TimestampEquals", "String does not match RFC3339 timestamp"),
				schema("/States/A/Choices[4]/StringEqualsPath", "The value for the field 'StringEqualsPath' must be a valid JSONPath"),
				schema("/States/A/Choices[5]/Variable", "The value for the field 'Variable' must be a valid JSONPath"),
				schema("/States/A/Choices[6]/Or", "The field 'Or' should be non-empty"),
			},
		},
		{
			// Recorded AWS message (test_wait_timestamp_invalid).
			name: "Wait timestamp",
			def:  machine(`"A":{"Type":"Wait","Timestamp":"2016-13-05T21:29:29Z","End":true}`),
			want: []asl.Diagnostic{schema("/States/A/Timestamp", "String does not match RFC3339 timestamp")},
		},
		{
			name: "Wait needs exactly one of its four forms",
			def:  machine(`"A":{"Type":"Wait","Seconds":1,"SecondsPath":"$.s","Next":"B"},"B":{"Type":"Wait","End":true}`),
			want: []asl.Diagnostic{
				schema("/States/A", "Exactly one of 'Seconds', 'SecondsPath', 'Timestamp' or 'TimestampPath' is required"),
				schema("/States/B", "Exactly one of 'Seconds', 'SecondsPath', 'Timestamp' or 'TimestampPath' is required"),
			},
		},
		{
			name: "Fail with Error and ErrorPath",
			def:  machine(`"A":{"Type":"Fail","Error":"E","ErrorPath":"$.e","Cause":"C","CausePath":"States.Format('{}', $.c)"}`),
			want: []asl.Diagnostic{
				schema("/States/A/Error", "Fields 'Error' and 'ErrorPath' are mutually exclusive"),
				schema("/States/A/Cause", "Fields 'Cause' and 'CausePath' are mutually exclusive"),
			},
		},
		{
			name: "Map without a processor",
			def:  machine(`"A":{"Type":"Map","End":true}`),
			want: []asl.Diagnostic{schema("/States/A", "These fields are required: [ItemProcessor]")},
		},
		{
			name: "Map field conflicts",
			def: machine(`"A":{"Type":"Map","End":true,"MaxConcurrency":-1,"ItemSelector":{},"Parameters":{},` +
				`"ToleratedFailurePercentage":101,` +
				`"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED"},"StartAt":"P","States":{"P":{"Type":"Succeed"}}}}`),
			want: []asl.Diagnostic{
				schema("/States/A/ItemSelector", "Fields 'ItemSelector' and 'Parameters' are mutually exclusive"),
				schema("/States/A/MaxConcurrency", "The value for the field 'MaxConcurrency' must be between 0 and 9223372036854775807"),
				schema("/States/A/ToleratedFailurePercentage", "The value for the field 'ToleratedFailurePercentage' must be between 0 and 100"),
				schema("/States/A/ItemProcessor/ProcessorConfig", "These fields are required: [ExecutionType]"),
			},
		},
		{
			name: "JSONPath fields in a JSONata state",
			def:  `{"QueryLanguage":"JSONata","StartAt":"A","States":{"A":{"Type":"Pass","InputPath":"$.a","OutputPath":"$.b","ResultPath":"$.c","End":true}}}`,
			want: []asl.Diagnostic{
				schema("/States/A/InputPath", "Field 'InputPath' is not supported for the state's QueryLanguage"),
				schema("/States/A/OutputPath", "Field 'OutputPath' is not supported for the state's QueryLanguage"),
				schema("/States/A/ResultPath", "Field 'ResultPath' is not supported for the state's QueryLanguage"),
			},
		},
		{
			name: "JSONata fields in a JSONPath state",
			def:  machine(`"A":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Arguments":{},"Output":"{% 1 %}","End":true}`),
			want: []asl.Diagnostic{
				schema("/States/A/Arguments", "Field 'Arguments' is not supported for the state's QueryLanguage"),
				schema("/States/A/Output", "Field 'Output' is not supported for the state's QueryLanguage"),
			},
		},
		{
			name: "JSONPath state in a JSONata machine",
			def:  `{"QueryLanguage":"JSONata","StartAt":"A","States":{"A":{"Type":"Pass","QueryLanguage":"JSONPath","End":true}}}`,
			want: []asl.Diagnostic{schema("/States/A/QueryLanguage", "A state cannot use JSONPath when the state machine's QueryLanguage is JSONata")},
		},
		{
			// The message and location format as AWS answers for a[1,2)
			// (INVALID_JSONATA_EXPRESSION: Expected "]", got "," at
			// /States/E/Output/v, as public reports of AWS's answer give it).
			name: "JSONata expressions that do not parse",
			def: `{"QueryLanguage":"JSONata","StartAt":"A","States":{` +
				`"A":{"Type":"Pass","Output":{"v":"{% a[1,2) %}","l":[1,"{% 1 + %}"]},"Next":"B"},` +
				`"B":{"Type":"Choice","Choices":[{"Condition":"{% $x = %}","Next":"Z"}],"Default":"Z"},` +
				`"Z":{"Type":"Map","Items":"{% [1, %}","ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true}}}`,
			want: []asl.Diagnostic{
				diag(asl.CodeInvalidJSONataExpression, "/States/A/Output/l[1]", "Unexpected end of expression"),
				diag(asl.CodeInvalidJSONataExpression, "/States/A/Output/v", `Expected "]", got ","`),
				diag(asl.CodeInvalidJSONataExpression, "/States/B/Choices[0]/Condition", "Unexpected end of expression"),
				diag(asl.CodeInvalidJSONataExpression, "/States/Z/Items", "Unexpected end of expression"),
			},
		},
		{
			// AWS's answer for a bare field as public reports of it give it:
			// UNSUPPORTED_JSONATA_EXPRESSION: Reference to 'phone' at the top
			// level is not supported. at /States/E/Output/v
			name: "JSONata expression reading its input at the top level",
			def: `{"QueryLanguage":"JSONata","StartAt":"E","States":{` +
				`"E":{"Type":"Pass","Output":{"v":"{% phone %}","ok":"{% $states.input.phone %}"},"End":true}}}`,
			want: []asl.Diagnostic{
				diag(asl.CodeUnsupportedJSONataExpression, "/States/E/Output/v", "Reference to 'phone' at the top level is not supported."),
			},
		},
		{
			name: "JSONata shapes",
			def: `{"QueryLanguage":"JSONata","StartAt":"A","States":{` +
				`"A":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Arguments":"$.x","TimeoutSeconds":"{% $t %}","Output":{"a":"{% 1"},"Next":"B"},` +
				`"B":{"Type":"Choice","Choices":[{"Condition":"true","Next":"C"}],"Default":"C"},` +
				`"C":{"Type":"Wait","Seconds":"{% $s %}","Assign":{"ok":"{% 1 %}","1bad":1},"End":true}}}`,
			want: []asl.Diagnostic{
				schema("/States/A/Arguments", "The value for the field 'Arguments' must be a JSONata expression enclosed in {% %}"),
				schema("/States/A/Output", "The JSONata expression '{% 1' must end with '%}'"),
				schema("/States/B/Choices[0]/Condition", "The value for the field 'Condition' must be a JSONata expression enclosed in {% %}"),
				schema("/States/C/Assign", "The variable name '1bad' is not valid"),
			},
		},
		{
			name: "expression in a JSONPath integer field",
			def:  machine(`"A":{"Type":"Wait","Seconds":"{% 1 %}","End":true}`),
			want: []asl.Diagnostic{schema("/States/A/Seconds", "The value for the field 'Seconds' must be an INTEGER")},
		},
		{
			name: "state name repeated in one States object",
			def:  `{"StartAt":"A","States":{"A":{"Type":"Succeed"},"A":{"Type":"Pass","End":true}}}`,
			want: []asl.Diagnostic{diag(asl.CodeDuplicateStateName, "/States/A", "Duplicate State name: A")},
		},
		{
			name: "state name repeated in a branch and a processor",
			def: machine(`"A":{"Type":"Parallel","Next":"M","Branches":[{"StartAt":"S","States":{"S":{"Type":"Succeed"}}},` +
				`{"StartAt":"T","States":{"T":{"Type":"Succeed"},"T":{"Type":"Succeed"}}}]},` +
				`"M":{"Type":"Map","End":true,"ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Succeed"},"P":{"Type":"Succeed"}}}}`),
			want: []asl.Diagnostic{
				diag(asl.CodeDuplicateStateName, "/States/A/Branches[1]/States/T", "Duplicate State name: T"),
				diag(asl.CodeDuplicateStateName, "/States/M/ItemProcessor/States/P", "Duplicate State name: P"),
			},
		},
		{
			name: "repeated keys elsewhere: the last one wins",
			def:  machine(`"A":{"Type":"Pass","Result":1,"Result":2,"End":true}`),
		},
		{
			name: "warnings do not fail Parse",
			def: machine(`"A":{"Type":"Pass","Parameters":{"a":"$.x","b.$":"$.y","c":"$5"},"Result":{"r.$":"$.z","s":["$.w"]},"Next":"F"},` +
				`"F":{"Type":"Fail","Error":"$.error","Cause":"plain"}`),
			want: []asl.Diagnostic{
				warning(asl.CodeNoDollar, "/States/A/Parameters", "The field 'a' holds a path or an intrinsic function call but its name does not end with '.$', so it is used as a plain string"),
				warning(asl.CodePassResultIsStatic, "/States/A/Result", "The Result of a Pass state is static: the field 'r.$' is not evaluated"),
				warning(asl.CodePassResultIsStatic, "/States/A/Result", "The Result of a Pass state is static: the path '$.w' is not evaluated"),
				warning(asl.CodeNoPath, "/States/F/Error", "The value of 'Error' looks like a path, but the field name does not end with 'Path'"),
			},
		},
		{
			name: "ReaderConfig enumerations",
			def: `{"StartAt":"M","States":{"M":{"Type":"Map","End":true,` +
				`"ItemReader":{"Resource":"arn:aws:states:::s3:listObjectsV2","Parameters":{"Bucket":"b"},` +
				`"ReaderConfig":{"InputType":"CSV","Transformation":"FLATTEN","ManifestType":"ORC"}},` +
				`"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}}}}`,
			want: []asl.Diagnostic{
				schema("/States/M/ItemReader/ReaderConfig/ManifestType", "The value for the field 'ManifestType' must be one of [S3_INVENTORY, ATHENA_DATA]"),
				schema("/States/M/ItemReader/ReaderConfig/Transformation", "The value for the field 'Transformation' must be one of [NONE, LOAD_AND_FLATTEN]"),
			},
		},
		{
			name: "empty names, resources, paths and enumerations",
			def: `{"StartAt":"A","QueryLanguage":"","States":{"A":{"Type":"Task","Resource":"","Next":"",` +
				`"TimeoutSecondsPath":"","Retry":[{"ErrorEquals":["X"],"JitterStrategy":""}]}}}`,
			want: []asl.Diagnostic{
				schema("/QueryLanguage", "The value for the field 'QueryLanguage' must be one of [JSONPath, JSONata]"),
				schema("/States/A/Resource", "The value for the field 'Resource' must not be empty"),
				schema("/States/A/TimeoutSecondsPath", "The value for the field 'TimeoutSecondsPath' must not be empty"),
				schema("/States/A/Next", "The value for the field 'Next' must not be empty"),
				schema("/States/A/Retry[0]/JitterStrategy", "The value for the field 'JitterStrategy' must not be empty"),
			},
		},
		{
			name: "invalid JSON",
			def:  `{"StartAt":`,
			want: []asl.Diagnostic{diag(asl.CodeInvalidJSONDescription, "", "unexpected end of JSON input at line 1, column 12")},
		},
		{
			name: "trailing data",
			def:  `{"StartAt":"Z","States":{` + endPass + `}} {}`,
			want: []asl.Diagnostic{diag(asl.CodeInvalidJSONDescription, "", "invalid character '{' after top-level value at line 1, column 59")},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := asl.Validate([]byte(tt.def))
			if diff := cmp.Diff(got, tt.want); diff != "" {
				t.Errorf("Validate() diagnostics (-got +want):\n%s", diff)
			}
			sm, err := asl.Parse([]byte(tt.def))
			var wantErrs []asl.Diagnostic
			for _, d := range tt.want {
				if d.Severity == asl.SeverityError {
					wantErrs = append(wantErrs, d)
				}
			}
			if len(wantErrs) == 0 {
				if err != nil || sm == nil {
					t.Fatalf("Parse() = %v, %v; want a machine", sm, err)
				}
				return
			}
			var verr *asl.ValidationError
			if !errors.As(err, &verr) {
				t.Fatalf("Parse() error = %v, want *ValidationError", err)
			}
			if sm != nil {
				t.Errorf("Parse() returned a machine with an error")
			}
			if diff := cmp.Diff(verr.Diagnostics, wantErrs); diff != "" {
				t.Errorf("Parse() diagnostics (-got +want):\n%s", diff)
			}
		})
	}
}

func TestOperatorKinds(t *testing.T) {
	tests := []struct {
		op               asl.Operator
		operand, compare asl.OperandKind
		path             bool
	}{
		{asl.StringEquals, asl.OperandString, asl.OperandString, false},
		{asl.StringLessThanEqualsPath, asl.OperandPath, asl.OperandString, true},
		{asl.StringMatches, asl.OperandPattern, asl.OperandString, false},
		{asl.NumericGreaterThan, asl.OperandNumber, asl.OperandNumber, false},
		{asl.NumericEqualsPath, asl.OperandPath, asl.OperandNumber, true},
		{asl.BooleanEquals, asl.OperandBoolean, asl.OperandBoolean, false},
		{asl.BooleanEqualsPath, asl.OperandPath, asl.OperandBoolean, true},
		{asl.TimestampGreaterThanEquals, asl.OperandTimestamp, asl.OperandTimestamp, false},
		{asl.TimestampEqualsPath, asl.OperandPath, asl.OperandTimestamp, true},
		{asl.IsTimestamp, asl.OperandBoolean, asl.OperandBoolean, false},
		{asl.IsNull, asl.OperandBoolean, asl.OperandBoolean, false},
		{"StringEqual", 0, 0, false},
		{"Path", 0, 0, false},
	}
	for _, tt := range tests {
		t.Run(string(tt.op), func(t *testing.T) {
			if got := tt.op.Operand(); got != tt.operand {
				t.Errorf("Operand() = %v, want %v", got, tt.operand)
			}
			if got := tt.op.Compares(); got != tt.compare {
				t.Errorf("Compares() = %v, want %v", got, tt.compare)
			}
			if got := tt.op.IsPath(); got != tt.path {
				t.Errorf("IsPath() = %v, want %v", got, tt.path)
			}
			if got, want := tt.op.Valid(), tt.operand != 0; got != want {
				t.Errorf("Valid() = %v, want %v", got, want)
			}
		})
	}
}

func TestValidTimestamp(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"2026-11-25T21:29:29Z", true},
		{"2026-11-25T21:29:29.123456789Z", true},
		{"2026-11-25T21:29:29+01:00", true},
		{"2026-11-25T21:29:29.5-07:30", true},
		{"2016-12-05 21:29:29Z", false}, // recorded AWS case NO_T
		{"2016-13-05T21:29:29Z", false}, // recorded AWS case INVALID_DATE
		{"2026-11-25t21:29:29Z", false},
		{"2026-11-25T21:29:29z", false},
		{"2026-11-25T21:29:29", false},
		{"2026-11-25T21:29:29.Z", false},
		{"2026-11-25T25:00:00Z", false},
		{"2026-02-30T00:00:00Z", false},
		{"2026-11-25T21:29:29+0100", false},
		{"", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := asl.ValidTimestamp(tt.in); got != tt.want {
				t.Errorf("ValidTimestamp(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}
