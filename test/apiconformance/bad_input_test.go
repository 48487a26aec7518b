package apiconformance

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
)

// badRequest is one malformed request and the error AWS answers it with. codes lists the acceptable
// error codes (empty: any code, where AWS does not document which); status 0 means any 4xx.
type badRequest struct {
	name    string
	method  string
	path    string
	header  map[string]string
	body    []byte
	status  int
	codes   []string
	comment string
}

// The protocols' headers.
func sfnHeader(op string) map[string]string {
	return map[string]string{"X-Amz-Target": "AWSStepFunctions." + op, "Content-Type": "application/x-amz-json-1.0"}
}

func eventsHeader(op string) map[string]string {
	return map[string]string{"X-Amz-Target": "AWSEvents." + op, "Content-Type": "application/x-amz-json-1.1"}
}

func cwJSONHeader(op string) map[string]string {
	return map[string]string{"X-Amz-Target": "GraniteServiceVersion20100801." + op, "Content-Type": "application/x-amz-json-1.0"}
}

var cborHeader = map[string]string{"Content-Type": "application/cbor", "Smithy-Protocol": "rpc-v2-cbor"}

const (
	bucket       = "sluice-bucket"
	function     = "sluice-ValidateFunction"
	invokePath   = "/2015-03-31/functions/" + function + "/invocations"
	cborPath     = "/service/GraniteServiceVersion20100801/operation/"
	stateMachine = "arn:aws:states:us-east-1:000000000000:stateMachine:sluice-StateMachine"
)

func jsonBody(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

func badRequests() []badRequest {
	big := func(n int) []byte { return []byte(`{"a":"` + strings.Repeat("x", n) + `"}`) }
	return []badRequest{
		// S3 (REST XML): https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html
		{name: "s3: malformed XML in PutBucketVersioning", method: "PUT", path: "/" + bucket + "?versioning", body: []byte("<Versioning"), status: 400, codes: []string{"MalformedXML"}},
		{name: "s3: malformed XML in DeleteObjects", method: "POST", path: "/" + bucket + "?delete", header: map[string]string{"Content-MD5": "1B2M2Y8AsgTpgAmY7PhCfg=="}, body: []byte("<Delete><Object>"), status: 400, codes: []string{"MalformedXML", "BadDigest"}},
		{name: "s3: malformed XML in CompleteMultipartUpload", method: "POST", path: "/" + bucket + "/k?uploadId=nope", body: []byte("<CompleteMultipartUpload><Part>"), status: 0, codes: []string{"MalformedXML", "NoSuchUpload"}},
		{name: "s3: wrong method", method: "PATCH", path: "/" + bucket + "/k", status: 405, codes: []string{"MethodNotAllowed"}},
		{name: "s3: Content-MD5 not base64", method: "PUT", path: "/" + bucket + "/k", header: map[string]string{"Content-MD5": "not-base64"}, body: []byte("hello"), status: 400, codes: []string{"InvalidDigest"}},
		{name: "s3: Content-MD5 of other bytes", method: "PUT", path: "/" + bucket + "/k", header: map[string]string{"Content-MD5": "AAAAAAAAAAAAAAAAAAAAAA=="}, body: []byte("hello"), status: 400, codes: []string{"BadDigest"}},
		{name: "s3: invalid bucket name", method: "PUT", path: "/Bad_Bucket!", status: 400, codes: []string{"InvalidBucketName"}},
		{name: "s3: max-keys not an integer", method: "GET", path: "/" + bucket + "?list-type=2&max-keys=abc", status: 400, codes: []string{"InvalidArgument"}},
		{name: "s3: no such bucket", method: "GET", path: "/no-such-bucket-here/k", status: 404, codes: []string{"NoSuchBucket"}},
		{name: "s3: aws-chunked body that is not chunked", method: "PUT", path: "/" + bucket + "/k",
			header: map[string]string{"X-Amz-Content-Sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER", "Content-Encoding": "aws-chunked", "X-Amz-Decoded-Content-Length": "5"},
			body:   []byte("zzzz;garbage"), status: 0},

		// Step Functions (AWS JSON 1.0): https://docs.aws.amazon.com/step-functions/latest/apireference/CommonErrors.html
		{name: "sfn: malformed JSON", method: "POST", path: "/", header: sfnHeader("ListStateMachines"), body: []byte("{bad"), status: 400, codes: []string{"SerializationException"}},
		{name: "sfn: wrong member type", method: "POST", path: "/", header: sfnHeader("ListStateMachines"), body: []byte(`{"maxResults":"ten"}`), status: 400, codes: []string{"SerializationException"}},
		{name: "sfn: unknown operation", method: "POST", path: "/", header: sfnHeader("NoSuchOperation"), body: []byte("{}"), status: 400, codes: []string{"UnknownOperationException"}},
		{name: "sfn: wrong method", method: "GET", path: "/", header: sfnHeader("ListStateMachines"), status: 0},
		{name: "sfn: body over the request limit", method: "POST", path: "/", header: sfnHeader("StartExecution"), body: big(3 << 20), status: 0},
		{name: "sfn: input over 256 KiB", method: "POST", path: "/", header: sfnHeader("StartExecution"),
			body:   jsonBody(map[string]string{"stateMachineArn": stateMachine, "input": string(big(256 << 10))}),
			status: 400, codes: []string{"ValidationException"}, comment: "https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html"},
		{name: "sfn: input not JSON", method: "POST", path: "/", header: sfnHeader("StartExecution"),
			body: jsonBody(map[string]string{"stateMachineArn": stateMachine, "input": "{not json"}), status: 400, codes: []string{"InvalidExecutionInput"}},
		{name: "sfn: definition not JSON", method: "POST", path: "/", header: sfnHeader("CreateStateMachine"),
			body: jsonBody(map[string]string{"name": "x", "definition": "{", "roleArn": "arn:aws:iam::000000000000:role/r"}), status: 400, codes: []string{"InvalidDefinition"}},
		{name: "sfn: malformed ARN", method: "POST", path: "/", header: sfnHeader("DescribeExecution"), body: []byte(`{"executionArn":"not-an-arn"}`), status: 400, codes: []string{"InvalidArn"}},

		// EventBridge (AWS JSON 1.1): https://docs.aws.amazon.com/eventbridge/latest/APIReference/CommonErrors.html
		{name: "events: malformed JSON", method: "POST", path: "/", header: eventsHeader("ListRules"), body: []byte("{bad"), status: 400, codes: []string{"SerializationException"}},
		{name: "events: wrong member type", method: "POST", path: "/", header: eventsHeader("ListRules"), body: []byte(`{"Limit":"ten"}`), status: 400, codes: []string{"SerializationException"}},
		{name: "events: unknown operation", method: "POST", path: "/", header: eventsHeader("NoSuchOperation"), body: []byte("{}"), status: 400, codes: []string{"UnknownOperationException"}},
		{name: "events: wrong method", method: "GET", path: "/", header: eventsHeader("ListRules"), status: 0},
		{name: "events: request over the size limit", method: "POST", path: "/", header: eventsHeader("PutEvents"), body: big(7 << 20), status: 0, codes: []string{"RequestEntityTooLargeException"}},
		{name: "events: invalid pattern", method: "POST", path: "/", header: eventsHeader("PutRule"), body: []byte(`{"Name":"r","EventPattern":"{\"source\":\"aws.s3\"}"}`), status: 400, codes: []string{"InvalidEventPatternException"}},
		{name: "events: missing required member", method: "POST", path: "/", header: eventsHeader("PutRule"), body: []byte(`{}`), status: 400, codes: []string{"ValidationException"}},

		// Lambda (REST JSON): https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html
		{name: "lambda: payload not JSON", method: "POST", path: invokePath, body: []byte("{bad"), status: 400, codes: []string{"InvalidRequestContentException"}},
		{name: "lambda: unknown function", method: "POST", path: "/2015-03-31/functions/no-such-function/invocations", body: []byte("{}"), status: 404, codes: []string{"ResourceNotFoundException"}},
		{name: "lambda: bad invocation type", method: "POST", path: invokePath, header: map[string]string{"X-Amz-Invocation-Type": "Sometimes"}, body: []byte("{}"), status: 400, codes: []string{"InvalidParameterValueException"}},
		{name: "lambda: payload over 6 MB", method: "POST", path: invokePath, body: big(7 << 20), status: 413, codes: []string{"RequestTooLargeException"}},
		{name: "lambda: wrong method", method: "GET", path: invokePath, status: 0},
		{name: "lambda: unknown path", method: "POST", path: "/2015-03-31/functions/" + function + "/no-such-thing", body: []byte("{}"), status: 0},

		// CloudWatch (Smithy RPC v2 CBOR, and AWS JSON 1.0): https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/CommonErrors.html
		{name: "cloudwatch: malformed CBOR", method: "POST", path: cborPath + "ListMetrics", header: cborHeader, body: []byte{0xff, 0xff, 0x1f}, status: 400, codes: []string{"SerializationException"}},
		{name: "cloudwatch: unknown operation (CBOR)", method: "POST", path: cborPath + "NoSuchOperation", header: cborHeader, body: []byte{0xa0}, status: 0, codes: []string{"UnknownOperationException", "UnknownOperation"}},
		{name: "cloudwatch: wrong method", method: "GET", path: cborPath + "ListMetrics", status: 0},
		{name: "cloudwatch: malformed JSON", method: "POST", path: "/", header: cwJSONHeader("ListMetrics"), body: []byte("{bad"), status: 400, codes: []string{"SerializationException"}},
		{name: "cloudwatch: missing namespace", method: "POST", path: "/", header: cwJSONHeader("PutMetricData"), body: []byte(`{"MetricData":[{"MetricName":"m","Value":1}]}`), status: 400, codes: []string{"MissingParameter"}},
		{name: "cloudwatch: request over the size limit", method: "POST", path: "/", header: cwJSONHeader("PutMetricData"), body: big(7 << 20), status: 413, codes: []string{"RequestEntityTooLarge"}},
	}
}

// errorCode reads the AWS error code of a response in any of the stack's protocols: X-Amzn-ErrorType
// (JSON and REST JSON), X-Amzn-Query-Error (query-compatible CloudWatch), "__type" in a JSON body, or
// <Code> in an XML body.
func errorCode(h http.Header, body []byte) []string {
	var codes []string
	if v := h.Get("X-Amzn-Errortype"); v != "" {
		codes = append(codes, strings.SplitN(v, ":", 2)[0])
	}
	if v := h.Get("X-Amzn-Query-Error"); v != "" {
		codes = append(codes, strings.SplitN(v, ";", 2)[0])
	}
	var doc struct {
		Type string `json:"__type"`
	}
	if json.Unmarshal(body, &doc) == nil && doc.Type != "" {
		codes = append(codes, doc.Type[strings.LastIndex(doc.Type, "#")+1:])
	}
	if m := xmlCodeRE.FindSubmatch(body); m != nil {
		codes = append(codes, string(m[1]))
	}
	return codes
}

var xmlCodeRE = regexp.MustCompile(`<Code>([^<]*)</Code>`)

// TestBadInput sends malformed, unknown, oversized and wrongly addressed requests to every API of the
// stack: each is answered with a 4xx status and the AWS error code, never a 5xx or a dropped
// connection, and every service still answers afterwards.
func TestBadInput(t *testing.T) {
	e := startStack(t)
	for _, tc := range badRequests() {
		t.Run(tc.name, func(t *testing.T) {
			status, h, body, err := e.send(tc.method, tc.path, tc.header, tc.body)
			if err != nil {
				t.Fatalf("%s %s: %v (want an AWS error answer)", tc.method, tc.path, err)
			}
			codes := errorCode(h, body)
			switch {
			case status >= 500 || status < 400:
				t.Errorf("status: got %d, want 4xx (codes %v, body %.200s)", status, codes, body)
			case tc.status != 0 && status != tc.status:
				t.Errorf("status: got %d, want %d (codes %v)", status, tc.status, codes)
			}
			if len(codes) == 0 {
				t.Errorf("no error code in the answer (status %d, body %.200s)", status, body)
			}
			if len(tc.codes) > 0 && !slices.ContainsFunc(codes, func(c string) bool { return slices.Contains(tc.codes, c) }) {
				t.Errorf("error code: got %v, want one of %v (body %.200s)", codes, tc.codes, body)
			}
		})
	}
	e.checkAlive(t)
}

// TestS3ObjectTooLarge announces a PutObject larger than S3's 5 GiB limit for a single PUT and sends a
// few bytes: S3 answers 400 EntityTooLarge without waiting for the body.
// https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html
func TestS3ObjectTooLarge(t *testing.T) {
	e := startStack(t)
	conn, err := net.Dial("tcp", strings.TrimPrefix(e.url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(20 * time.Second))
	fmt.Fprintf(conn, "PUT /%s/huge HTTP/1.1\r\nHost: %s\r\nContent-Length: %d\r\n\r\nabc", bucket, strings.TrimPrefix(e.url, "http://"), 5<<30+1)
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no answer to an oversized PUT: %v", err)
	}
	body, _ := io.ReadAll(io.LimitReader(res.Body, 4096))
	res.Body.Close()
	if codes := errorCode(res.Header, body); res.StatusCode != 400 || !slices.Contains(codes, "EntityTooLarge") {
		t.Errorf("got %d %v, want 400 EntityTooLarge (body %.200s)", res.StatusCode, codes, body)
	}
	e.checkAlive(t)
}

// TestGarbageOnEveryOperation sends bodies that are not what any operation expects (empty, null, an
// array, truncated, deeply nested, random bytes) to every operation of the JSON and CBOR APIs: every
// answer is a 4xx (or a 200 where the body is an acceptable empty request), never a 5xx.
func TestGarbageOnEveryOperation(t *testing.T) {
	e := startStack(t)
	rnd := rand.New(rand.NewPCG(1, 2))
	random := make([]byte, 2048)
	for i := range random {
		random[i] = byte(rnd.UintN(256))
	}
	bodies := map[string][]byte{
		"empty": nil, "null": []byte("null"), "array": []byte("[1,2]"), "string": []byte(`"x"`),
		"truncated": []byte(`{"name":`), "nested": []byte(strings.Repeat("[", 20000)), "random": random,
		"wrong types": []byte(`{"name":1,"Name":[],"stateMachineArn":{},"executionArn":true,"Entries":"x","MetricData":7,"Namespace":[]}`),
	}
	var requests []badRequest
	for _, op := range []string{"CreateStateMachine", "DescribeStateMachine", "UpdateStateMachine", "DeleteStateMachine",
		"ListStateMachines", "ValidateStateMachineDefinition", "StartExecution", "StartSyncExecution", "StopExecution",
		"RedriveExecution", "DescribeExecution", "ListExecutions", "GetExecutionHistory", "DescribeStateMachineForExecution", "SendTaskSuccess",
		"SendTaskFailure", "SendTaskHeartbeat", "TagResource", "UntagResource", "ListTagsForResource"} {
		requests = append(requests, badRequest{name: "sfn " + op, method: "POST", path: "/", header: sfnHeader(op)})
	}
	for _, op := range []string{"PutEvents", "PutRule", "DescribeRule", "ListRules", "DeleteRule", "PutTargets",
		"ListTargetsByRule", "RemoveTargets", "TestEventPattern", "EnableRule", "DisableRule"} {
		requests = append(requests, badRequest{name: "events " + op, method: "POST", path: "/", header: eventsHeader(op)})
	}
	for _, op := range []string{"PutMetricData", "GetMetricData", "GetMetricStatistics", "ListMetrics"} {
		requests = append(requests, badRequest{name: "cloudwatch json " + op, method: "POST", path: "/", header: cwJSONHeader(op)})
		requests = append(requests, badRequest{name: "cloudwatch cbor " + op, method: "POST", path: cborPath + op, header: cborHeader})
	}
	requests = append(requests, badRequest{name: "lambda Invoke", method: "POST", path: invokePath})
	for _, r := range requests {
		for bname, body := range bodies {
			status, _, answer, err := e.send(r.method, r.path, r.header, body)
			switch {
			case err != nil:
				t.Errorf("%s with %s body: %v", r.name, bname, err)
			case status >= 500:
				t.Errorf("%s with %s body: got %d, want 4xx (%.200s)", r.name, bname, status, answer)
			}
		}
	}
	e.checkAlive(t)
}

// send makes one raw HTTP request to the stack.
func (e *env) send(method, path string, header map[string]string, body []byte) (int, http.Header, []byte, error) {
	req, err := http.NewRequest(method, e.url+path, bytes.NewReader(body))
	if err != nil {
		return 0, nil, nil, err
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := e.http.Do(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return res.StatusCode, res.Header, b, err
}

// checkAlive makes one good request to every service through the SDK.
func (e *env) checkAlive(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	if _, err := e.s3.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bucket)}); err != nil {
		t.Errorf("s3 after bad input: %v", err)
	}
	if _, err := e.sfn.ListStateMachines(ctx, &sfn.ListStateMachinesInput{}); err != nil {
		t.Errorf("step functions after bad input: %v", err)
	}
	if _, err := e.eb.ListRules(ctx, &eventbridge.ListRulesInput{}); err != nil {
		t.Errorf("eventbridge after bad input: %v", err)
	}
	if _, err := e.cw.ListMetrics(ctx, &cloudwatch.ListMetricsInput{}); err != nil {
		t.Errorf("cloudwatch after bad input: %v", err)
	}
	// An empty payload is a well-formed invocation: the function answers with a function error.
	out, err := e.lambda.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String(function), Payload: []byte("{}")})
	if err != nil || out.StatusCode != 200 {
		t.Errorf("lambda after bad input: %v (status %v)", err, out)
	}
}
