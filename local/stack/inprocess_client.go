package stack

import (
	"net/http"
	"net/url"
	"strings"
)

// inProcessClient is the HTTP client (the SDK's HTTPClient) of the stack's own S3 clients that the stack
// serves in process: a request for the stack's address goes straight to the transport, with what
// net/http's Client does for it and nothing else; a request for any other address (a proxy a test put in
// front of S3) goes through a net/http Client.
//
// For a request that carries no user information in its URL and has headers (the SDK's always do), with
// no Timeout, no cookie jar, and a response that is not a redirect with a Location (S3 sends none), all
// that net/http's Client adds to the transport's round trip is the copy of the request's headers it keeps
// for following redirects, and its error wrapping: a *url.Error naming the method and the URL. Do keeps
// the wrapping and the closing of the request body on error, and leaves out the copy.
type inProcessClient struct {
	rt   http.RoundTripper // carries the requests for host (the stack's in-process transport)
	host string            // the stack's listener address, host:port
	net  *http.Client      // any other request
}

// Do sends req.
func (c *inProcessClient) Do(req *http.Request) (*http.Response, error) {
	if req.URL == nil || req.URL.Host != c.host || req.URL.Scheme != "http" || req.URL.User != nil || req.Header == nil {
		return c.net.Do(req)
	}
	resp, err := c.rt.RoundTrip(req)
	if err != nil {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, &url.Error{Op: req.Method[:1] + strings.ToLower(req.Method[1:]), URL: req.URL.String(), Err: err}
	}
	return resp, nil
}
