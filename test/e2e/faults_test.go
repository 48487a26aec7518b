package e2e

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// faultProxy stands between one function and the stack's S3 and misbehaves as S3 can: it answers an
// error for a key, cuts a response body short, or holds a request until the test lets it go. Every other
// request passes through untouched.
type faultProxy struct {
	srv    *httptest.Server
	target atomic.Pointer[url.URL]
	pass   *httputil.ReverseProxy

	mu     sync.Mutex
	faults []*fault
}

// fault is one misbehaviour for the requests of one method on one key.
type fault struct {
	method, key string
	prefix      bool // key is a prefix
	times       int  // how many matching requests it affects (all when <= 0); the following ones pass through

	status int    // answer this status with an S3 error document ...
	code   string // ... with this code
	cut    bool   // or pass the request through and cut the response body in half
	lost   bool   // or pass the request through, then answer status and code as if it had failed
	hold   bool   // or hold the request until release is closed, then pass it through

	held    chan struct{} // closed when the first request is held
	release chan struct{}

	hits atomic.Int32
}

func newFaultProxy(tb testing.TB) *faultProxy {
	p := &faultProxy{}
	p.pass = &httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) {
		r.SetURL(p.target.Load())
		r.Out.Host = r.In.Host
	}}
	p.srv = httptest.NewServer(http.HandlerFunc(p.serve))
	tb.Cleanup(p.srv.Close)
	return p
}

// URL is the proxy's endpoint.
func (p *faultProxy) URL() string { return p.srv.URL }

func (p *faultProxy) setTarget(endpoint string) {
	if p.target.Load() != nil {
		return
	}
	u, err := url.Parse(endpoint)
	if err != nil {
		panic(fmt.Sprintf("fault proxy target %q: %v", endpoint, err))
	}
	p.target.CompareAndSwap(nil, u)
}

func (p *faultProxy) add(f *fault) *fault {
	f.held, f.release = make(chan struct{}), make(chan struct{})
	p.mu.Lock()
	p.faults = append(p.faults, f)
	p.mu.Unlock()
	return f
}

// failWith makes the next n requests (all when n <= 0) of method on key answer status with the S3 error
// code.
func (p *faultProxy) failWith(method, key string, n, status int, code string) *fault {
	return p.add(&fault{method: method, key: key, times: n, status: status, code: code})
}

// failWithPrefix makes every request of method on a key under prefix answer status with the S3 error
// code.
func (p *faultProxy) failWithPrefix(method, prefix string, status int, code string) *fault {
	return p.add(&fault{method: method, key: prefix, prefix: true, status: status, code: code})
}

// loseResponses passes every request of method on a key under prefix through to S3, then throws S3's
// answer away and answers 500 InternalError: the request took effect, but the client believes it
// failed (S3 documents that a request answered with a 500 may or may not have succeeded).
func (p *faultProxy) loseResponses(method, prefix string) *fault {
	return p.add(&fault{method: method, key: prefix, prefix: true, lost: true, status: http.StatusInternalServerError, code: "InternalError"})
}

// hitCount is how many requests met a fault.
func (p *faultProxy) hitCount() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for _, f := range p.faults {
		n += int(f.hits.Load())
	}
	return n
}

// cutBody makes the next n GETs (all when n <= 0) of key end halfway through the body, as a dropped
// connection does.
func (p *faultProxy) cutBody(key string, n int) *fault {
	return p.add(&fault{method: http.MethodGet, key: key, times: n, cut: true})
}

// holdNext holds the next request of method on key until release is called.
func (p *faultProxy) holdNext(method, key string) *fault {
	return p.add(&fault{method: method, key: key, times: 1, hold: true})
}

func (f *fault) releaseHeld() { close(f.release) }

// match returns the fault that applies to r, counting the hit, or nil.
func (p *faultProxy) match(r *http.Request) *fault {
	// Path-style addressing: /<bucket>/<key>.
	_, key, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, f := range p.faults {
		keyMatch := f.key == key || f.prefix && strings.HasPrefix(key, f.key)
		if f.method == r.Method && keyMatch && (f.times <= 0 || int(f.hits.Load()) < f.times) {
			f.hits.Add(1)
			return f
		}
	}
	return nil
}

func (p *faultProxy) serve(w http.ResponseWriter, r *http.Request) {
	f := p.match(r)
	switch {
	case f == nil:
		p.pass.ServeHTTP(w, r)
	case f.hold:
		close(f.held)
		<-f.release
		p.pass.ServeHTTP(w, r)
	case f.cut:
		p.pass.ServeHTTP(&cutWriter{ResponseWriter: w}, r)
	case f.lost:
		p.pass.ServeHTTP(httptest.NewRecorder(), r)
		writeS3Error(w, f.status, f.code)
	default:
		writeS3Error(w, f.status, f.code)
	}
}

func writeS3Error(w http.ResponseWriter, status int, code string) {
	{
		// The error document S3 sends: https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(status)
		fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?>`+"\n"+
			`<Error><Code>%s</Code><Message>injected by the test</Message><RequestId>fault</RequestId><HostId>fault</HostId></Error>`, code)
	}
}

// cutWriter passes the status and headers (Content-Length included) through, writes half the body the
// header announces, then aborts the connection: the client sees the body end early.
type cutWriter struct {
	http.ResponseWriter
	limit, written int64
	started        bool
}

func (c *cutWriter) WriteHeader(status int) {
	var n int64
	fmt.Sscan(c.Header().Get("Content-Length"), &n)
	c.limit, c.started = n/2, true
	c.ResponseWriter.WriteHeader(status)
}

func (c *cutWriter) Write(b []byte) (int, error) {
	if !c.started {
		c.WriteHeader(http.StatusOK)
	}
	if room := c.limit - c.written; int64(len(b)) > room {
		n, _ := c.ResponseWriter.Write(b[:room])
		c.written += int64(n)
		if f, ok := c.ResponseWriter.(http.Flusher); ok {
			f.Flush()
		}
		panic(http.ErrAbortHandler)
	}
	n, err := c.ResponseWriter.Write(b)
	c.written += int64(n)
	return n, err
}

var _ io.Writer = (*cutWriter)(nil)
