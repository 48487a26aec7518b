package stack

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/sluicehq/sluice/local/cloudformation"
	"github.com/sluicehq/sluice/local/cloudwatch"
	"github.com/sluicehq/sluice/local/sts"
)

// isQueryProtocol is what ServeHTTP asks of a request without X-Amz-Target before S3 gets it.
func isQueryProtocol(method, rawQuery, contentType, authorization, body string) bool {
	for _, is := range []func(*http.Request) bool{sts.IsRequest, cloudformation.IsRequest, cloudwatch.IsQueryRequest} {
		r := httptest.NewRequest(method, "/", strings.NewReader(body))
		r.URL.RawQuery = rawQuery
		if contentType != "" {
			r.Header.Set("Content-Type", contentType)
		}
		if authorization != "" {
			r.Header.Set("Authorization", authorization)
		}
		if is(r) {
			return true
		}
	}
	return false
}

func gate(method, rawQuery, contentType, authorization string) bool {
	r := httptest.NewRequest(method, "/", nil)
	r.URL.RawQuery = rawQuery
	if contentType != "" {
		r.Header.Set("Content-Type", contentType)
	}
	if authorization != "" {
		r.Header.Set("Authorization", authorization)
	}
	return mayBeQueryProtocol(r)
}

// TestMayBeQueryProtocol checks the gate on requests of each query protocol (it lets them through) and on
// S3's (it stops them, which is what it is for).
func TestMayBeQueryProtocol(t *testing.T) {
	form := "application/x-www-form-urlencoded; charset=utf-8"
	for _, tc := range []struct {
		name, method, query, contentType, auth, body string
		want                                         bool
	}{
		{"sts in the query", "GET", "Action=GetCallerIdentity&Version=" + sts.Version, "", "", "", true},
		{"sts in a form", "POST", "", form, "", "Action=GetCallerIdentity&Version=" + sts.Version, true},
		{"cloudformation in the query", "GET", "Action=ListStacks&Version=" + cloudformation.APIVersion, "", "", "", true},
		{"cloudformation signed", "POST", "", "application/json", "AWS4-HMAC-SHA256 Credential=a/20260101/us-east-1/cloudformation/aws4_request", "", true},
		{"cloudwatch in a form", "POST", "", form, "", "Action=ListMetrics&Version=" + cloudwatch.QueryVersion, true},
		{"escaped version key", "GET", "Action=ListMetrics&Ver%73ion=" + cloudwatch.QueryVersion, "", "", "", true},
		{"s3 get", "GET", "x-id=GetObject", "", "AWS4-HMAC-SHA256 Credential=a/20260101/us-east-1/s3/aws4_request", "", false},
		{"s3 list", "GET", "list-type=2&prefix=a", "", "", "", false},
		{"s3 put", "PUT", "x-id=PutObject", "text/csv", "", "id\n1\n", false},
		{"s3 post form upload", "POST", "", "multipart/form-data; boundary=x", "", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := gate(tc.method, tc.query, tc.contentType, tc.auth); got != tc.want {
				t.Errorf("mayBeQueryProtocol: got %v, want %v", got, tc.want)
			}
			if got := isQueryProtocol(tc.method, tc.query, tc.contentType, tc.auth, tc.body); got != tc.want {
				t.Errorf("the services' own checks: got %v, want %v (the case is wrong)", got, tc.want)
			}
		})
	}
}

// FuzzMayBeQueryProtocol checks that the gate never stops a request one of the query protocols' own
// checks takes.
func FuzzMayBeQueryProtocol(f *testing.F) {
	f.Add("GET", "Action=GetCallerIdentity&Version="+sts.Version, "", "", "")
	f.Add("POST", "", "application/x-www-form-urlencoded", "", "Action=ListMetrics&Version="+cloudwatch.QueryVersion)
	f.Add("GET", "Ver%73ion="+cloudformation.APIVersion+"&Action=ListStacks", "", "", "")
	f.Add("GET", "x-id=GetObject", "", "AWS4-HMAC-SHA256 Credential=a/b/us-east-1/cloudformation/aws4_request", "")
	f.Add("GET", "list-type=2&prefix=Version", "", "", "")
	f.Fuzz(func(t *testing.T, method, query, contentType, auth, body string) {
		switch method {
		case "GET", "POST", "PUT", "HEAD", "DELETE":
		default:
			return
		}
		if strings.ContainsAny(contentType+auth, "\r\n\x00") {
			return
		}
		if !gate(method, query, contentType, auth) && isQueryProtocol(method, query, contentType, auth, body) {
			t.Errorf("a query protocol request (%s ?%s, Content-Type %q, Authorization %q, body %q) stopped at the gate", method, query, contentType, auth, body)
		}
	})
}
