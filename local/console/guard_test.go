package console

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/sluicehq/sluice/local/guard"
)

func TestCheckAction(t *testing.T) {
	g := guard.New(guard.WithToken("secret"))
	c := New(WithGuard(g))
	form := func(token string) string {
		v := url.Values{"executionArn": {"arn:x"}}
		if token != "" {
			v.Set("token", token)
		}
		return v.Encode()
	}
	tests := []struct {
		name    string
		method  string
		host    string
		headers map[string]string
		body    string
		ok      bool
	}{
		{"the console's own form", "POST", "127.0.0.1:4566", map[string]string{"Origin": "http://127.0.0.1:4566"}, form("secret"), true},
		{"token in the header", "POST", "localhost:4566", map[string]string{"Origin": "http://localhost:4566", guard.TokenHeader: "secret"}, form(""), true},
		{"a program without Origin, with the token", "POST", "127.0.0.1:4566", nil, form("secret"), true},
		{"another site's form, with the token", "POST", "127.0.0.1:4566", map[string]string{"Origin": "http://evil.example"}, form("secret"), false},
		{"another port's page", "POST", "127.0.0.1:4566", map[string]string{"Origin": "http://127.0.0.1:8000"}, form("secret"), false},
		{"a cross-site write without Origin", "POST", "127.0.0.1:4566", map[string]string{"Sec-Fetch-Site": "cross-site"}, form("secret"), false},
		{"DNS rebinding", "POST", "evil.example:4566", map[string]string{"Origin": "http://evil.example:4566"}, form("secret"), false},
		{"no token", "POST", "127.0.0.1:4566", map[string]string{"Origin": "http://127.0.0.1:4566"}, form(""), false},
		{"a wrong token", "POST", "127.0.0.1:4566", map[string]string{"Origin": "http://127.0.0.1:4566"}, form("secreT"), false},
		{"JSON without the token", "POST", "127.0.0.1:4566", map[string]string{"Origin": "http://127.0.0.1:4566", "Content-Type": "application/json"}, `{}`, false},
		{"GET", "GET", "127.0.0.1:4566", nil, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(tt.method, "http://"+tt.host+"/_console/actions/stop", strings.NewReader(tt.body))
			r.Host = tt.host
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			for k, v := range tt.headers {
				r.Header.Set(k, v)
			}
			err := c.checkAction(r)
			if (err == nil) != tt.ok {
				t.Errorf("checkAction = %v, want allowed %v", err, tt.ok)
			}
		})
	}
}

// TestActionsRefused: a refused action reaches no service (the console has none here, so an action
// that got through would fail differently) and answers 403.
func TestActionsRefused(t *testing.T) {
	c := New(WithGuard(guard.New(guard.WithToken("secret"))))
	for _, path := range []string{"actions/start", "actions/stop", "actions/rerun", "actions/redrive"} {
		r := httptest.NewRequest("POST", "http://127.0.0.1:4566/_console/"+path, strings.NewReader("token=nope"))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.Header.Set("Origin", "http://127.0.0.1:4566")
		w := httptest.NewRecorder()
		c.ServeHTTP(w, r)
		if w.Code != http.StatusForbidden {
			t.Errorf("%s: %d, want 403", path, w.Code)
		}
	}
}
