package sfn

import (
	"encoding/json"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/sluicehq/sluice/asl"
)

// TestState checks a mocked result against the response shape of the
// service integration the Task calls (fieldValidationMode STRICT, the
// default: types, lengths, ranges, enum values and required fields; PRESENT:
// the same for the fields present; NONE: nothing). Fields the shape does
// not know are accepted, as AWS accepts them. The shapes here are the
// integrations' documented responses, for the integrations this project's
// pipelines and tests use; a resource with no shape here is not checked.
// https://docs.aws.amazon.com/step-functions/latest/dg/test-state-isolation.html#mock-field-validation

type shapeKind uint8

const (
	kAny shapeKind = iota
	kObject
	kString
	kNumber  // integer or floating point
	kInteger // a whole number
	kBoolean
	kList
	kTimestamp // a string on the wire
)

type shape struct {
	kind     shapeKind
	fields   map[string]*shape
	required []string
	elem     *shape
	minLen   int // strings and blobs; 0: no minimum
	maxLen   int // 0: no maximum
	min, max *float64
	enum     []string
}

func num(v float64) *float64 { return &v }

var (
	sString    = &shape{kind: kString}
	sInteger   = &shape{kind: kInteger}
	sNumber    = &shape{kind: kNumber}
	sTimestamp = &shape{kind: kTimestamp}
)

// mockShapes maps a Task resource (without ".sync" or ".waitForTaskToken")
// to its response shape.
var mockShapes = map[string]*shape{
	// https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html#API_Invoke_ResponseSyntax
	"arn:aws:states:::lambda:invoke": {kind: kObject, fields: map[string]*shape{
		"StatusCode": sInteger, "FunctionError": sString, "LogResult": sString,
		"ExecutedVersion": {kind: kString, minLen: 1, maxLen: 1024}, "Payload": {kind: kAny},
	}},
	// https://docs.aws.amazon.com/lambda/latest/api/API_GetFunction.html#API_GetFunction_ResponseSyntax
	"arn:aws:states:::aws-sdk:lambda:getFunction": {kind: kObject, fields: map[string]*shape{
		"Configuration": {kind: kObject, fields: map[string]*shape{
			"FunctionName": {kind: kString, minLen: 1, maxLen: 170},
			"MemorySize":   {kind: kInteger, min: num(128), max: num(10240)},
			"Timeout":      {kind: kInteger, min: num(1)},
			"CodeSize":     sInteger,
		}},
	}},
	// https://docs.aws.amazon.com/kms/latest/APIReference/API_Encrypt.html#API_Encrypt_ResponseSyntax
	"arn:aws:states:::aws-sdk:kms:encrypt": {kind: kObject, fields: map[string]*shape{
		"CiphertextBlob":      {kind: kString, minLen: 1, maxLen: 6144},
		"KeyId":               {kind: kString, minLen: 1, maxLen: 2048},
		"EncryptionAlgorithm": {kind: kString, enum: []string{"SYMMETRIC_DEFAULT", "RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256", "SM2PKE"}},
	}},
	// https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html#API_GetObject_ResponseSyntax
	"arn:aws:states:::aws-sdk:s3:getObject": {kind: kObject, fields: map[string]*shape{
		"ContentLength": sInteger, "ETag": sString, "ContentType": sString, "VersionId": sString,
		"LastModified": sTimestamp, "Body": {kind: kAny},
		"StorageClass": {kind: kString, enum: []string{"STANDARD", "REDUCED_REDUNDANCY", "STANDARD_IA", "ONEZONE_IA",
			"INTELLIGENT_TIERING", "GLACIER", "DEEP_ARCHIVE", "OUTPOSTS", "GLACIER_IR", "SNOW", "EXPRESS_ONEZONE", "FSX_OPENZFS", "FSX_ONTAP"}},
	}},
	// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_PutItem.html#API_PutItem_ResponseSyntax
	"arn:aws:states:::dynamodb:putItem": {kind: kObject, fields: map[string]*shape{
		"Attributes": {kind: kObject},
		"ConsumedCapacity": {kind: kObject, fields: map[string]*shape{
			"CapacityUnits": sNumber, "ReadCapacityUnits": sNumber, "WriteCapacityUnits": sNumber,
			"TableName": {kind: kString, minLen: 1, maxLen: 1024},
		}},
	}},
	// https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html#API_StartExecution_ResponseSyntax
	"arn:aws:states:::states:startExecution": {kind: kObject, required: []string{"ExecutionArn", "StartDate"}, fields: map[string]*shape{
		"ExecutionArn": {kind: kString, minLen: 1, maxLen: 256}, "StartDate": sTimestamp,
	}},
	// https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEvents.html#API_PutEvents_ResponseSyntax
	"arn:aws:states:::events:putEvents": {kind: kObject, fields: map[string]*shape{
		"FailedEntryCount": sInteger,
		"Entries": {kind: kList, elem: &shape{kind: kObject, fields: map[string]*shape{
			"EventId": sString, "ErrorCode": sString, "ErrorMessage": sString,
		}}},
	}},
	// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html#API_SendMessage_ResponseElements
	"arn:aws:states:::sqs:sendMessage": {kind: kObject, fields: map[string]*shape{
		"MD5OfMessageBody": sString, "MD5OfMessageAttributes": sString, "MD5OfMessageSystemAttributes": sString,
		"MessageId": sString, "SequenceNumber": sString,
	}},
}

// validateMockResult checks a mocked result for the state named in sm;
// "" when it passes.
func validateMockResult(sm *asl.StateMachine, stateName, mode string, result any) string {
	if mode == "NONE" {
		return ""
	}
	task, ok := findASLState(sm.States, stateName).(*asl.Task)
	if !ok {
		return ""
	}
	res := strings.TrimSuffix(strings.TrimSuffix(task.Resource, ".waitForTaskToken"), ".sync")
	if i := strings.Index(res, ":states:::"); i >= 0 {
		res = "arn:aws" + res[i:] // any partition
	}
	sh := mockShapes[res]
	if sh == nil {
		return ""
	}
	return sh.check("", result, mode != "PRESENT")
}

func findASLState(states map[string]asl.State, name string) asl.State {
	if s, ok := states[name]; ok {
		return s
	}
	for _, s := range states {
		switch st := s.(type) {
		case *asl.Parallel:
			for _, b := range st.Branches {
				if f := findASLState(b.States, name); f != nil {
					return f
				}
			}
		case *asl.Map:
			if p := st.Processor(); p != nil {
				if f := findASLState(p.States, name); f != nil {
					return f
				}
			}
		}
	}
	return nil
}

// check validates v against the shape; field names the value in messages.
func (sh *shape) check(field string, v any, strict bool) string {
	bad := func(what string) string { return "Field '" + field + "' " + what }
	switch sh.kind {
	case kAny:
		return ""
	case kObject:
		m, ok := v.(map[string]any)
		if !ok {
			return bad("must be an object")
		}
		if strict {
			for _, r := range sh.required {
				if _, ok := m[r]; !ok {
					return "Required field '" + r + "' is missing"
				}
			}
		}
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if fs := sh.fields[k]; fs != nil {
				if msg := fs.check(k, m[k], strict); msg != "" {
					return msg
				}
			}
		}
	case kList:
		a, ok := v.([]any)
		if !ok {
			return bad("must be an array")
		}
		for _, e := range a {
			if msg := sh.elem.check(field, e, strict); msg != "" {
				return msg
			}
		}
	case kString, kTimestamp:
		s, ok := v.(string)
		if !ok {
			return bad("must be a string")
		}
		n := utf8.RuneCountInString(s)
		if sh.minLen > 0 && n < sh.minLen {
			return bad("is smaller than the minimum length")
		}
		if sh.maxLen > 0 && n > sh.maxLen {
			return bad("exceeds the maximum length")
		}
		if len(sh.enum) > 0 && !slices.Contains(sh.enum, s) {
			return bad("is not an expected value")
		}
	case kBoolean:
		if _, ok := v.(bool); !ok {
			return bad("must be a boolean")
		}
	case kNumber, kInteger:
		n, ok := v.(json.Number)
		if !ok {
			return bad("must be a number")
		}
		f, err := n.Float64()
		if err != nil {
			return bad("must be a number")
		}
		if sh.kind == kInteger && f != float64(int64(f)) {
			return bad("must be an integer")
		}
		if sh.min != nil && f < *sh.min {
			return bad("is smaller than the minimum value")
		}
		if sh.max != nil && f > *sh.max {
			return bad("exceeds the maximum value")
		}
	}
	return ""
}
