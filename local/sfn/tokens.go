package sfn

import (
	"context"
	"errors"

	"github.com/sluicehq/sluice/asl/interp"
)

// Task tokens: https://docs.aws.amazon.com/step-functions/latest/apireference/API_SendTaskSuccess.html,
// API_SendTaskFailure.html and API_SendTaskHeartbeat.html.

func checkToken(token string) error {
	if token == "" {
		return validationErrorf("Value null at 'taskToken' failed to satisfy constraint: Member must not be null")
	}
	if len(token) > 2048 {
		return validationErrorf("Value at 'taskToken' failed to satisfy constraint: Member must have length less than or equal to 2048")
	}
	return nil
}

func tokenError(err error) error {
	switch {
	case errors.Is(err, interp.ErrInvalidToken):
		return apiErrorf(CodeInvalidToken, "Invalid Token: 'Invalid token'")
	case errors.Is(err, interp.ErrTaskTimedOut):
		return apiErrorf(CodeTaskTimedOut, "Task Timed Out: 'Provided task does not exist anymore'")
	}
	return err
}

func (s *Service) sendTaskSuccess(ctx context.Context, body []byte) (any, error) {
	var in taskTokenInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if err := checkToken(in.TaskToken); err != nil {
		return nil, err
	}
	if in.Output == nil {
		return nil, validationErrorf("Value null at 'output' failed to satisfy constraint: Member must not be null")
	}
	if len(*in.Output) > interp.MaxPayloadBytes {
		return nil, validationErrorf("Value at 'output' failed to satisfy constraint: Member must have length less than or equal to %d", interp.MaxPayloadBytes)
	}
	v, err := decodeInput(*in.Output)
	if err != nil {
		return nil, apiErrorf(CodeInvalidOutput, "Invalid Output: '%v'", err)
	}
	if err := s.tokens.Succeed(in.TaskToken, v); err != nil {
		return nil, tokenError(err)
	}
	return struct{}{}, nil
}

func (s *Service) sendTaskFailure(ctx context.Context, body []byte) (any, error) {
	var in taskTokenInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if err := checkToken(in.TaskToken); err != nil {
		return nil, err
	}
	if len(in.Error) > 256 {
		return nil, validationErrorf("Value at 'error' failed to satisfy constraint: Member must have length less than or equal to 256")
	}
	if len(in.Cause) > 32768 {
		return nil, validationErrorf("Value at 'cause' failed to satisfy constraint: Member must have length less than or equal to 32768")
	}
	if err := s.tokens.Fail(in.TaskToken, in.Error, in.Cause); err != nil {
		return nil, tokenError(err)
	}
	return struct{}{}, nil
}

func (s *Service) sendTaskHeartbeat(ctx context.Context, body []byte) (any, error) {
	var in taskTokenInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if err := checkToken(in.TaskToken); err != nil {
		return nil, err
	}
	if err := s.tokens.Heartbeat(in.TaskToken); err != nil {
		return nil, tokenError(err)
	}
	return struct{}{}, nil
}
