package guard_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/sluicehq/sluice/local/guard"
)

// TestMiddleware sends each request over real HTTP to a handler behind Middleware and checks what
// reaches it.
func TestMiddleware(t *testing.T) {
	g := guard.New(guard.AllowHosts("host.docker.internal", "Dev.Example"), guard.AllowOrigins("http://localhost:3000/"),
		guard.WithToken("secret"))
	srv := httptest.NewServer(g.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	})))
	defer srv.Close()
	self := strings.TrimPrefix(srv.URL, "http://")
	_, port, _ := strings.Cut(self, ":")
	tests := []struct {
		name    string
		method  string
		headers map[string]string // "Host" sets the Host
		want    error             // nil: served
	}{
		{"SDK-style GET", "GET", nil, nil},
		{"JSON POST", "POST", map[string]string{"Content-Type": "application/json"}, nil},
		{"JSON POST with charset", "POST", map[string]string{"Content-Type": "application/json; charset=utf-8"}, nil},
		{"token", "POST", map[string]string{"Content-Type": "text/plain", guard.TokenHeader: "secret"}, nil},
		{"wrong token", "POST", map[string]string{"Content-Type": "text/plain", guard.TokenHeader: "guess"}, guard.ErrContentType},
		{"text/plain POST", "POST", map[string]string{"Content-Type": "text/plain"}, guard.ErrContentType},
		{"form POST", "POST", map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, guard.ErrContentType},
		{"multipart POST", "POST", map[string]string{"Content-Type": "multipart/form-data; boundary=x"}, guard.ErrContentType},
		{"no content type DELETE", "DELETE", nil, guard.ErrContentType},
		{"localhost", "GET", map[string]string{"Host": "localhost:" + port}, nil},
		{"LOCALHOST", "GET", map[string]string{"Host": "LOCALHOST:" + port}, nil},
		{"localhost.", "GET", map[string]string{"Host": "localhost.:" + port}, nil},
		{"IPv6 loopback", "GET", map[string]string{"Host": "[::1]:" + port}, nil},
		{"another IP literal", "GET", map[string]string{"Host": "192.168.1.20:" + port}, nil},
		{"sync- prefix", "GET", map[string]string{"Host": "sync-localhost:" + port}, nil},
		{"sync- prefix on an IP", "GET", map[string]string{"Host": "sync-127.0.0.1:" + port}, nil},
		{"allowed name", "GET", map[string]string{"Host": "host.docker.internal:" + port}, nil},
		{"allowed name, other case", "GET", map[string]string{"Host": "dev.example"}, nil},
		{"allowed name with sync-", "GET", map[string]string{"Host": "sync-host.docker.internal:" + port}, nil},
		{"rebinding name", "GET", map[string]string{"Host": "attacker.example:" + port}, guard.ErrHost},
		{"rebinding name with sync-", "GET", map[string]string{"Host": "sync-attacker.example:" + port}, guard.ErrHost},
		{"sub-domain of localhost", "GET", map[string]string{"Host": "evil.localhost:" + port}, guard.ErrHost},
		{"allowed name as a suffix", "GET", map[string]string{"Host": "x.host.docker.internal"}, guard.ErrHost},
		{"same origin", "POST", map[string]string{"Origin": "http://" + self, "Content-Type": "application/json"}, nil},
		{"same origin, other case", "POST", map[string]string{"Origin": "HTTP://" + strings.ToUpper(self), "Content-Type": "application/json"}, nil},
		{"allowed origin", "POST", map[string]string{"Origin": "http://localhost:3000", "Sec-Fetch-Site": "same-site", "Content-Type": "application/json"}, nil},
		{"foreign origin GET", "GET", map[string]string{"Origin": "http://attacker.example"}, guard.ErrOrigin},
		{"foreign origin JSON POST", "POST", map[string]string{"Origin": "https://attacker.example", "Content-Type": "application/json"}, guard.ErrOrigin},
		{"same host, https", "POST", map[string]string{"Origin": "https://" + self, "Content-Type": "application/json"}, guard.ErrOrigin},
		{"other port of this machine", "POST", map[string]string{"Origin": "http://127.0.0.1:1", "Content-Type": "application/json"}, guard.ErrOrigin},
		{"null origin", "POST", map[string]string{"Origin": "null", "Content-Type": "application/json"}, guard.ErrOrigin},
		{"origin with a path", "GET", map[string]string{"Origin": "http://" + self + "/x"}, guard.ErrOrigin},
		{"preflight", "OPTIONS", map[string]string{"Origin": "http://attacker.example", "Access-Control-Request-Method": "PUT"}, guard.ErrOrigin},
		{"cross-site write without Origin", "POST", map[string]string{"Sec-Fetch-Site": "cross-site", "Content-Type": "application/json"}, guard.ErrCrossSite},
		{"same-site write without Origin", "PUT", map[string]string{"Sec-Fetch-Site": "same-site", "Content-Type": "application/json"}, guard.ErrCrossSite},
		{"cross-site navigation", "GET", map[string]string{"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "navigate"}, nil},
		{"same-origin write", "POST", map[string]string{"Sec-Fetch-Site": "same-origin", "Content-Type": "application/json"}, nil},
		{"user-initiated", "POST", map[string]string{"Sec-Fetch-Site": "none", "Content-Type": "application/json"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequestWithContext(t.Context(), tt.method, srv.URL+"/action", nil)
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range tt.headers {
				if k == "Host" {
					req.Host = v
				} else {
					req.Header.Set(k, v)
				}
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var body struct {
				Type    string `json:"__type"`
				Message string `json:"message"`
			}
			_ = json.NewDecoder(resp.Body).Decode(&body)
			switch {
			case tt.want == nil && resp.StatusCode != http.StatusNoContent:
				t.Errorf("status %d %+v, want the request served", resp.StatusCode, body)
			case tt.want != nil && (resp.StatusCode != http.StatusForbidden || body.Type != "AccessDeniedException" || body.Message != tt.want.Error()):
				t.Errorf("answer %d %+v, want 403 AccessDeniedException %q", resp.StatusCode, body, tt.want)
			}
		})
	}
}

// TestRandomToken checks that each Guard has its own unguessable token.
func TestRandomToken(t *testing.T) {
	a, b := guard.New().Token(), guard.New().Token()
	if len(a) < 32 || a == b {
		t.Errorf("tokens %q and %q: want two different tokens of 128 bits", a, b)
	}
}

// FuzzCheck checks Check against its rules on arbitrary headers: it never panics, refuses every
// foreign Origin and every Host that names something other than an IP literal, localhost or an
// allowed name.
func FuzzCheck(f *testing.F) {
	f.Add("POST", "127.0.0.1:4566", "http://127.0.0.1:4566", "same-origin")
	f.Add("POST", "attacker.example:4566", "", "")
	f.Add("GET", "[::1]:4566", "http://[::1]:4566", "")
	f.Add("PUT", "sync-localhost", "null", "cross-site")
	f.Add("OPTIONS", "localhost:80", "http://localhost", "same-site")
	f.Add("DELETE", "ok.example:1", "http://ok.example:1", "cross-site")
	f.Add("POST", "", "", "")
	f.Add("POST", "[::1", "http://[::1", "none")
	g := guard.New(guard.AllowHosts("ok.example"))
	f.Fuzz(func(t *testing.T, method, host, origin, site string) {
		req, err := http.NewRequest(http.MethodGet, "http://127.0.0.1/", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Method, req.Host = method, host
		if origin != "" {
			req.Header.Set("Origin", origin)
		}
		if site != "" {
			req.Header.Set("Sec-Fetch-Site", site)
		}
		err = g.Check(req)
		var r guard.Refusal
		if err != nil && !errors.As(err, &r) {
			t.Fatalf("Check returned %T %v, want a Refusal", err, err)
		}
		if err != nil {
			return
		}
		name := strings.ToLower(host)
		if i := strings.LastIndex(name, ":"); i >= 0 && !strings.HasSuffix(name, "]") {
			name = name[:i]
		}
		name = strings.TrimPrefix(strings.TrimSuffix(name, "."), "sync-")
		if name != "" && name != "localhost" && name != "ok.example" && !looksLikeIP(name) {
			t.Errorf("Host %q passed", host)
		}
		if origin != "" && !strings.EqualFold(origin, "http://"+host) && !strings.EqualFold(strings.TrimSuffix(origin, "/"), "http://"+host) {
			t.Errorf("Origin %q passed for Host %q", origin, host)
		}
	})
}

func looksLikeIP(s string) bool {
	s = strings.TrimSuffix(strings.TrimPrefix(s, "["), "]")
	return strings.Count(s, ".") == 3 || strings.Contains(s, ":")
}

func ExampleGuard_Middleware() {
	g := guard.New(guard.AllowHosts("host.docker.internal"))
	srv := httptest.NewServer(g.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "done")
	})))
	defer srv.Close()

	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/redrive", strings.NewReader("{}"))
	req.Header.Set("Origin", "http://attacker.example")
	resp, _ := http.DefaultClient.Do(req)
	resp.Body.Close()
	fmt.Println("from a foreign page:", resp.StatusCode)

	req, _ = http.NewRequest(http.MethodPost, srv.URL+"/redrive", strings.NewReader("{}"))
	req.Header.Set("Content-Type", "application/json")
	resp, _ = http.DefaultClient.Do(req)
	resp.Body.Close()
	fmt.Println("from a program:", resp.StatusCode)
	// Output:
	// from a foreign page: 403
	// from a program: 200
}
