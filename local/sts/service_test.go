package sts_test

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awssts "github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"

	"github.com/sluicehq/sluice/local/sts"
)

func start(t *testing.T, opts ...sts.Option) (*httptest.Server, *awssts.Client) {
	t.Helper()
	svc, err := sts.New(opts...)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(svc)
	t.Cleanup(srv.Close)
	return srv, awssts.New(awssts.Options{Region: "eu-west-1", BaseEndpoint: aws.String(srv.URL),
		Credentials: credentials.NewStaticCredentialsProvider("local", "local", "")})
}

// TestGetCallerIdentity checks the answer through the SDK: the account's root
// (https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html).
func TestGetCallerIdentity(t *testing.T) {
	tests := []struct {
		region, account, wantArn string
	}{
		{"", "", "arn:aws:iam::000000000000:root"},
		{"eu-west-1", "123456789012", "arn:aws:iam::123456789012:root"},
		{"cn-north-1", "123456789012", "arn:aws-cn:iam::123456789012:root"},
	}
	for _, tt := range tests {
		var opts []sts.Option
		if tt.region != "" {
			opts = append(opts, sts.WithRegion(tt.region), sts.WithAccount(tt.account))
		}
		_, client := start(t, opts...)
		out, err := client.GetCallerIdentity(t.Context(), &awssts.GetCallerIdentityInput{})
		if err != nil {
			t.Fatalf("GetCallerIdentity: %v", err)
		}
		account := tt.account
		if account == "" {
			account = "000000000000"
		}
		got := []string{aws.ToString(out.Account), aws.ToString(out.Arn), aws.ToString(out.UserId)}
		if diff := cmp.Diff(got, []string{account, tt.wantArn, account}); diff != "" {
			t.Errorf("identity (-got +want):\n%s", diff)
		}
	}
}

// TestOtherActions checks that an action this service does not serve gets STS's InvalidAction, and a
// request without one MissingAction (https://docs.aws.amazon.com/STS/latest/APIReference/CommonErrors.html).
func TestOtherActions(t *testing.T) {
	srv, client := start(t)
	_, err := client.GetSessionToken(t.Context(), &awssts.GetSessionTokenInput{})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "InvalidAction" {
		t.Errorf("GetSessionToken: %v, want InvalidAction", err)
	}
	resp, err := http.Post(srv.URL, "application/x-www-form-urlencoded", strings.NewReader("Version=2011-06-15"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("no Action: status %d, want 400", resp.StatusCode)
	}
}

// TestAWSCLI runs `aws sts get-caller-identity` against the service, as a user would; skipped without
// the AWS CLI.
func TestAWSCLI(t *testing.T) {
	if _, err := exec.LookPath("aws"); err != nil {
		t.Skip("no aws CLI on PATH")
	}
	srv, _ := start(t, sts.WithAccount("123456789012"))
	cmd := exec.CommandContext(t.Context(), "aws", "sts", "get-caller-identity", "--endpoint-url", srv.URL,
		"--query", "Account", "--output", "text")
	cmd.Env = append(cmd.Environ(), "AWS_ACCESS_KEY_ID=local", "AWS_SECRET_ACCESS_KEY=local", "AWS_DEFAULT_REGION=us-east-1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("aws sts get-caller-identity: %v\n%s", err, out)
	}
	if got := strings.TrimSpace(string(out)); got != "123456789012" {
		t.Errorf("account %q, want 123456789012", got)
	}
}

func TestIsRequest(t *testing.T) {
	tests := []struct {
		name, method, target, contentType, body string
		want                                    bool
	}{
		{"form", "POST", "/", "application/x-www-form-urlencoded", "Action=GetCallerIdentity&Version=2011-06-15", true},
		{"form with charset", "POST", "/", "application/x-www-form-urlencoded; charset=utf-8", "Version=2011-06-15&Action=X", true},
		{"query string", "GET", "/?Action=GetCallerIdentity&Version=2011-06-15", "", "", true},
		{"CloudWatch's version", "POST", "/", "application/x-www-form-urlencoded", "Action=ListMetrics&Version=2010-08-01", false},
		{"not a form", "POST", "/", "application/json", "Version=2011-06-15", false},
		{"S3 object", "PUT", "/bucket/key", "application/x-www-form-urlencoded", "Version=2011-06-15", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(tt.method, tt.target, strings.NewReader(tt.body))
			if tt.contentType != "" {
				r.Header.Set("Content-Type", tt.contentType)
			}
			if got := sts.IsRequest(r); got != tt.want {
				t.Errorf("IsRequest = %v, want %v", got, tt.want)
			}
			rest, err := io.ReadAll(r.Body)
			if err != nil {
				t.Fatal(err)
			}
			if string(rest) != tt.body {
				t.Errorf("body left %q, want %q", rest, tt.body)
			}
		})
	}
}

// FuzzServe checks that no request body makes the service panic or answer outside its error table.
func FuzzServe(f *testing.F) {
	for _, s := range []string{"Action=GetCallerIdentity&Version=2011-06-15", "Version=2011-06-15", "Action=%zz", "", "Action=AssumeRole&RoleArn=x"} {
		f.Add(s)
	}
	svc, err := sts.New()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body string) {
		r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		sts.IsRequest(r)
		w := httptest.NewRecorder()
		svc.ServeHTTP(w, r)
		if w.Code != http.StatusOK && w.Code != http.StatusBadRequest {
			t.Errorf("status %d for %q", w.Code, body)
		}
	})
}
