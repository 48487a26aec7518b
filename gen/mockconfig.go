package gen

import (
	"encoding/json"
	"fmt"
	"maps"
	"path"

	"github.com/sluicehq/sluice/statemachine"
	"github.com/sluicehq/sluice/tasks"
)

// Step Functions Local's mocked-integration file
// (https://docs.aws.amazon.com/step-functions/latest/dg/sfn-local-mock-cfg-file.html): test cases map
// state names to mocked responses; a mocked response maps invocation indexes ("0", "1-2", ...) to a
// Return or a Throw. For the lambda:invoke integration, Return is what the integration returns: the
// wrapper with StatusCode and Payload.

// MockConfigFile is the whole file.
type MockConfigFile struct {
	StateMachines   map[string]MockStateMachine          `json:"StateMachines"`
	MockedResponses map[string]map[string]MockedResponse `json:"MockedResponses"`
}

// MockStateMachine holds one state machine's test cases: case name -> state name -> mocked response name.
type MockStateMachine struct {
	TestCases map[string]map[string]string `json:"TestCases"`
}

// MockedResponse is exactly one of Return and Throw.
type MockedResponse struct {
	Return any        `json:"Return,omitempty"`
	Throw  *MockThrow `json:"Throw,omitempty"`
}

// MockThrow is a mocked failure: the error name and cause the task fails with.
type MockThrow struct {
	Error string `json:"Error"`
	Cause string `json:"Cause"`
}

// lambdaInvokeResult is the lambda:invoke integration's result for a successful invocation.
type lambdaInvokeResult struct {
	StatusCode int `json:"StatusCode"`
	Payload    any `json:"Payload"`
}

// MockExpectations is what test/sfnlocal/cases.json holds: a case file of `sluice test` (package statetest)
// naming the mock configuration file, the execution input every case starts with and the outcome each case
// of the mock configuration must have.
type MockExpectations struct {
	Comment string `json:"comment"`
	// StateMachineName is the name the machine runs under (the mock file is keyed by it): the stack's.
	StateMachineName string `json:"stateMachineName"`
	// MockConfigFile is the Step Functions Local mock file, relative to cases.json.
	MockConfigFile string `json:"mockConfigFile"`
	// Input is the execution input: an EventBridge S3 "Object Created" event.
	Input map[string]any `json:"input"`
	// Cases are the test cases, in the order they are described.
	Cases []MockCase `json:"cases"`
}

// MockCase is the expected outcome of one test case, started as <stateMachineArn>#<Name>.
type MockCase struct {
	Name        string     `json:"name"`
	Description string     `json:"description"`
	Expect      MockExpect `json:"expect"`
}

// MockExpect is what a case's execution must show.
type MockExpect struct {
	// Status is the execution's final status: SUCCEEDED or FAILED.
	Status string `json:"status"`
	// Output is the execution's output when it succeeded.
	Output map[string]any `json:"output,omitempty"`
	// Error and Cause are the execution's error and cause when it failed.
	Error string `json:"error,omitempty"`
	Cause string `json:"cause,omitempty"`
	// Path is the states entered, in order (StateEntered events).
	Path []string `json:"path"`
	// Invocations counts, per task state, the times the integration was invoked, retries included.
	Invocations map[string]int `json:"invocations"`
}

// Mocked response names.
const (
	mockValidateValid         = "ValidateValid"
	mockValidateInvalid       = "ValidateInvalid"
	mockValidateTransient     = "ValidateAlwaysTransient"
	mockProcessSucceeded      = "ProcessSucceeded"
	mockProcessTransientOnce  = "ProcessTransientThenSucceeded"
	mockProcessObjectChanged  = "ProcessObjectChanged"
	mockStoreCommitted        = "StoreCommitted"
	mockStoreQuarantined      = "StoreQuarantined"
	mockStoreFailureRecorded  = "StoreFailureRecorded"
	mockStoreFailureRecorded2 = "StoreTransientFailureRecorded"
	mockProcessTransient      = "ProcessAlwaysTransient"
	mockStoreTransient        = "StoreAlwaysTransient"
	mockStoreTransientOnce    = "StoreTransientThenFailureRecorded"

	mockValidateThrottledOnce   = "ValidateThrottledThenValid"
	mockProcessThrottledOnce    = "ProcessThrottledThenSucceeded"
	mockStoreThrottledOnce      = "StoreThrottledThenCommitted"
	mockQuarantineThrottledOnce = "StoreThrottledThenQuarantined"
	mockRecordThrottledOnce     = "StoreThrottledThenFailureRecorded"
	mockValidateThrottled       = "ValidateAlwaysThrottled"
	mockProcessThrottled        = "ProcessAlwaysThrottled"
	mockStoreThrottled          = "StoreAlwaysThrottled"
)

// mockScenario is the sample object every case is about.
type mockScenario struct {
	bucket, key, etag, versionID, executionName string
	size                                        int64
}

func defaultScenario() mockScenario {
	return mockScenario{
		bucket:        "sluice-pipeline-bucket",
		key:           tasks.PrefixIncoming + "sales/2026-11-25.csv",
		etag:          "9b2cf535f27731c974343645a3985328",
		versionID:     "3HL4kqtJlcpXroDTDmjVBH40Nrjfkd",
		executionName: "0f9d3a1e-4c2b-4f7e-9d51-3f2a8e6b7c10",
		size:          2048,
	}
}

// event returns the EventBridge "Object Created" event for the scenario, in AWS's shape
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/ev-events.html).
func (s mockScenario) event() map[string]any {
	return map[string]any{
		"version":     "0",
		"id":          "17793124-05d4-b198-2fde-7ededc63b103",
		"detail-type": "Object Created",
		"source":      "aws.s3",
		"account":     "123456789012",
		"time":        "2026-11-25T12:00:00Z",
		"region":      "us-east-1",
		"resources":   []any{"arn:aws:s3:::" + s.bucket},
		"detail": map[string]any{
			"version": "0",
			"bucket":  map[string]any{"name": s.bucket},
			"object": map[string]any{
				"key":        s.key,
				"size":       s.size,
				"etag":       s.etag,
				"version-id": s.versionID,
				"sequencer":  "00617F08299329D189",
			},
			"request-id":        "N4N7GDK58NMKJ12R",
			"requester":         "123456789012",
			"source-ip-address": "192.0.2.10",
			"reason":            "PutObject",
		},
	}
}

func (s mockScenario) validReport() tasks.Report {
	return tasks.Report{
		Valid: true, Dataset: "sales", Format: "csv", Rows: 42, Bytes: s.size,
		SHA256: "5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef",
	}
}

func (s mockScenario) invalidReport() tasks.Report {
	r := s.validReport()
	r.Valid = false
	r.ProblemCount = 1
	r.Problems = []tasks.Problem{{Line: 7, Column: "amount", Code: "type", Message: `"12,5" is not a number`}}
	return r
}

func (s mockScenario) processOutput() tasks.ProcessOutput {
	return tasks.ProcessOutput{
		Staging: tasks.ObjectRef{Bucket: s.bucket, Key: tasks.StagingKey(s.executionName, s.key)},
		Rows:    42, Bytes: 911,
		SHA256:  "b5bb9d8014a0f9b1d61e21e796d78dccdf1352f23cd32812f4850b878ae4944c",
		Columns: []tasks.ColumnStats{{Name: "amount", Count: 42, Nulls: 0, Min: json.RawMessage("1.5"), Max: json.RawMessage("99.25")}},
	}
}

func (s mockScenario) stored() tasks.StoreOutput {
	return tasks.StoreOutput{
		Action: tasks.ActionCommit, Outcome: "stored",
		Key:      tasks.PrefixProcessed + "sales/dt=2026-11-25/2026-11-25.jsonl.gz",
		Manifest: tasks.PrefixManifests + "sales/2026-11-25.csv." + s.etag + ".json",
	}
}

func (s mockScenario) quarantined() tasks.StoreOutput {
	return tasks.StoreOutput{Action: tasks.ActionQuarantine, Outcome: "quarantined", Key: tasks.PrefixQuarantine + "sales/2026-11-25.csv"}
}

func (s mockScenario) recorded() tasks.StoreOutput {
	return tasks.StoreOutput{Action: tasks.ActionFail, Outcome: "recorded", Key: tasks.PrefixFailed + "sales/2026-11-25.csv." + s.executionName + ".json"}
}

// lambdaErrorCause is the Cause Step Functions reports for a Lambda function error: the function's error
// response as JSON text.
func lambdaErrorCause(errorType, message string) string {
	b, _ := json.Marshal(map[string]string{"errorMessage": message, "errorType": errorType})
	return string(b)
}

// MockConfig returns the Step Functions Local mock configuration and the expected outcome of each case.
// Cases: the happy path, a rejected object, a transient failure retried to success, a non-retryable
// failure caught and recorded, and transient failures that exhaust the retries of each task state
// (Validate, Process, Store, Quarantine and RecordFailure): together they enter every state and take
// every transition of the machine, which `sluice test` checks.
func MockConfig(c Config) (MockConfigFile, MockExpectations, error) {
	if err := c.Validate(); err != nil {
		return MockConfigFile{}, MockExpectations{}, err
	}
	s := defaultScenario()
	ok := func(payload any) map[string]MockedResponse {
		return map[string]MockedResponse{"0": {Return: lambdaInvokeResult{StatusCode: 200, Payload: payload}}}
	}
	transient := MockThrow{
		Error: tasks.ErrorNameTransient,
		Cause: lambdaErrorCause(tasks.ErrorNameTransient, "transient: get "+s.key+": SlowDown: Please reduce your request rate."),
	}
	changed := MockThrow{
		Error: tasks.ErrorNameObjectChanged,
		Cause: lambdaErrorCause(tasks.ErrorNameObjectChanged, "object changed since the event: s3://"+s.bucket+"/"+s.key+" no longer has ETag "+s.etag),
	}
	// Lambda refusing an invocation at the function's reserved concurrency
	// (https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html#API_Invoke_Errors).
	throttled := MockThrow{
		Error: statemachine.ErrorThrottled,
		Cause: "Rate Exceeded. (Service: AWSLambda; Status Code: 429; Error Code: TooManyRequestsException)",
	}
	// One invocation plus MaxAttempts retries, all failing.
	attempts := 1 + c.TaskRetry.MaxAttempts
	throttledAttempts := 1 + c.ThrottleRetry.MaxAttempts
	once := func(then any) map[string]MockedResponse {
		return map[string]MockedResponse{"0": {Throw: &throttled}, "1": {Return: lambdaInvokeResult{StatusCode: 200, Payload: then}}}
	}
	always := map[string]MockedResponse{fmt.Sprintf("0-%d", throttledAttempts-1): {Throw: &throttled}}
	responses := map[string]map[string]MockedResponse{
		mockValidateValid:     ok(s.validReport()),
		mockValidateInvalid:   ok(s.invalidReport()),
		mockValidateTransient: {fmt.Sprintf("0-%d", attempts-1): {Throw: &transient}},
		mockProcessSucceeded:  ok(s.processOutput()),
		mockProcessTransientOnce: {
			"0": {Throw: &transient},
			"1": {Return: lambdaInvokeResult{StatusCode: 200, Payload: s.processOutput()}},
		},
		mockProcessObjectChanged:  {"0": {Throw: &changed}},
		mockStoreCommitted:        ok(s.stored()),
		mockStoreQuarantined:      ok(s.quarantined()),
		mockStoreFailureRecorded:  ok(s.recorded()),
		mockStoreFailureRecorded2: ok(s.recorded()),
		mockProcessTransient:      {fmt.Sprintf("0-%d", attempts-1): {Throw: &transient}},
		mockStoreTransient:        {fmt.Sprintf("0-%d", attempts-1): {Throw: &transient}},
		mockStoreTransientOnce: {
			"0": {Throw: &transient},
			"1": {Return: lambdaInvokeResult{StatusCode: 200, Payload: s.recorded()}},
		},
		mockValidateThrottledOnce:   once(s.validReport()),
		mockProcessThrottledOnce:    once(s.processOutput()),
		mockStoreThrottledOnce:      once(s.stored()),
		mockQuarantineThrottledOnce: once(s.quarantined()),
		mockRecordThrottledOnce:     once(s.recorded()),
		mockValidateThrottled:       always,
		mockProcessThrottled:        always,
		mockStoreThrottled:          always,
	}

	const (
		sv = statemachine.StateValidate
		sc = statemachine.StateIsValid
		sp = statemachine.StateProcess
		ss = statemachine.StateStore
		sq = statemachine.StateQuarantine
		sr = statemachine.StateRecordFailure
	)
	input := s.event()
	with := func(extra map[string]any) map[string]any {
		out := maps.Clone(input)
		maps.Copy(out, extra)
		return out
	}
	// The execution output of every case that ends in Stored.
	storedOutput := with(map[string]any{
		"validation": map[string]any{"report": s.validReport()},
		"processing": map[string]any{"result": s.processOutput()},
		"stored":     map[string]any{"output": s.stored()},
	})
	type testCase struct {
		mocks map[string]string
		want  MockCase
	}
	succeeded := func(path []string, invocations map[string]int, output map[string]any) MockExpect {
		return MockExpect{Status: "SUCCEEDED", Path: path, Invocations: invocations, Output: output}
	}
	failed := func(path []string, invocations map[string]int, f MockThrow) MockExpect {
		return MockExpect{Status: "FAILED", Path: path, Invocations: invocations, Error: f.Error, Cause: f.Cause}
	}
	sf := statemachine.StateFailed
	cases := []testCase{
		{
			mocks: map[string]string{sv: mockValidateValid, sp: mockProcessSucceeded, ss: mockStoreCommitted},
			want: MockCase{
				Name:        "HappyPath",
				Description: "A valid object is validated, processed and stored.",
				Expect: succeeded([]string{sv, sc, sp, ss, statemachine.StateStored},
					map[string]int{sv: 1, sp: 1, ss: 1}, storedOutput),
			},
		},
		{
			mocks: map[string]string{sv: mockValidateInvalid, sq: mockStoreQuarantined},
			want: MockCase{
				Name:        "RejectedObject",
				Description: "An invalid object is quarantined with its report and the execution ends in Rejected.",
				Expect: succeeded([]string{sv, sc, sq, statemachine.StateRejected},
					map[string]int{sv: 1, sq: 1}, with(map[string]any{
						"validation":  map[string]any{"report": s.invalidReport()},
						"quarantined": map[string]any{"output": s.quarantined()},
					})),
			},
		},
		{
			mocks: map[string]string{sv: mockValidateValid, sp: mockProcessTransientOnce, ss: mockStoreCommitted},
			want: MockCase{
				Name:        "TransientErrorRetried",
				Description: "Process fails once with TransientError, is retried, and the object is stored.",
				Expect: succeeded([]string{sv, sc, sp, ss, statemachine.StateStored},
					map[string]int{sv: 1, sp: 2, ss: 1}, storedOutput),
			},
		},
		{
			mocks: map[string]string{sv: mockValidateValid, sp: mockProcessObjectChanged, sr: mockStoreFailureRecorded},
			want: MockCase{
				Name:        "ObjectChangedRecorded",
				Description: "Process fails with ObjectChangedError, which is not retried: the failure is caught, recorded, and the execution fails with it.",
				Expect:      failed([]string{sv, sc, sp, sr, sf}, map[string]int{sv: 1, sp: 1, sr: 1}, changed),
			},
		},
		{
			mocks: map[string]string{sv: mockValidateTransient, sr: mockStoreFailureRecorded2},
			want: MockCase{
				Name:        "RetriesExhaustedRecorded",
				Description: "Validate keeps failing with TransientError until its retries run out; the failure is caught, recorded, and the execution fails with it.",
				Expect:      failed([]string{sv, sr, sf}, map[string]int{sv: attempts, sr: 1}, transient),
			},
		},
		{
			mocks: map[string]string{sv: mockValidateValid, sp: mockProcessTransient, sr: mockStoreFailureRecorded2},
			want: MockCase{
				Name:        "ProcessRetriesExhaustedRecorded",
				Description: "Process keeps failing with TransientError until its retries run out; the failure is caught, recorded, and the execution fails with it.",
				Expect:      failed([]string{sv, sc, sp, sr, sf}, map[string]int{sv: 1, sp: attempts, sr: 1}, transient),
			},
		},
		{
			mocks: map[string]string{sv: mockValidateValid, sp: mockProcessSucceeded, ss: mockStoreTransient, sr: mockStoreTransientOnce},
			want: MockCase{
				Name:        "StoreRetriesExhaustedRecorded",
				Description: "Store keeps failing with TransientError until its retries run out; the failure is caught and recorded after one retry of RecordFailure, and the execution fails with it.",
				Expect:      failed([]string{sv, sc, sp, ss, sr, sf}, map[string]int{sv: 1, sp: 1, ss: attempts, sr: 2}, transient),
			},
		},
		{
			mocks: map[string]string{sv: mockValidateInvalid, sq: mockStoreTransient, sr: mockStoreTransient},
			want: MockCase{
				Name:        "QuarantineAndRecordFailureExhausted",
				Description: "Quarantine keeps failing with TransientError until its retries run out; so does recording the failure, whose own Catch ends the execution in Failed with Quarantine's error.",
				Expect:      failed([]string{sv, sc, sq, sr, sf}, map[string]int{sv: 1, sq: attempts, sr: attempts}, transient),
			},
		},
		{
			mocks: map[string]string{sv: mockValidateThrottledOnce, sp: mockProcessThrottledOnce, ss: mockStoreThrottledOnce},
			want: MockCase{
				Name:        "ThrottledRetried",
				Description: "Each task is throttled once (its function at its reserved concurrency), retried by the throttling Retrier, and the object is stored.",
				Expect: succeeded([]string{sv, sc, sp, ss, statemachine.StateStored},
					map[string]int{sv: 2, sp: 2, ss: 2}, storedOutput),
			},
		},
		{
			mocks: map[string]string{sv: mockValidateInvalid, sq: mockQuarantineThrottledOnce},
			want: MockCase{
				Name:        "QuarantineThrottledRetried",
				Description: "Quarantine is throttled once, retried, and the execution ends in Rejected.",
				Expect: succeeded([]string{sv, sc, sq, statemachine.StateRejected},
					map[string]int{sv: 1, sq: 2}, with(map[string]any{
						"validation":  map[string]any{"report": s.invalidReport()},
						"quarantined": map[string]any{"output": s.quarantined()},
					})),
			},
		},
		{
			mocks: map[string]string{sv: mockValidateThrottled, sr: mockRecordThrottledOnce},
			want: MockCase{
				Name:        "ThrottlingExhaustedRecorded",
				Description: "Validate stays throttled until the throttling Retrier gives up; the failure is recorded after one throttled attempt of RecordFailure, and the execution fails with it.",
				Expect:      failed([]string{sv, sr, sf}, map[string]int{sv: throttledAttempts, sr: 2}, throttled),
			},
		},
		{
			mocks: map[string]string{sv: mockValidateValid, sp: mockProcessThrottled, sr: mockStoreFailureRecorded},
			want: MockCase{
				Name:        "ProcessThrottlingExhaustedRecorded",
				Description: "Process stays throttled until the throttling Retrier gives up; the failure is caught, recorded, and the execution fails with it.",
				Expect:      failed([]string{sv, sc, sp, sr, sf}, map[string]int{sv: 1, sp: throttledAttempts, sr: 1}, throttled),
			},
		},
		{
			mocks: map[string]string{sv: mockValidateValid, sp: mockProcessSucceeded, ss: mockStoreThrottled, sr: mockStoreFailureRecorded},
			want: MockCase{
				Name:        "StoreThrottlingExhaustedRecorded",
				Description: "Store stays throttled until the throttling Retrier gives up; the failure is caught, recorded, and the execution fails with it.",
				Expect:      failed([]string{sv, sc, sp, ss, sr, sf}, map[string]int{sv: 1, sp: 1, ss: throttledAttempts, sr: 1}, throttled),
			},
		},
		{
			mocks: map[string]string{sv: mockValidateInvalid, sq: mockStoreThrottled, sr: mockStoreThrottled},
			want: MockCase{
				Name:        "QuarantineAndRecordFailureThrottled",
				Description: "Quarantine and then RecordFailure stay throttled until their throttling Retriers give up; the execution ends in Failed with Quarantine's error.",
				Expect:      failed([]string{sv, sc, sq, sr, sf}, map[string]int{sv: 1, sq: throttledAttempts, sr: throttledAttempts}, throttled),
			},
		},
	}

	file := MockConfigFile{
		StateMachines:   map[string]MockStateMachine{c.MockStateMachineName: {TestCases: map[string]map[string]string{}}},
		MockedResponses: responses,
	}
	want := MockExpectations{
		Comment:          "The pipeline's test cases: `sluice test` runs them in process (and with --endpoint against a stack serving MockConfigFile.json); generated by `sluice gen`.",
		StateMachineName: c.MockStateMachineName,
		MockConfigFile:   path.Base(PathMockConfig),
		Input:            input,
	}
	for _, tc := range cases {
		file.StateMachines[c.MockStateMachineName].TestCases[tc.want.Name] = tc.mocks
		want.Cases = append(want.Cases, tc.want)
	}
	return file, want, nil
}
