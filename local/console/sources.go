package console

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// API calls one operation of an AWS JSON 1.0 API (Step Functions, CloudWatch): target is the
// X-Amz-Target header ("AWSStepFunctions.ListExecutions"), in is marshalled as the request body and the
// answer is unmarshalled into out. An error answer is an *APIError.
type API interface {
	Call(ctx context.Context, target string, in, out any) error
}

// APIError is an AWS JSON error answer.
type APIError struct {
	Status  int
	Code    string
	Message string
}

func (e *APIError) Error() string { return e.Code + ": " + e.Message }

func asAPIError(err error, target **APIError) bool { return errors.As(err, target) }

// HandlerAPI is an API served by an http.Handler in process: the request goes through the service's own
// HTTP handler, exactly as a request from the AWS CLI would, without a network round trip.
func HandlerAPI(h http.Handler) API { return handlerAPI{h} }

type handlerAPI struct{ h http.Handler }

var _ API = handlerAPI{}

func (a handlerAPI) Call(ctx context.Context, target string, in, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return fmt.Errorf("%s: %w", target, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "/", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("X-Amz-Target", target)
	ct := "application/x-amz-json-1.0"
	if strings.HasPrefix(target, "Logs_") {
		ct = "application/x-amz-json-1.1"
	}
	req.Header.Set("Content-Type", ct)
	rec := &recorder{header: http.Header{}, status: http.StatusOK}
	a.h.ServeHTTP(rec, req)
	if rec.status >= 300 {
		var e struct {
			Type    string `json:"__type"`
			Message string `json:"message"`
			Msg     string `json:"Message"`
		}
		_ = json.Unmarshal(rec.body.Bytes(), &e)
		code := e.Type
		if i := strings.LastIndexByte(code, '#'); i >= 0 {
			code = code[i+1:]
		}
		if e.Message == "" {
			e.Message = e.Msg
		}
		return &APIError{Status: rec.status, Code: code, Message: e.Message}
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(rec.body.Bytes(), out); err != nil {
		return fmt.Errorf("%s answer: %w", target, err)
	}
	return nil
}

// recorder is the in-process http.ResponseWriter of HandlerAPI.
type recorder struct {
	header http.Header
	status int
	wrote  bool
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }
func (r *recorder) Write(p []byte) (int, error) {
	r.wrote = true
	return r.body.Write(p)
}
func (r *recorder) WriteHeader(status int) {
	if !r.wrote {
		r.status, r.wrote = status, true
	}
}

// Objects is the part of the S3 API the console reads the bucket through; *s3.Client has it.
type Objects interface {
	ListObjectsV2(ctx context.Context, in *s3.ListObjectsV2Input, opts ...func(*s3.Options)) (*s3.ListObjectsV2Output, error)
	GetObject(ctx context.Context, in *s3.GetObjectInput, opts ...func(*s3.Options)) (*s3.GetObjectOutput, error)
}

var _ Objects = (*s3.Client)(nil)

// DeadLetter is an event EventBridge could not deliver to its target.
type DeadLetter struct {
	ID        string
	Event     json.RawMessage // the original event
	RuleName  string
	TargetARN string
	Error     string // ERROR_CODE and ERROR_MESSAGE
	Time      time.Time
}

// DeadLetters lists and redrives the undelivered events (locally kept by EventBridge, where AWS keeps
// them in the rule's SQS dead-letter queue).
type DeadLetters interface {
	DeadLetters(ctx context.Context) ([]DeadLetter, error)
	Redrive(ctx context.Context, ids ...string) (int, error)
}

// Invocation is the log of one Lambda invocation.
type Invocation struct {
	Function  string
	RequestID string
	Start     time.Time
	Duration  time.Duration
	Error     string // the errorType of a failed invocation
	Lines     []string
}

// TaskLogs finds the log of a function's invocations that started between from and to.
type TaskLogs interface {
	Invocations(ctx context.Context, function string, from, to time.Time) ([]Invocation, error)
}

// Health reports the services' state for the home page: one line per service.
type Health interface {
	Health(ctx context.Context) []ServiceHealth
}

// ServiceHealth is one service's line on the home page.
type ServiceHealth struct {
	Name   string
	OK     bool
	Detail string
}
