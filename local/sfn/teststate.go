package sfn

import (
	"context"
	"errors"

	"github.com/sluicehq/sluice/asl"
	"github.com/sluicehq/sluice/asl/interp"
	"github.com/sluicehq/sluice/internal/jsonvalue"
)

// TestState runs one state, of a definition given as one state or as a
// whole machine with stateName, once, over the engine: unmocked Lambda
// tasks call the local Lambda, as every execution's do.
// https://docs.aws.amazon.com/step-functions/latest/apireference/API_TestState.html

type testStateInput struct {
	Definition         string             `json:"definition"`
	RoleArn            string             `json:"roleArn"`
	Input              *string            `json:"input"`
	InspectionLevel    string             `json:"inspectionLevel"`
	RevealSecrets      bool               `json:"revealSecrets"`
	StateName          string             `json:"stateName"`
	Variables          *string            `json:"variables"`
	Context            *string            `json:"context"`
	Mock               *testMockInput     `json:"mock"`
	StateConfiguration *stateConfigurator `json:"stateConfiguration"`
}

type testMockInput struct {
	Result      *string `json:"result"`
	ErrorOutput *struct {
		Error string `json:"error"`
		Cause string `json:"cause"`
	} `json:"errorOutput"`
	FieldValidationMode string `json:"fieldValidationMode"`
}

type stateConfigurator struct {
	RetrierRetryCount        *int    `json:"retrierRetryCount"`
	ErrorCausedByState       string  `json:"errorCausedByState"`
	MapIterationFailureCount *int    `json:"mapIterationFailureCount"`
	MapItemReaderData        *string `json:"mapItemReaderData"`
}

type testStateOutput struct {
	Status         string          `json:"status"`
	Output         *string         `json:"output,omitempty"`
	Error          string          `json:"error,omitempty"`
	Cause          string          `json:"cause,omitempty"`
	NextState      string          `json:"nextState,omitempty"`
	InspectionData *inspectionData `json:"inspectionData,omitempty"`
}

type inspectionData struct {
	Input                      string            `json:"input,omitempty"`
	AfterInputPath             string            `json:"afterInputPath,omitempty"`
	AfterParameters            string            `json:"afterParameters,omitempty"`
	AfterArguments             string            `json:"afterArguments,omitempty"`
	Result                     string            `json:"result,omitempty"`
	AfterResultSelector        string            `json:"afterResultSelector,omitempty"`
	AfterResultPath            string            `json:"afterResultPath,omitempty"`
	Variables                  string            `json:"variables,omitempty"`
	MaxConcurrency             *int              `json:"maxConcurrency,omitempty"`
	ToleratedFailureCount      *int              `json:"toleratedFailureCount,omitempty"`
	ToleratedFailurePercentage *float64          `json:"toleratedFailurePercentage,omitempty"`
	ErrorDetails               *inspectionErrors `json:"errorDetails,omitempty"`
}

type inspectionErrors struct {
	CatchIndex                  *int `json:"catchIndex,omitempty"`
	RetryIndex                  *int `json:"retryIndex,omitempty"`
	RetryBackoffIntervalSeconds *int `json:"retryBackoffIntervalSeconds,omitempty"`
}

func (s *Service) testState(ctx context.Context, body []byte) (any, error) {
	var in testStateInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	return s.runTestState(ctx, in)
}

// runTestState validates a TestState request as AWS does and runs it.
func (s *Service) runTestState(ctx context.Context, in testStateInput) (*testStateOutput, error) {
	if in.Definition == "" {
		return nil, validationErrorf("Value null at 'definition' failed to satisfy constraint: Member must not be null")
	}
	level := interp.InspectionLevel(in.InspectionLevel)
	switch level {
	case "":
		level = interp.InspectionInfo
	case interp.InspectionInfo, interp.InspectionDebug, interp.InspectionTrace:
	default:
		return nil, validationErrorf("Value '%s' at 'inspectionLevel' failed to satisfy constraint: Member must satisfy enum value set: [INFO, DEBUG, TRACE]", in.InspectionLevel)
	}
	sm, wrapped, err := interp.ParseTestDefinition([]byte(in.Definition))
	if err != nil {
		return nil, invalidDefinition(err)
	}
	req := interp.TestStateRequest{StateName: in.StateName, Level: level, RoleArn: in.RoleArn, MapIterationFailureCount: -1}
	if wrapped != "" {
		if in.StateName != "" {
			return nil, validationErrorf("stateName can only be given with the definition of a whole state machine")
		}
		req.StateName = wrapped
	}
	req.Input = map[string]any{}
	if in.Input != nil {
		if req.Input, err = decodeInput(*in.Input); err != nil {
			return nil, err
		}
	}
	if in.Variables != nil {
		v, err := jsonvalue.Decode([]byte(*in.Variables))
		m, isObject := v.(map[string]any)
		if err != nil || !isObject {
			return nil, validationErrorf("Variables must be a valid JSON object")
		}
		req.Variables = m
	}
	if in.Context != nil {
		v, err := jsonvalue.Decode([]byte(*in.Context))
		m, isObject := v.(map[string]any)
		if err != nil || !isObject {
			return nil, validationErrorf("Invalid Context object provided: the context must be a JSON object")
		}
		req.Context = m
	}
	if c := in.StateConfiguration; c != nil {
		if c.RetrierRetryCount != nil {
			req.RetrierRetryCount = *c.RetrierRetryCount
		}
		if c.MapIterationFailureCount != nil {
			req.MapIterationFailureCount = *c.MapIterationFailureCount
		}
		req.ErrorCausedByState = c.ErrorCausedByState
	}
	if mk := in.Mock; mk != nil {
		switch {
		case mk.Result != nil && mk.ErrorOutput != nil:
			return nil, validationErrorf("A mock can have a result or an errorOutput, not both")
		case mk.Result != nil:
			v, err := jsonvalue.Decode([]byte(*mk.Result))
			if err != nil {
				return nil, apiErrorf(CodeValidation, "Mocked result must be valid JSON")
			}
			req.Mock = &interp.TestMock{Result: v}
		case mk.ErrorOutput != nil:
			req.Mock = &interp.TestMock{Error: &interp.Failure{Error: mk.ErrorOutput.Error, Cause: mk.ErrorOutput.Cause}}
		}
		if req.Mock != nil && req.Mock.Error == nil {
			if msg := validateMockResult(sm, req.StateName, mk.FieldValidationMode, req.Mock.Result); msg != "" {
				return nil, apiErrorf(CodeValidation, "Mock result schema validation error: %s", msg)
			}
		}
	}
	if req.Mock == nil && in.RoleArn == "" && isTask(sm, req.StateName) {
		return nil, apiErrorf(CodeValidation, "RoleArn must be specified when testing a Task state")
	}
	m, err := s.compileMachine(sm)
	if err != nil {
		return nil, err
	}
	res, err := m.TestState(ctx, req)
	var te *interp.TestStateError
	if errors.As(err, &te) {
		return nil, apiErrorf(CodeValidation, "%s", te.Message)
	}
	if err != nil {
		return nil, err
	}
	out := &testStateOutput{Status: string(res.Status), Error: res.Error, Cause: res.Cause, NextState: res.NextState}
	if res.Status == interp.TestSucceeded || res.Status == interp.TestCaughtError {
		text, err := jsonvalue.Marshal(res.Output)
		if err != nil {
			return nil, err
		}
		o := string(text)
		out.Output = &o
	}
	if in := res.Inspection; in != nil {
		d := &inspectionData{Input: in.Input, AfterInputPath: in.AfterInputPath, AfterParameters: in.AfterParameters,
			AfterArguments: in.AfterArguments, Result: in.Result, AfterResultSelector: in.AfterResultSelector,
			AfterResultPath: in.AfterResultPath, Variables: in.Variables, MaxConcurrency: in.MaxConcurrency,
			ToleratedFailureCount: in.ToleratedCount, ToleratedFailurePercentage: in.ToleratedPercentage}
		if e := in.ErrorDetails; e != nil {
			d.ErrorDetails = &inspectionErrors{CatchIndex: e.CatchIndex, RetryIndex: e.RetryIndex, RetryBackoffIntervalSeconds: e.RetryBackoffIntervalSeconds}
		}
		out.InspectionData = d
	}
	return out, nil
}

// isTask reports whether the state named in sm is a Task state.
func isTask(sm *asl.StateMachine, name string) bool {
	if name == "" {
		name = sm.StartAt
	}
	_, ok := findASLState(sm.States, name).(*asl.Task)
	return ok
}
