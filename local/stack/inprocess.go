package stack

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/sluicehq/sluice/internal/kept"
)

// inProcessTransport carries the HTTP requests of the stack's own clients (the in-process functions'
// AWS SDK clients, the Distributed Map's S3 reader and writer) to the stack's handler in this process
// instead of through a socket. Everything but the socket stays: the SDK builds, signs and serialises
// each request and parses each response, and the stack's handler (its guard included) reads the request
// and writes the response as it does for a request off the wire. What goes is the loopback connection:
// writing and parsing HTTP/1.1 on both sides, the connection pool and its goroutines, and the system
// calls. A request to any other address (a proxy a test put between a function and S3) goes over the
// network through next.
//
// Clients outside the process (users, the AWS CLI, tests asserting real HTTP) are not affected: they
// reach the stack through its listener as before.
type inProcessTransport struct {
	host    string // the listener's address, host:port, as the stack's URL names it
	handler http.Handler
	next    http.RoundTripper
	bufs    sync.Pool // *bytes.Buffer: response bodies, given back when the client closes them
	// ready is closed once the stack serves: the services are open. A request made before that (a
	// function invoked by an execution the Step Functions service resumes while the stack opens) waits
	// for it, as a request over a socket waits in the listener's backlog until the server accepts it.
	// nil: the handler is ready.
	ready chan struct{}
	// servers run the requests (dispatch); nil: each request gets a goroutine of its own.
	servers *kept.Goroutines
}

// serverIdle is how long a goroutine that served an in-process request waits for another before it ends.
const serverIdle = 10 * time.Second

// dispatch runs serve on an idle server goroutine, or on a new one when none waits (internal/kept).
// Server goroutines are kept between requests, as a server keeps its connections' goroutines, so that
// the stack each grew for the handler's calls (S3's request parsing, its journal) serves the next request.
func (t *inProcessTransport) dispatch(serve func()) {
	t.servers.Go(nil, serve)
}

var _ http.RoundTripper = (*inProcessTransport)(nil)

// inProcessRemoteAddr is the client address the handler sees for an in-process request: loopback, as
// for the same client over a socket.
const inProcessRemoteAddr = "127.0.0.1:0"

// bufferedResponse is how much of a response body is kept before the response is handed to the client
// and the rest streamed through a pipe. Most answers (S3's XML, small objects, errors) fit, and need no
// pipe; a large GetObject streams, in bounded memory.
const bufferedResponse = 32 << 10

// RoundTrip serves req with the stack's handler when it is for the stack's address, and through next
// otherwise. It returns once the response's head is written (the handler returned, flushed, or wrote
// more than bufferedResponse bytes of body); the body streams from the handler as the client reads it.
func (t *inProcessTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL == nil || req.URL.Host != t.host || req.URL.Scheme != "http" {
		return t.next.RoundTrip(req)
	}
	if t.ready != nil {
		select {
		case <-t.ready:
		case <-req.Context().Done():
			return nil, req.Context().Err()
		}
	}
	sr, cancel := serverRequest(req)
	w := &inProcessWriter{req: req, head: sr.Method == http.MethodHead, header: http.Header{}, done: make(chan result, 1), bufs: &t.bufs}
	t.dispatch(func() { w.serve(t.handler, sr, cancel) })
	select {
	case r := <-w.done:
		return r.resp, r.err
	case <-req.Context().Done():
		// The handler sees its request cancelled (serverRequest), as a server sees its client hang up; a
		// response it still hands over is dropped.
		go func() {
			if r := <-w.done; r.resp != nil {
				r.resp.Body.Close()
			}
		}()
		return nil, req.Context().Err()
	}
}

// serverRequest is req as a server reads it off the wire: a path-only URL with RequestURI, Host,
// Content-Length and Transfer-Encoding in their server-side places, the client's address, and a context
// of its own that is cancelled when the client's is (as a server's request context is when its
// connection closes) or when the handler returns, but that carries none of the client's values.
func serverRequest(req *http.Request) (*http.Request, context.CancelFunc) {
	ctx, cancel := context.WithCancel(context.Background())
	stop := context.AfterFunc(req.Context(), cancel)
	u := &url.URL{Path: req.URL.Path, RawPath: req.URL.RawPath, RawQuery: req.URL.RawQuery}
	host := req.Host
	if host == "" {
		host = req.URL.Host
	}
	h := cloneHeader(req.Header, 1, "Host") // room for Content-Length
	body := req.Body
	if body == nil {
		body = http.NoBody
	}
	sr := (&http.Request{
		Method: req.Method, URL: u, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1, Header: h, Body: body,
		ContentLength: req.ContentLength, Host: host, RemoteAddr: inProcessRemoteAddr, RequestURI: u.RequestURI(),
	}).WithContext(ctx)
	switch {
	case req.ContentLength > 0 || (req.ContentLength == 0 && (req.Body != nil && req.Body != http.NoBody || methodSendsLength(req.Method))):
		// net/http's client sends Content-Length for a known length, and 0 for an empty PUT or POST.
		h.Set("Content-Length", strconv.FormatInt(req.ContentLength, 10))
		sr.ContentLength = req.ContentLength
	case req.ContentLength < 0 && body != http.NoBody:
		// An unknown length is sent chunked; the server decodes it and reports -1.
		sr.TransferEncoding = []string{"chunked"}
	default:
		sr.ContentLength = 0
	}
	return sr, func() { stop(); cancel() }
}

// cloneHeader is h.Clone() less the key skip (canonical; "" for none), never nil, and with room in
// its map for extra more keys, so that setting the keys a request or response gains on its way does
// not grow the map: a map made for exactly h's keys is rebuilt at the first key added past its size.
// As Clone, it copies every value into one slice, and keeps a key whose value is nil.
func cloneHeader(h http.Header, extra int, skip string) http.Header {
	nv := 0
	for _, vv := range h {
		nv += len(vv)
	}
	sv := make([]string, nv)
	c := make(http.Header, len(h)+extra)
	for k, vv := range h {
		if k == skip {
			continue
		}
		if vv == nil {
			c[k] = nil
			continue
		}
		n := copy(sv, vv)
		c[k] = sv[:n:n]
		sv = sv[n:]
	}
	return c
}

// methodSendsLength reports whether net/http's client sends "Content-Length: 0" for an empty body.
func methodSendsLength(method string) bool {
	return method == http.MethodPost || method == http.MethodPut || method == http.MethodPatch
}

type result struct {
	resp *http.Response
	err  error
}

// inProcessWriter is the http.ResponseWriter of one in-process request. The body is buffered until the
// handler returns, flushes or writes more than bufferedResponse bytes; the response is then handed to
// the client (done), and any later body goes through a pipe the client reads.
type inProcessWriter struct {
	req    *http.Request // the client's request, for Response.Request
	head   bool          // a HEAD request: the body is not sent
	header http.Header   // the handler's

	mu     sync.Mutex
	status int           // written head's status, 0 until WriteHeader
	sent   http.Header   // the header as it was at WriteHeader
	buf    *bytes.Buffer // the body written so far, from bufs; nil until the first byte
	bufs   *sync.Pool
	pw     *io.PipeWriter // once the response is handed over with a body still to come
	handed bool
	done   chan result
}

var (
	_ http.ResponseWriter = (*inProcessWriter)(nil)
	_ http.Flusher        = (*inProcessWriter)(nil)
)

func (w *inProcessWriter) Header() http.Header { return w.header }

func (w *inProcessWriter) WriteHeader(code int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.writeHeaderLocked(code)
}

func (w *inProcessWriter) writeHeaderLocked(code int) {
	if w.status != 0 || code < 200 { // informational heads (100 Continue) are not forwarded
		return
	}
	w.status = code
	// As a server does, the head is what the header held at WriteHeader; with room for the Date and
	// Content-Length sendLocked may add.
	w.sent = cloneHeader(w.header, 2, "")
}

func (w *inProcessWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	w.writeHeaderLocked(http.StatusOK)
	if w.head || !bodyAllowed(w.status) {
		w.mu.Unlock()
		if !bodyAllowed(w.status) {
			return 0, http.ErrBodyNotAllowed
		}
		return len(p), nil
	}
	if w.pw == nil {
		if w.buf == nil {
			w.buf, _ = w.bufs.Get().(*bytes.Buffer)
			if w.buf == nil {
				w.buf = new(bytes.Buffer)
			}
		}
		if w.buf.Len()+len(p) <= bufferedResponse {
			w.buf.Write(p)
			w.mu.Unlock()
			return len(p), nil
		}
		w.streamLocked()
	}
	pw := w.pw
	w.mu.Unlock()
	return pw.Write(p)
}

// Flush hands the response to the client now, its body streaming from here on.
func (w *inProcessWriter) Flush() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.writeHeaderLocked(http.StatusOK)
	if w.pw == nil && !w.handed && !w.head && bodyAllowed(w.status) {
		w.streamLocked()
	}
}

// streamLocked hands the response over with a pipe for its body, the bytes buffered so far first.
func (w *inProcessWriter) streamLocked() {
	pr, pw := io.Pipe()
	w.pw = pw
	var buffered []byte
	if w.buf != nil {
		buffered = bytes.Clone(w.buf.Bytes())
		w.buf.Reset()
		w.bufs.Put(w.buf)
		w.buf = nil
	}
	w.sendLocked(io.MultiReader(bytes.NewReader(buffered), pr), -1, pr)
}

// sendLocked hands the client its response, once.
func (w *inProcessWriter) sendLocked(body io.Reader, length int64, closer io.Closer) {
	if w.handed {
		return
	}
	w.handed = true
	h := w.sent
	if _, ok := h["Date"]; !ok {
		h.Set("Date", time.Now().UTC().Format(http.TimeFormat))
	}
	if cl := h.Get("Content-Length"); cl != "" {
		if n, err := strconv.ParseInt(cl, 10, 64); err == nil {
			length = n
		}
	} else if length >= 0 && !w.head && bodyAllowed(w.status) {
		h.Set("Content-Length", strconv.FormatInt(length, 10))
	}
	if w.head || !bodyAllowed(w.status) {
		body, closer = nil, nil
		if !w.head {
			length = 0
		}
	}
	resp := &http.Response{
		Status: strconv.Itoa(w.status) + " " + http.StatusText(w.status), StatusCode: w.status,
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1, Header: h, ContentLength: length, Request: w.req,
		Body: http.NoBody,
	}
	if length < 0 {
		resp.TransferEncoding = []string{"chunked"}
	}
	if body != nil {
		resp.Body = readCloser{body, closer}
	}
	w.done <- result{resp: resp}
}

// bodyAllowed reports whether a response with status may have a body (RFC 9110: not 1xx, 204, 304).
func bodyAllowed(status int) bool {
	return status >= 200 && status != http.StatusNoContent && status != http.StatusNotModified
}

// serve runs the handler and finishes the response: hands it over if the handler never did, ends a
// streamed body, and closes the request body, as a server does once its handler returns. A handler that
// panics fails the request as a dropped connection would.
func (w *inProcessWriter) serve(h http.Handler, sr *http.Request, cancel context.CancelFunc) {
	defer cancel()
	defer sr.Body.Close()
	defer func() {
		p := recover()
		w.mu.Lock()
		defer w.mu.Unlock()
		var err error
		if p != nil {
			err = fmt.Errorf("in-process request %s %s: handler panicked: %v", sr.Method, sr.URL.Path, p)
		}
		switch {
		case w.pw != nil:
			w.pw.CloseWithError(err) // nil: the body ends
		case err != nil:
			w.handed = true
			w.done <- result{err: err}
		default:
			w.writeHeaderLocked(http.StatusOK)
			if w.buf == nil {
				w.sendLocked(nil, 0, nil)
				return
			}
			body := &pooledBody{buf: w.buf, pool: w.bufs}
			w.buf = nil
			w.sendLocked(body, int64(body.buf.Len()), body)
		}
	}()
	h.ServeHTTP(w, sr)
}

// readCloser is a response body: its reader, and the pipe to close when the client closes it early.
type readCloser struct {
	io.Reader
	c io.Closer
}

func (r readCloser) Close() error {
	if r.c != nil {
		return r.c.Close()
	}
	return nil
}

// pooledBody is a buffered response body; Close gives its buffer back for another response.
type pooledBody struct {
	mu   sync.Mutex
	buf  *bytes.Buffer
	pool *sync.Pool
}

func (b *pooledBody) Read(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.buf == nil {
		return 0, errors.New("read on a closed response body")
	}
	return b.buf.Read(p)
}

func (b *pooledBody) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.buf != nil && b.buf.Cap() <= 2*bufferedResponse {
		b.buf.Reset()
		b.pool.Put(b.buf)
	}
	b.buf = nil
	return nil
}
