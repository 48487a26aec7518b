// Package guard keeps web pages from acting through the local endpoint.
//
// The local AWS listens on loopback and checks no signatures, so anything that can reach the port can
// use it. Other programs on the machine are trusted (they could read the data directory anyway), but a
// web browser on the same machine also reaches loopback, on behalf of whatever page it shows. Three
// browser tricks would let a page act through the endpoint; a Guard refuses each:
//
//   - DNS rebinding: a page at attacker.example re-points its name at 127.0.0.1 and calls its "own" server,
//     which is now this endpoint, with the browser's blessing. Such requests carry Host: attacker.example.
//     Check accepts only the names a local client uses: IP literals (no DNS, so nothing to rebind),
//     localhost, their "sync-" forms (the host prefix the SDKs add for StartSyncExecution and TestState),
//     and the names allowed with AllowHosts. The port is not checked: a rebinding attack is told by its
//     name, and port forwarding (docker -p 8080:4566) changes the port legitimately.
//   - Cross-origin requests: any page may send a form POST (multipart/form-data,
//     application/x-www-form-urlencoded, text/plain) or a no-CORS fetch to any URL, and the browser labels
//     it with the page's Origin and, in current browsers, Sec-Fetch-Site. Check refuses a request whose
//     Origin is not the endpoint's own ("http://" + Host) or one allowed with AllowOrigins, whatever its
//     method (a refused preflight also stops a cross-origin PUT or DELETE), and a write (any method but
//     GET, HEAD and OPTIONS) that the browser labels cross-site or same-site (another port of the same
//     machine is same-site). SDKs, the AWS CLI, curl and S3 presigned URLs or POST policies used from
//     programs send neither header and are not affected.
//   - Simple requests to the endpoint's own API: CheckAction, for actions of the local API (/_sluice)
//     and the console, also requires a content type a form cannot send (application/json) or the
//     per-process token in TokenHeader; both make a browser ask first (a CORS preflight), which is never
//     granted.
//
// A refusal is a Refusal error; the caller renders it in its protocol's shape (S3's 403 AccessDenied
// XML, the JSON protocols' AccessDeniedException), or Middleware renders it as JSON.
package guard

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strings"
)

// TokenHeader carries the per-process token (Guard.Token) on local API and console actions.
const TokenHeader = "X-Sluice-Token"

// SyncPrefix is the host prefix the AWS SDKs add to the endpoint for Step Functions' StartSyncExecution
// and TestState ("sync-localhost").
const SyncPrefix = "sync-"

// Refusal is why a request was refused; it is an error whose text is safe to show the client.
type Refusal string

func (r Refusal) Error() string { return string(r) }

// The refusals Check and CheckAction return.
const (
	ErrHost        Refusal = "The request's Host is not a name this endpoint serves (DNS rebinding?); allow it with sluice up --allow-host"
	ErrOrigin      Refusal = "Cross-origin requests are refused: the Origin is not this endpoint's; allow it with sluice up --allow-origin"
	ErrCrossSite   Refusal = "Cross-site browser writes are refused"
	ErrContentType Refusal = "Local API actions need Content-Type: application/json or the " + TokenHeader + " header"
)

// Guard decides which requests may reach the local services. It is safe for concurrent use.
type Guard struct {
	hosts   map[string]bool
	origins map[string]bool
	token   string
}

// Option configures a Guard.
type Option func(*Guard)

// AllowHosts accepts requests whose Host is one of names (a host name, without a port; matched without
// regard to case), and the names' "sync-" forms. Use it for names other than localhost that reach this
// machine, such as host.docker.internal.
func AllowHosts(names ...string) Option {
	return func(g *Guard) {
		for _, n := range names {
			if n = strings.ToLower(strings.TrimSpace(n)); n != "" {
				g.hosts[n] = true
			}
		}
	}
}

// AllowOrigins accepts requests from pages of these origins ("http://localhost:3000"), for a web app
// under development that calls the local services from the browser.
func AllowOrigins(origins ...string) Option {
	return func(g *Guard) {
		for _, o := range origins {
			if o = normalOrigin(o); o != "" {
				g.origins[o] = true
			}
		}
	}
}

// WithToken sets the token CheckAction accepts instead of a random one.
func WithToken(token string) Option { return func(g *Guard) { g.token = token } }

// New returns a Guard with a random per-process token.
func New(opts ...Option) *Guard {
	g := &Guard{hosts: map[string]bool{}, origins: map[string]bool{}}
	for _, o := range opts {
		o(g)
	}
	if g.token == "" {
		b := make([]byte, 16)
		_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
		g.token = hex.EncodeToString(b)
	}
	return g
}

// Token is the per-process token CheckAction accepts in TokenHeader. Give it only to pages this
// endpoint serves (a page of another origin cannot read them).
func (g *Guard) Token() string { return g.token }

// Check refuses a request a web page could have made: one whose Host is not served (DNS rebinding), one
// from another origin, or a write the browser labels cross-site. It returns nil or a Refusal.
func (g *Guard) Check(r *http.Request) error {
	if !g.hostAllowed(r.Host) {
		return ErrHost
	}
	if origin, ok := r.Header["Origin"]; ok {
		if len(origin) != 1 || !g.originAllowed(origin[0], r.Host) {
			return ErrOrigin
		}
		return nil // an allowed origin may write
	}
	if !safeMethod(r.Method) {
		switch r.Header.Get("Sec-Fetch-Site") {
		case "cross-site", "same-site":
			return ErrCrossSite
		}
	}
	return nil
}

// CheckAction is Check plus, for anything but GET and HEAD, a content type a browser cannot send
// without asking first: application/json, or the token in TokenHeader. Use it on the endpoint's own API
// (/_sluice) and the console's actions.
func (g *Guard) CheckAction(r *http.Request) error {
	if err := g.Check(r); err != nil {
		return err
	}
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return nil
	}
	if t := r.Header.Get(TokenHeader); t != "" && subtle.ConstantTimeCompare([]byte(t), []byte(g.token)) == 1 {
		return nil
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err == nil && mt == "application/json" {
		return nil
	}
	return ErrContentType
}

// Middleware serves h behind CheckAction, answering a refusal with 403 and a JSON body
// {"__type": "AccessDeniedException", "message": ...}: the shape for a JSON API such as the console's.
func (g *Guard) Middleware(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := g.CheckAction(r); err != nil {
			WriteJSONRefusal(w, err, http.StatusForbidden)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// WriteJSONRefusal answers err (a Refusal) as the AWS JSON protocols answer AccessDeniedException.
func WriteJSONRefusal(w http.ResponseWriter, err error, status int) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-ErrorType", "AccessDeniedException")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"__type": "AccessDeniedException", "message": err.Error()})
}

// hostAllowed reports whether host (a Host header: name or IP, optional port) is served.
func (g *Guard) hostAllowed(host string) bool {
	if host == "" {
		return true // HTTP/1.0 without Host: no name to rebind
	}
	name := hostName(host)
	if name == "" {
		return false
	}
	if g.nameAllowed(name) {
		return true
	}
	rest, ok := strings.CutPrefix(name, SyncPrefix)
	return ok && g.nameAllowed(rest)
}

func (g *Guard) nameAllowed(name string) bool {
	if name == "localhost" || g.hosts[name] {
		return true
	}
	return net.ParseIP(strings.TrimSuffix(strings.TrimPrefix(name, "["), "]")) != nil
}

// originAllowed reports whether a request from origin to host comes from the endpoint's own pages or an
// allowed origin.
func (g *Guard) originAllowed(origin, host string) bool {
	o := normalOrigin(origin)
	if o == "" {
		return false // "null" (sandboxed frames, file: pages) and garbage
	}
	return o == "http://"+strings.ToLower(host) || g.origins[o]
}

// normalOrigin returns origin as scheme://host[:port] in lower case, or "" when it is not one.
func normalOrigin(origin string) string {
	u, err := url.Parse(strings.TrimSpace(origin))
	if err != nil || u.Scheme == "" || u.Host == "" || u.Path != "" && u.Path != "/" || u.User != nil {
		return ""
	}
	return strings.ToLower(u.Scheme + "://" + u.Host)
}

// hostName returns the lower-case name of a Host header without its port, brackets kept off IPv6.
func hostName(host string) string {
	host = strings.ToLower(strings.TrimSpace(host))
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	return strings.TrimSuffix(host, ".")
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}
