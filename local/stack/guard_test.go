package stack

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	awslambda "github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/sluicehq/sluice/local/guard"
	"github.com/sluicehq/sluice/local/lambda"
)

// startEmptyStack starts a stack with no template (Config.Empty) on a loopback port, closed when the test
// ends.
func startEmptyStack(tb testing.TB) *Stack {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	st, err := Start(l, Config{Empty: true, DataDir: tb.TempDir()})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	return st
}

// startTestStack starts the stack of the generated template with handlers that do nothing, on a
// loopback port; edit adjusts its configuration.
func startTestStack(t testing.TB, edit func(*Config)) *Stack {
	t.Helper()
	tpl, err := os.ReadFile(filepath.Join("..", "..", "deploy", "template.json"))
	if err != nil {
		t.Skip("no generated template")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	noop := func(rt lambda.Runtime, endpoint string) awslambda.Handler {
		return awslambda.NewHandler(func(context.Context, json.RawMessage) (string, error) { return "", errors.New("unused") })
	}
	cfg := Config{Template: tpl, DataDir: t.TempDir(), Functions: map[string]HandlerFactory{
		"ValidateFunction": noop, "ProcessFunction": noop, "StoreFunction": noop,
	}}
	if edit != nil {
		edit(&cfg)
	}
	st, err := Start(l, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func (st *Stack) testS3(t testing.TB) *s3.Client {
	t.Helper()
	return s3.New(s3.Options{Region: "us-east-1", BaseEndpoint: aws.String(st.URL()), UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")})
}

// formPost builds the request an HTML form on a web page sends to upload a file through S3's POST
// Object: multipart/form-data with the key and the file.
func formPost(t *testing.T, url, key string) *http.Request {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	if err := mw.WriteField("key", key); err != nil {
		t.Fatal(err)
	}
	fw, err := mw.CreateFormFile("file", "evil.csv")
	if err != nil {
		t.Fatal(err)
	}
	_, _ = fw.Write([]byte("id\n1\n"))
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, url, &body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return req
}

func newRequest(t *testing.T, method, url, contentType, body string) *http.Request {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	return req
}

// with sets headers on a request (and Host, which Go keeps apart from the headers).
func with(req *http.Request, kv ...string) *http.Request {
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i] == "Host" {
			req.Host = kv[i+1]
			continue
		}
		req.Header.Set(kv[i], kv[i+1])
	}
	return req
}

// refusal is what a refused request answered: the status and the AWS error code of its body, S3's
// XML or the JSON protocols'.
type refusal struct {
	status int
	code   string
}

func send(t *testing.T, req *http.Request) (refusal, http.Header, []byte) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	got := refusal{status: resp.StatusCode}
	var x struct{ Code, RequestId, Resource string }
	var j struct {
		Type string `json:"__type"`
	}
	switch {
	case xml.Unmarshal(body, &x) == nil && x.Code != "":
		got.code = x.Code
	case json.Unmarshal(body, &j) == nil:
		got.code = j.Type
	}
	return got, resp.Header, body
}

// TestGuardRefusesBrowserAttacks tries, over real HTTP, what a web page in a browser on the same
// machine can make the browser send to the endpoint, and checks each is refused in its protocol's
// shape and leaves nothing behind.
func TestGuardRefusesBrowserAttacks(t *testing.T) {
	st := startTestStack(t, nil)
	bucket := st.Resources().Bucket
	host := strings.TrimPrefix(st.URL(), "http://")
	_, port, _ := net.SplitHostPort(host)
	objectURL := st.URL() + "/" + bucket
	denied := refusal{http.StatusForbidden, "AccessDenied"}
	deniedJSON := refusal{http.StatusForbidden, "AccessDeniedException"}
	tests := []struct {
		name string
		req  *http.Request
		want refusal
		key  string // an object the request must not have stored
	}{
		{
			name: "form POST from another origin",
			req:  with(formPost(t, objectURL, "incoming/orders/a.csv"), "Origin", "http://attacker.example"),
			want: denied, key: "incoming/orders/a.csv",
		},
		{
			name: "form POST from a sandboxed frame (Origin null)",
			req:  with(formPost(t, objectURL, "incoming/orders/b.csv"), "Origin", "null"),
			want: denied, key: "incoming/orders/b.csv",
		},
		{
			name: "form POST labelled cross-site, no Origin",
			req:  with(formPost(t, objectURL, "incoming/orders/c.csv"), "Sec-Fetch-Site", "cross-site"),
			want: denied, key: "incoming/orders/c.csv",
		},
		{
			name: "form POST from another port of this machine",
			req: with(formPost(t, objectURL, "incoming/orders/d.csv"),
				"Origin", "http://localhost:3000", "Sec-Fetch-Site", "same-site"),
			want: denied, key: "incoming/orders/d.csv",
		},
		{
			name: "DNS rebinding: PUT under the attacker's name",
			req:  with(newRequest(t, http.MethodPut, objectURL+"/incoming/orders/e.csv", "", "id\n1\n"), "Host", "attacker.example:"+port),
			want: denied, key: "incoming/orders/e.csv",
		},
		{
			name: "DNS rebinding: listing the bucket",
			req:  with(newRequest(t, http.MethodGet, objectURL, "", ""), "Host", "attacker.example:"+port),
			want: denied,
		},
		{
			name: "CORS preflight for a cross-origin PUT",
			req: with(newRequest(t, http.MethodOptions, objectURL+"/incoming/orders/f.csv", "", ""),
				"Origin", "http://attacker.example", "Access-Control-Request-Method", "PUT"),
			want: denied,
		},
		{
			name: "cross-origin read of the bucket",
			req:  with(newRequest(t, http.MethodGet, objectURL, "", ""), "Origin", "http://attacker.example"),
			want: denied,
		},
		{
			name: "text/plain POST to the local API",
			req:  newRequest(t, http.MethodPost, st.URL()+"/_sluice/dead-letters/redrive", "text/plain", `{}`),
			want: deniedJSON,
		},
		{
			name: "form POST to the local API",
			req:  newRequest(t, http.MethodPost, st.URL()+"/_sluice/dead-letters/redrive", "application/x-www-form-urlencoded", `ids=x`),
			want: deniedJSON,
		},
		{
			name: "Step Functions call from another origin",
			req: with(newRequest(t, http.MethodPost, st.URL(), "application/x-amz-json-1.0", `{}`),
				"X-Amz-Target", "AWSStepFunctions.ListStateMachines", "Origin", "http://attacker.example"),
			want: deniedJSON,
		},
		{
			name: "Lambda invoke from another origin, text/plain",
			req: with(newRequest(t, http.MethodPost, st.URL()+"/2015-03-31/functions/sluice-ValidateFunction/invocations", "text/plain", `{}`),
				"Origin", "http://attacker.example"),
			want: deniedJSON,
		},
		{
			name: "Step Functions call under the attacker's name",
			req: with(newRequest(t, http.MethodPost, st.URL(), "application/x-amz-json-1.0", `{}`),
				"X-Amz-Target", "AWSStepFunctions.ListStateMachines", "Host", "sync-attacker.example:"+port),
			want: deniedJSON,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, h, body := send(t, tt.req)
			if got != tt.want {
				t.Errorf("answer %+v, want %+v (body %s)", got, tt.want, body)
			}
			if h.Get("Access-Control-Allow-Origin") != "" {
				t.Errorf("refusal carries Access-Control-Allow-Origin %q", h.Get("Access-Control-Allow-Origin"))
			}
			if tt.want == denied && h.Get("x-amz-request-id") == "" {
				t.Errorf("S3 refusal without x-amz-request-id")
			}
			if tt.want == deniedJSON && h.Get("X-Amzn-RequestId") == "" {
				t.Errorf("JSON refusal without X-Amzn-RequestId")
			}
			if tt.key == "" {
				return
			}
			_, err := st.testS3(t).HeadObject(t.Context(), &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(tt.key)})
			if err == nil {
				t.Errorf("object %s was stored", tt.key)
			}
		})
	}
}

// TestGuardLetsClientsThrough checks that what SDKs, the CLI, programs and the endpoint's own pages
// send is served: no Origin, loopback names and the SDKs' sync- prefix, same-origin pages, S3 POST
// Object from a program, and the local API with JSON or the token.
func TestGuardLetsClientsThrough(t *testing.T) {
	st := startTestStack(t, func(c *Config) {
		c.AllowHosts = []string{"host.docker.internal"}
		c.AllowOrigins = []string{"http://localhost:3000"}
	})
	bucket := st.Resources().Bucket
	host := strings.TrimPrefix(st.URL(), "http://")
	_, port, _ := net.SplitHostPort(host)
	objectURL := st.URL() + "/" + bucket
	tests := []struct {
		name   string
		req    *http.Request
		status int
	}{
		{"POST Object from a program", formPost(t, objectURL, "probe/post.csv"), http.StatusNoContent},
		{"POST Object from the endpoint's own page",
			with(formPost(t, objectURL, "probe/same.csv"), "Origin", "http://"+host, "Sec-Fetch-Site", "same-origin"), http.StatusNoContent},
		{"POST Object from an allowed origin",
			with(formPost(t, objectURL, "probe/allowed.csv"), "Origin", "http://localhost:3000", "Sec-Fetch-Site", "same-site"), http.StatusNoContent},
		{"PUT as localhost", with(newRequest(t, http.MethodPut, objectURL+"/probe/localhost", "", "x"), "Host", "localhost:"+port), http.StatusOK},
		{"PUT as [::1]", with(newRequest(t, http.MethodPut, objectURL+"/probe/v6", "", "x"), "Host", "[::1]:"+port), http.StatusOK},
		{"PUT as an allowed name", with(newRequest(t, http.MethodPut, objectURL+"/probe/docker", "", "x"), "Host", "host.docker.internal:"+port), http.StatusOK},
		{"navigation to an object from another site", with(newRequest(t, http.MethodGet, objectURL+"/probe/localhost", "", ""),
			"Sec-Fetch-Site", "cross-site", "Sec-Fetch-Mode", "navigate"), http.StatusOK},
		{"Step Functions as sync-localhost",
			with(newRequest(t, http.MethodPost, st.URL(), "application/x-amz-json-1.0", `{}`),
				"X-Amz-Target", "AWSStepFunctions.ListStateMachines", "Host", "sync-localhost:"+port), http.StatusOK},
		{"local API with JSON", newRequest(t, http.MethodPost, st.URL()+"/_sluice/dead-letters/redrive", "application/json; charset=utf-8", `{}`), http.StatusOK},
		{"local API with the token", with(newRequest(t, http.MethodPost, st.URL()+"/_sluice/dead-letters/redrive", "text/plain", `{}`),
			guard.TokenHeader, st.Guard().Token()), http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _, body := send(t, tt.req)
			if got.status != tt.status {
				t.Errorf("status %d, want %d (body %s)", got.status, tt.status, body)
			}
		})
	}

	// The SDKs, presigned URLs and the sync- host prefix, as a program uses them.
	ctx := t.Context()
	cl := st.testS3(t)
	if _, err := cl.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("probe/sdk"), Body: strings.NewReader("x")}); err != nil {
		t.Errorf("SDK PutObject: %v", err)
	}
	pre, err := s3.NewPresignClient(cl).PresignPutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("probe/presigned")})
	if err != nil {
		t.Fatal(err)
	}
	if got, _, body := send(t, newRequest(t, http.MethodPut, pre.URL, "", "x")); got.status != http.StatusOK {
		t.Errorf("presigned PUT: %d %s", got.status, body)
	}
	sf := sfn.New(sfn.Options{Region: "us-east-1", BaseEndpoint: aws.String("http://localhost:" + port),
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""),
		HTTPClient: &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, network, host) // sync-localhost resolves here as /etc/hosts would
		}}}})
	if _, err := sf.StartSyncExecution(ctx, &sfn.StartSyncExecutionInput{StateMachineArn: aws.String("arn:aws:states:us-east-1:000000000000:stateMachine:none")}); err == nil || !strings.Contains(err.Error(), "StateMachineDoesNotExist") {
		t.Errorf("StartSyncExecution through sync-localhost: %v, want StateMachineDoesNotExist from the service", err)
	}
}
