package stack

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestInProcessClientAsNetHTTP holds inProcessClient to net/http's Client over the same in-process
// transport: the same answers, the same errors (a *url.Error with the same text), the request body
// closed on error, and requests for other addresses sent over the network.
func TestInProcessClientAsNetHTTP(t *testing.T) {
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "from the network") }))
	defer other.Close()
	const host = "127.0.0.1:9" // never dialled: the transport serves it
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/panic":
			panic("boom")
		case "/block":
			<-r.Context().Done()
			return
		case "/redirect":
			w.WriteHeader(http.StatusMovedPermanently) // S3's PermanentRedirect: no Location
			io.WriteString(w, "<Error><Code>PermanentRedirect</Code></Error>")
			return
		}
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("X-Got", r.Method+" "+r.URL.RequestURI()+" "+string(body))
		io.WriteString(w, "ok")
	})
	tr := &inProcessTransport{host: host, handler: h, next: http.DefaultTransport}
	clients := map[string]interface {
		Do(*http.Request) (*http.Response, error)
	}{
		"net/http":        &http.Client{Transport: tr},
		"inProcessClient": &inProcessClient{rt: tr, host: host, net: &http.Client{Transport: tr}},
	}
	type answer struct {
		Status     int
		Header     string
		Body       string
		Err        string
		URLErr     bool
		BodyClosed bool
	}
	do := func(c interface {
		Do(*http.Request) (*http.Response, error)
	}, ctx context.Context, method, u, body string) answer {
		var rb *closeTracker
		var r io.Reader
		if body != "" {
			rb = &closeTracker{Reader: strings.NewReader(body)}
			r = rb
		}
		req, err := http.NewRequestWithContext(ctx, method, u, r)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := c.Do(req)
		var a answer
		if err != nil {
			var ue *url.Error
			a.Err, a.URLErr = err.Error(), errors.As(err, &ue)
			a.BodyClosed = rb != nil && rb.closed.Load()
			return a
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		a.Status, a.Header, a.Body = resp.StatusCode, resp.Header.Get("X-Got"), string(b)
		return a
	}
	cancelled, cancel := context.WithCancel(t.Context())
	cancel()
	for _, c := range []struct {
		name        string
		ctx         context.Context
		method, url string
		body        string
	}{
		{"get", t.Context(), http.MethodGet, "http://" + host + "/a/b?x=1", ""},
		{"put", t.Context(), http.MethodPut, "http://" + host + "/a%20b/c", "data"},
		{"no Location", t.Context(), http.MethodGet, "http://" + host + "/redirect", ""},
		{"handler panics", t.Context(), http.MethodPut, "http://" + host + "/panic", "data"},
		{"cancelled", cancelled, http.MethodGet, "http://" + host + "/block", ""},
		{"other address", t.Context(), http.MethodGet, other.URL + "/x", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			want := do(clients["net/http"], c.ctx, c.method, c.url, c.body)
			got := do(clients["inProcessClient"], c.ctx, c.method, c.url, c.body)
			if diff := cmp.Diff(got, want); diff != "" {
				t.Errorf("(-got +want):\n%s", diff)
			}
			if want.Err == "" && want.Status == 0 {
				t.Errorf("no answer: %+v", want)
			}
		})
	}
}

// closeTracker is a request body that records whether it was closed.
type closeTracker struct {
	io.Reader
	closed atomic.Bool // the server's goroutine closes it too, as a server does once its handler returns
}

func (c *closeTracker) Close() error { c.closed.Store(true); return nil }
