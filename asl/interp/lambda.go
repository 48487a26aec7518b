package interp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strconv"

	"github.com/sluicehq/sluice/internal/jsonvalue"
	"github.com/sluicehq/sluice/internal/uuid"
)

// callLambdaARN invokes a Lambda function through its bare ARN: the payload
// is the effective input, the result the function's response, and a
// function error fails the task with its errorType and, as cause, the
// error JSON as the function returned it.
// https://docs.aws.amazon.com/step-functions/latest/dg/connect-lambda.html
func (th *thread) callLambdaARN(ctx context.Context, n *node, params any, paramsText string) (any, *Failure) {
	payload := []byte(paramsText)
	if paramsText == "null" && params != nil { // a value the renderer could not encode
		var err error
		if payload, err = marshal(params); err != nil {
			return nil, th.runtimeError("%v", err)
		}
	}
	resp, f := th.invokeLambda(ctx, LambdaRequest{FunctionName: n.task.resource, Payload: payload,
		StateName: n.name, ExecutionArn: th.e.cfg.arn})
	if f != nil {
		return nil, f
	}
	if resp.FunctionError != "" {
		return nil, &Failure{Error: functionErrorType(resp.Payload), Cause: string(resp.Payload)}
	}
	return decodePayload(resp.Payload), nil
}

// callLambdaInvoke implements "arn:aws:states:::lambda:invoke": the
// parameters are the Invoke request (FunctionName, Payload, Qualifier,
// InvocationType, ClientContext) and the result is the Invoke response
// wrapped as the AWS SDK returns it.
// https://docs.aws.amazon.com/step-functions/latest/dg/connect-lambda.html
//
// paramsText is params rendered ("null" when it could not be): an object
// Payload is sent as its text there, which is what rendering it again would
// write.
func (th *thread) callLambdaInvoke(ctx context.Context, n *node, params any, paramsText string) (any, *Failure) {
	m, ok := params.(map[string]any)
	if !ok {
		return nil, th.runtimeError("The Parameters of a lambda:invoke task must be an object")
	}
	fn, ok := m["FunctionName"].(string)
	if !ok {
		return nil, &Failure{Error: "States.Runtime", Cause: th.causePrefix() + "The field 'FunctionName' is required and must be a string."}
	}
	req := LambdaRequest{FunctionName: fn, Payload: []byte("{}"), StateName: n.name, ExecutionArn: th.e.cfg.arn}
	req.Qualifier, _ = m["Qualifier"].(string)
	req.InvocationType, _ = m["InvocationType"].(string)
	req.ClientContext, _ = m["ClientContext"].(string)
	if s, ok := m["Payload"].(string); ok {
		// A string payload is sent as the request body as it is, as the
		// AWS SDK does with the Invoke API's blob Payload.
		req.Payload = []byte(s)
	} else if p, ok := m["Payload"]; ok {
		b, ok := memberText([]byte(paramsText), "Payload")
		if !ok {
			var err error
			if b, err = marshal(p); err != nil {
				return nil, th.runtimeError("%v", err)
			}
		}
		req.Payload = b
	}
	resp, f := th.invokeLambda(ctx, req)
	if f != nil {
		return nil, f
	}
	if resp.FunctionError != "" {
		cause := string(resp.Payload)
		var buf bytes.Buffer
		if json.Compact(&buf, resp.Payload) == nil {
			cause = buf.String()
		}
		return nil, &Failure{Error: functionErrorType(resp.Payload), Cause: cause}
	}
	status := resp.StatusCode
	if status == 0 {
		status = 200
	}
	version := resp.ExecutedVersion
	if version == "" {
		version = "$LATEST"
	}
	reqID := resp.RequestID
	if reqID == "" {
		reqID = newUUID()
	}
	date := th.clock().Now().UTC().Format(httpTimeFormat)
	return invokeResult(resp.Payload, status, version, reqID, date, "Root=1-"+newUUID()), nil
}

// invokeResult is the Invoke response wrapped as the AWS SDK returns it,
// with its HTTP headers twice: each a list in AllHttpHeaders, each a
// string in HttpHeaders. Every value of the result is its own (a state may
// change it in place later); what two of them can share without being
// told apart is shared: a header's string, boxed once for both maps, and
// one backing array for AllHttpHeaders' eight one-element lists, each
// sliced to its own capacity so that appending to one copies it.
func invokeResult(payload []byte, status int, version, reqID, date, traceID string) map[string]any {
	var (
		v, id, l, d, tr    = any(version), any(reqID), any(strconv.Itoa(len(payload))), any(date), any(traceID)
		keepAlive, appJSON = any("keep-alive"), any("application/json")
		zero, st           = any("0"), jsonIntValue(status)
		all                = [...]any{v, zero, keepAlive, id, l, d, tr, appJSON}
	)
	return map[string]any{
		"ExecutedVersion": v,
		"Payload":         decodePayload(payload),
		"SdkHttpMetadata": map[string]any{
			"AllHttpHeaders": map[string]any{
				"X-Amz-Executed-Version":         all[0:1:1],
				"x-amzn-Remapped-Content-Length": all[1:2:2],
				"Connection":                     all[2:3:3],
				"x-amzn-RequestId":               all[3:4:4],
				"Content-Length":                 all[4:5:5],
				"Date":                           all[5:6:6],
				"X-Amzn-Trace-Id":                all[6:7:7],
				"Content-Type":                   all[7:8:8],
			},
			"HttpHeaders": map[string]any{
				"Connection":                     keepAlive,
				"Content-Length":                 l,
				"Content-Type":                   appJSON,
				"Date":                           d,
				"X-Amz-Executed-Version":         v,
				"x-amzn-Remapped-Content-Length": zero,
				"x-amzn-RequestId":               id,
				"X-Amzn-Trace-Id":                tr,
			},
			"HttpStatusCode": st,
		},
		"SdkResponseMetadata": map[string]any{"RequestId": id},
		"StatusCode":          st,
	}
}

// memberText returns the text of the member key of the JSON object text,
// as written there (a view of text), or false when text is not an object
// with that member.
func memberText(text []byte, key string) ([]byte, bool) {
	var s jsonvalue.Scanner
	s.Reset(text)
	if s.Peek() != jsonvalue.Object || s.BeginObject() != nil {
		return nil, false
	}
	for first := true; ; first = false {
		more, err := s.NextMember(first)
		if err != nil || !more {
			return nil, false
		}
		k, _, err := s.Key(nil)
		if err != nil {
			return nil, false
		}
		if string(k) != key {
			if s.Skip() != nil {
				return nil, false
			}
			continue
		}
		s.Peek() // past white space
		from := s.Offset()
		if s.Skip() != nil {
			return nil, false
		}
		to := s.Offset()
		return text[from:to:to], true
	}
}

// invokeLambda calls the host's Lambda invoker and maps service errors to
// Lambda.<Code> failures.
func (th *thread) invokeLambda(ctx context.Context, req LambdaRequest) (LambdaResponse, *Failure) {
	inv := th.e.m.cfg.lambda
	if inv == nil {
		return LambdaResponse{}, &Failure{Error: "Lambda.ResourceNotFoundException", Cause: (&LambdaServiceError{
			Code: "ResourceNotFoundException", StatusCode: 404,
			Message: "Function not found: " + req.FunctionName, RequestID: newUUID(),
		}).Error()}
	}
	resp, err := inv.InvokeLambda(ctx, req)
	if err == nil {
		return resp, nil
	}
	if ctx.Err() != nil && th.ctx.Err() != nil {
		return resp, errStopped
	}
	var se *LambdaServiceError
	if errors.As(err, &se) {
		return resp, &Failure{Error: "Lambda." + se.Code, Cause: se.Error()}
	}
	if f := AsFailure(err); f != nil {
		return resp, f
	}
	return resp, &Failure{Error: "Lambda.Unknown", Cause: err.Error()}
}

// functionErrorType reads errorType from a function error payload; a
// payload without one is reported as Lambda.Unknown.
func functionErrorType(payload []byte) string {
	var e struct {
		ErrorType string `json:"errorType"`
	}
	if json.Unmarshal(payload, &e) == nil && e.ErrorType != "" {
		return e.ErrorType
	}
	return "Lambda.Unknown"
}

// decodePayload turns a response payload into a JSON value; bytes that are
// not JSON are kept as a string.
func decodePayload(b []byte) any {
	if len(bytes.TrimSpace(b)) == 0 {
		return nil
	}
	v, err := decodeJSON(b)
	if err != nil {
		return string(b)
	}
	return v
}

func newUUID() string { return uuid.New() }

// httpTimeFormat is the HTTP Date header format.
const httpTimeFormat = "Mon, 02 Jan 2006 15:04:05 GMT"
