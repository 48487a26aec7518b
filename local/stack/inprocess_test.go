package stack

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/google/go-cmp/cmp"
	"github.com/sluicehq/sluice/internal/goid"
	"github.com/sluicehq/sluice/internal/kept"
)

// TestInProcessTransportAnswersAsTheNetwork sends the same requests to the stack over a socket and
// through inProcessTransport, and compares the answers: status, headers (less those that name the
// request or the moment, and how the length is framed) and body.
func TestInProcessTransportAnswersAsTheNetwork(t *testing.T) {
	st := startEmptyStack(t)
	ctx := t.Context()
	network := &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
	inProcess := &http.Client{Transport: st.inProcess}
	client := s3.New(s3.Options{Region: "us-east-1", BaseEndpoint: aws.String(st.URL()), UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""), HTTPClient: inProcess})
	if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("bkt")}); err != nil {
		t.Fatal(err)
	}
	big := bytes.Repeat([]byte("0123456789abcdef"), 10<<10) // 160 KiB: streamed past bufferedResponse
	put, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bkt"), Key: aws.String("big"), Body: bytes.NewReader(big)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bkt"), Key: aws.String("small"), Body: strings.NewReader("hello")}); err != nil {
		t.Fatal(err)
	}
	etag := aws.ToString(put.ETag)

	for _, tc := range []struct {
		name, method, path string
		header             map[string]string
		body               string
	}{
		{name: "get streamed", method: "GET", path: "/bkt/big"},
		{name: "get small", method: "GET", path: "/bkt/small"},
		{name: "get range", method: "GET", path: "/bkt/big", header: map[string]string{"Range": "bytes=10-19"}},
		{name: "head", method: "HEAD", path: "/bkt/big"},
		{name: "not modified", method: "GET", path: "/bkt/big", header: map[string]string{"If-None-Match": etag}},
		{name: "no such key", method: "GET", path: "/bkt/missing"},
		{name: "head no such key", method: "HEAD", path: "/bkt/missing"},
		{name: "list", method: "GET", path: "/bkt?list-type=2"},
		{name: "put", method: "PUT", path: "/bkt/put", body: "some bytes"},
		{name: "put empty", method: "PUT", path: "/bkt/empty"},
		{name: "refused host", method: "GET", path: "/bkt/small", header: map[string]string{"Host": "attacker.example"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			do := func(c *http.Client) (int, http.Header, []byte) {
				var body io.Reader
				if tc.body != "" {
					body = strings.NewReader(tc.body)
				}
				req, err := http.NewRequestWithContext(ctx, tc.method, st.URL()+tc.path, body)
				if err != nil {
					t.Fatal(err)
				}
				for k, v := range tc.header {
					if k == "Host" {
						req.Host = v
						continue
					}
					req.Header.Set(k, v)
				}
				resp, err := c.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				b, err := io.ReadAll(resp.Body)
				if err != nil {
					t.Fatal(err)
				}
				h := resp.Header.Clone()
				for _, k := range []string{"Date", "X-Amz-Request-Id", "X-Amz-Id-2", "X-Amzn-Requestid", "Transfer-Encoding"} {
					h.Del(k)
				}
				if resp.StatusCode/100 == 2 && tc.method == "GET" && int64(len(b)) != resp.ContentLength && resp.ContentLength >= 0 {
					t.Errorf("%d bytes of body, Content-Length %d", len(b), resp.ContentLength)
				}
				if h.Get("Content-Length") == "" || tc.method != "HEAD" && resp.StatusCode/100 != 2 {
					h.Del("Content-Length") // a server may send a small error or a list chunked
				}
				return resp.StatusCode, h, b
			}
			gotStatus, gotHeader, gotBody := do(inProcess)
			wantStatus, wantHeader, wantBody := do(network)
			if gotStatus != wantStatus {
				t.Errorf("status: got %d, want %d", gotStatus, wantStatus)
			}
			if diff := cmp.Diff(gotHeader, wantHeader); diff != "" {
				t.Errorf("header (-got +want):\n%s", diff)
			}
			if strings.Contains(tc.path, "list") || tc.header["Host"] != "" || gotStatus == 404 {
				// Request ids and times differ between the two answers.
				return
			}
			if !bytes.Equal(gotBody, wantBody) {
				t.Errorf("body: got %d bytes %.100q, want %d bytes %.100q", len(gotBody), gotBody, len(wantBody), wantBody)
			}
		})
	}

	// The SDK reads a streamed object whole through the in-process transport.
	out, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bkt"), Key: aws.String("big")})
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(out.Body)
	out.Body.Close()
	if err != nil || !bytes.Equal(got, big) || aws.ToInt64(out.ContentLength) != int64(len(big)) {
		t.Errorf("GetObject: %d bytes (Content-Length %d), err %v; want the %d bytes put", len(got), aws.ToInt64(out.ContentLength), err, len(big))
	}
}

// TestInProcessTransportStreamsAndFails checks the transport's own behaviour with handlers: a flushed
// head reaches the client before the handler ends, a body the client stops reading stops the handler's
// writes, a panic fails the request, a cancelled client cancels the handler's request, and a request
// for another address goes over the network.
func TestInProcessTransportStreamsAndFails(t *testing.T) {
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "from the network") }))
	defer other.Close()
	const host = "127.0.0.1:9" // never dialled: the transport serves it
	newClient := func(h http.HandlerFunc) *http.Client {
		return &http.Client{Transport: &inProcessTransport{host: host, handler: h, next: http.DefaultTransport}}
	}
	ctx := t.Context()
	get := func(c *http.Client, ctx context.Context, url string) (*http.Response, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			t.Fatal(err)
		}
		return c.Do(req)
	}

	t.Run("flush", func(t *testing.T) {
		release := make(chan struct{})
		c := newClient(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-Early", "yes")
			io.WriteString(w, "first ")
			w.(http.Flusher).Flush()
			<-release
			io.WriteString(w, "second")
		})
		resp, err := get(c, ctx, "http://"+host+"/x")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.Header.Get("X-Early") != "yes" || resp.ContentLength != -1 {
			t.Errorf("head: got %v, Content-Length %d; want X-Early and an unknown length", resp.Header, resp.ContentLength)
		}
		close(release)
		b, err := io.ReadAll(resp.Body)
		if string(b) != "first second" || err != nil {
			t.Errorf("body: got %q, %v; want %q", b, err, "first second")
		}
	})

	t.Run("client stops reading", func(t *testing.T) {
		writeErr := make(chan error, 1)
		c := newClient(func(w http.ResponseWriter, r *http.Request) {
			chunk := make([]byte, 8<<10)
			for range 1000 { // 8 MB, far beyond what is buffered
				if _, err := w.Write(chunk); err != nil {
					writeErr <- err
					return
				}
			}
			writeErr <- nil
		})
		resp, err := get(c, ctx, "http://"+host+"/x")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		select {
		case err := <-writeErr:
			if err == nil {
				t.Error("the handler wrote 8 MB to a client that closed the body")
			}
		case <-time.After(10 * time.Second):
			t.Fatal("the handler's write did not fail after the client closed the body")
		}
	})

	t.Run("buffers reused", func(t *testing.T) {
		c := newClient(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, r.URL.Path) })
		var prev *http.Response
		for i := range 5 {
			path := "/" + strings.Repeat(fmt.Sprint(i), 10-2*i)
			resp, err := get(c, ctx, "http://"+host+path)
			if err != nil {
				t.Fatal(err)
			}
			b, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if string(b) != path || err != nil || resp.ContentLength != int64(len(path)) {
				t.Errorf("got %q (Content-Length %d), %v; want %q", b, resp.ContentLength, err, path)
			}
			if prev != nil {
				if n, err := prev.Body.Read(make([]byte, 1)); err == nil {
					t.Errorf("a closed body read %d bytes", n)
				}
			}
			prev = resp
		}
	})

	t.Run("panic", func(t *testing.T) {
		c := newClient(func(w http.ResponseWriter, r *http.Request) { panic("boom") })
		if resp, err := get(c, ctx, "http://"+host+"/x"); err == nil {
			resp.Body.Close()
			t.Errorf("a panicking handler answered %d", resp.StatusCode)
		}
	})

	t.Run("cancel", func(t *testing.T) {
		handlerDone := make(chan error, 1)
		c := newClient(func(w http.ResponseWriter, r *http.Request) {
			<-r.Context().Done()
			handlerDone <- r.Context().Err()
		})
		cctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
		defer cancel()
		if _, err := get(c, cctx, "http://"+host+"/x"); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("got %v, want the client's deadline", err)
		}
		select {
		case err := <-handlerDone:
			if !errors.Is(err, context.Canceled) {
				t.Errorf("handler's request context: got %v, want canceled", err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("the handler's request was not cancelled with its client's")
		}
	})

	t.Run("other address", func(t *testing.T) {
		c := newClient(func(w http.ResponseWriter, r *http.Request) { t.Error("served in process") })
		resp, err := get(c, ctx, other.URL)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if string(b) != "from the network" {
			t.Errorf("got %q", b)
		}
	})

	t.Run("request as a server reads it", func(t *testing.T) {
		var got []string
		c := newClient(func(w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			got = []string{r.Method, r.RequestURI, r.Host, r.Header.Get("Content-Length"), string(b), r.RemoteAddr}
			if _, ok := r.Header["Host"]; ok {
				got = append(got, "Host in header")
			}
		})
		req, err := http.NewRequestWithContext(ctx, http.MethodPut, "http://"+host+"/a/b%20c?x=1", strings.NewReader("abc"))
		if err != nil {
			t.Fatal(err)
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		want := []string{"PUT", "/a/b%20c?x=1", host, "3", "abc", inProcessRemoteAddr}
		if !slices.Equal(got, want) {
			t.Errorf("got %q, want %q", got, want)
		}
	})
}

// TestInProcessTransportReusesServers checks that requests one after another are served on few
// goroutines (one each before), and that a request arriving while a handler blocks is served at once.
func TestInProcessTransportReusesServers(t *testing.T) {
	const host = "127.0.0.1:9" // never dialled: the transport serves it
	block := make(chan struct{})
	blocked := make(chan struct{})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/block" {
			close(blocked)
			<-block
		}
		io.WriteString(w, goid.Current())
	})
	c := &http.Client{Transport: &inProcessTransport{host: host, handler: h, next: http.DefaultTransport, servers: kept.New(serverIdle)}}
	get := func(path string) string {
		resp, err := c.Get("http://" + host + path)
		if err != nil {
			t.Error(err)
			return ""
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Error(err)
		}
		return string(b)
	}
	// A goroutine that served a request is back waiting a moment after its response is handed over: the
	// next request may come first and get a new one, but most requests in turn reuse one.
	ids := map[string]int{}
	for range 20 {
		ids[get("/x")]++
	}
	if len(ids) > 5 {
		t.Errorf("20 requests in turn served on %d goroutines, want few", len(ids))
	}
	busy := make(chan string, 1)
	go func() { busy <- get("/block") }()
	<-blocked
	done := make(chan string, 1)
	go func() { done <- get("/x") }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("a request waits for a busy server goroutine")
	}
	close(block)
	<-busy
}

// TestInProcessConcurrentBodies has S3 answer many requests at once through the in-process transport,
// each with a body of its own (an error naming the key, an object's bytes), and checks that every
// client reads exactly its own. The response buffers, and S3's buffers for encoding XML, are pooled: one
// given to another request while a body still referred to it would show here as a body carrying
// another request's bytes, and under -race as a data race. So would S3's pooled query maps, read by
// the listings.
func TestInProcessConcurrentBodies(t *testing.T) {
	st := startEmptyStack(t)
	ctx := t.Context()
	c := &http.Client{Transport: st.inProcess}
	do := func(method, path string, body io.Reader) (int, string, error) {
		req, err := http.NewRequestWithContext(ctx, method, st.URL()+path, body)
		if err != nil {
			return 0, "", err
		}
		resp, err := c.Do(req)
		if err != nil {
			return 0, "", err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b), err
	}
	if code, body, err := do("PUT", "/bkt", nil); err != nil || code != http.StatusOK {
		t.Fatalf("create bucket: %d %s %v", code, body, err)
	}
	const workers, rounds = 6, 40
	errs := make(chan error, workers)
	for g := range workers {
		go func() {
			errs <- func() error {
				for i := range rounds {
					key := fmt.Sprintf("k-%d-%d", g, i)
					code, body, err := do("GET", "/bkt/missing-"+key, nil)
					if err != nil {
						return err
					}
					if want := "<Resource>/bkt/missing-" + key + "</Resource>"; code != http.StatusNotFound || !strings.Contains(body, want) || strings.Count(body, "<Resource>") != 1 {
						return fmt.Errorf("GET missing %s: got %d %q, want 404 with %s", key, code, body, want)
					}
					content := strings.Repeat(key+";", 1+i*37) // some past the response buffer's size
					if code, body, err := do("PUT", "/bkt/"+key, strings.NewReader(content)); err != nil || code != http.StatusOK {
						return fmt.Errorf("PUT %s: %d %q %v", key, code, body, err)
					}
					code, body, err = do("GET", "/bkt/"+key, nil)
					if err != nil {
						return err
					}
					if code != http.StatusOK || body != content {
						return fmt.Errorf("GET %s: got %d and %d bytes %.80q, want 200 and the %d bytes put", key, code, len(body), body, len(content))
					}
					// One query parameter: S3 reads it from a pooled map.
					code, body, err = do("GET", "/bkt?prefix="+key, nil)
					if err != nil {
						return err
					}
					if want := "<Prefix>" + key + "</Prefix>"; code != http.StatusOK || !strings.Contains(body, want) || strings.Count(body, "<Key>") != 1 || !strings.Contains(body, "<Key>"+key+"</Key>") {
						return fmt.Errorf("list prefix %s: got %d %q, want 200 with %s and only the key %s", key, code, body, want, key)
					}
				}
				return nil
			}()
		}()
	}
	for range workers {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

// TestCloneHeader checks cloneHeader against http.Header.Clone: the same keys and values less the one
// skipped, nil values kept, never nil itself, and no value shared with the original.
func TestCloneHeader(t *testing.T) {
	for _, tc := range []struct {
		name string
		h    http.Header
		skip string
	}{
		{name: "nil", h: nil},
		{name: "empty", h: http.Header{}, skip: "Host"},
		{name: "skip", h: http.Header{"Host": {"a"}, "X-Amz-Date": {"d"}, "Accept": {"x", "y"}}, skip: "Host"},
		{name: "nothing skipped", h: http.Header{"X-Amz-Date": {"d"}, "Accept": {"x", "y"}, "X-Nil": nil, "X-Empty": {}}},
		{name: "many", h: http.Header{"A": {"1"}, "B": {"2"}, "C": {"3"}, "D": {"4"}, "E": {"5"}, "F": {"6"}, "G": {"7"}, "H": {"8", "9"}, "I": {"10"}}, skip: "C"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := cloneHeader(tc.h, 2, tc.skip)
			want := tc.h.Clone()
			if want == nil {
				want = http.Header{}
			}
			delete(want, tc.skip)
			if got == nil {
				t.Fatal("got nil")
			}
			if diff := cmp.Diff(got, want); diff != "" {
				t.Errorf("(-got +want):\n%s", diff)
			}
			for k, vv := range got {
				if (vv == nil) != (tc.h[k] == nil) {
					t.Errorf("%s: got nil %v, want nil %v", k, vv == nil, tc.h[k] == nil)
				}
				for i := range vv {
					vv[i] = "changed"
					if tc.h[k][i] == "changed" {
						t.Errorf("%s[%d] is shared with the original", k, i)
					}
				}
			}
			got.Set("Content-Length", "1")
			got.Set("Date", "now")
			if tc.h.Get("Content-Length") != "" || tc.h.Get("Date") != "" {
				t.Error("keys added to the copy reached the original")
			}
		})
	}
}
