package conformance

import (
	"bytes"
	"context"
	"encoding/json"
	"path"
	"strings"
	"time"

	"github.com/sluicehq/sluice/asl/interp"
)

// caseLambdas is a LambdaInvoker hosting the tiny handlers the recorded
// cases deployed, by function name, reproducing what their Python runtime
// answered (including the shape of a function error).
type caseLambdas struct {
	clock     interp.Clock
	functions map[string]string // function name -> handler file base name
	requests  int
}

var _ interp.LambdaInvoker = (*caseLambdas)(nil)

// pyError renders a Python Lambda function error as the runtime does
// (json.dumps spacing).
func pyError(errType, msg, line, src string) []byte {
	trace := `  File \"/var/task/handler.py\", line ` + line + `, in handler\n    ` + src + `\n`
	return []byte(`{"errorMessage": ` + quote(msg) + `, "errorType": "` + errType +
		`", "requestId": "00000000-0000-4000-8000-000000000000", "stackTrace": ["` + trace + `"]}`)
}

func quote(s string) string { b, _ := json.Marshal(s); return string(b) }

func (l *caseLambdas) InvokeLambda(ctx context.Context, req interp.LambdaRequest) (interp.LambdaResponse, error) {
	name := req.FunctionName
	if i := strings.Index(name, ":function:"); i >= 0 {
		name = name[i+len(":function:"):]
	}
	name, _, _ = strings.Cut(name, ":")
	handler, ok := l.functions[name]
	if !ok {
		return interp.LambdaResponse{}, &interp.LambdaServiceError{
			Code: "ResourceNotFoundException", StatusCode: 404, RequestID: "00000000-0000-4000-8000-000000000000",
			Message: "Function not found: arn:aws:lambda:us-east-1:111111111111:function:" + name + ":$LATEST",
		}
	}
	switch path.Base(handler) {
	case "id_function.py":
		return interp.LambdaResponse{Payload: pyDumps(req.Payload)}, nil
	case "echo_function.py":
		return interp.LambdaResponse{Payload: []byte(`{"Return": "HelloWorld"}`)}, nil
	case "raise_exception.py":
		return interp.LambdaResponse{FunctionError: "Unhandled", Payload: pyError("Exception",
			"Some exception was raised.", "2", `raise Exception(\"Some exception was raised.\")`)}, nil
	case "raise_custom_exception.py":
		return interp.LambdaResponse{FunctionError: "Unhandled", Payload: pyError("CustomException",
			"", "9", "raise CustomException()")}, nil
	case "return_bytes_str.py":
		return interp.LambdaResponse{Payload: []byte(`"HelloWorld!"`)}, nil
	case "large_output_string.py":
		return interp.LambdaResponse{Payload: []byte(quote(strings.Repeat("a", 300*1024)))}, nil
	case "wait_60_seconds.py":
		if err := interp.Sleep(ctx, l.clock, 60*time.Second); err != nil {
			return interp.LambdaResponse{}, err
		}
		return interp.LambdaResponse{Payload: req.Payload}, nil
	}
	return interp.LambdaResponse{}, &interp.LambdaServiceError{Code: "ServiceException", StatusCode: 500, Message: "no handler " + handler}
}

// pyDumps re-renders a JSON payload as Python's json.dumps writes it (", "
// and ": " separators), as the recorded Python handlers' responses were
// written: the Content-Length AWS recorded counts those bytes. Key order
// does not change the length.
func pyDumps(payload []byte) []byte {
	var v any
	d := json.NewDecoder(bytes.NewReader(payload))
	d.UseNumber()
	if err := d.Decode(&v); err != nil {
		return payload
	}
	var b bytes.Buffer
	var write func(v any)
	write = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			b.WriteByte('{')
			first := true
			for k, e := range x {
				if !first {
					b.WriteString(", ")
				}
				first = false
				b.WriteString(quote(k))
				b.WriteString(": ")
				write(e)
			}
			b.WriteByte('}')
		case []any:
			b.WriteByte('[')
			for i, e := range x {
				if i > 0 {
					b.WriteString(", ")
				}
				write(e)
			}
			b.WriteByte(']')
		default:
			enc, _ := json.Marshal(x)
			b.Write(enc)
		}
	}
	write(v)
	return b.Bytes()
}
