package s3

import (
	"net/url"
	"strings"
	"sync"
)

// requestQuery is a request's query parameters, as r.URL.Query() gives them. Nearly every request the
// AWS SDK sends has one parameter of plain characters (x-id=GetObject, x-id=PutObject): for those the
// parameters go into a map kept from an earlier request rather than a new one, which url.ParseQuery
// makes every time. Anything else (several parameters, escapes, a semicolon) is parsed by
// url.ParseQuery itself, so its rules (and its limit on the number of parameters) are the ones applied.
type requestQuery struct {
	q url.Values
	v [1]string // the one value's slice, when pooled
}

// queries holds requestQuery values between requests (*requestQuery).
var queries = sync.Pool{New: func() any { return &requestQuery{q: make(url.Values, 1)} }}

// parseRequestQuery returns raw's parameters and, when they are in a pooled map, the *requestQuery
// to release once the request is served, when nothing refers to the map any more (its values are
// strings, which keep nothing of it); nil when there is nothing to release. The map is read, never
// written, while the request is served.
func parseRequestQuery(raw string) (url.Values, *requestQuery) {
	if strings.ContainsAny(raw, "&;%+") {
		q, _ := url.ParseQuery(raw) // as r.URL.Query(): what does not parse is left out
		return q, nil
	}
	rq := queries.Get().(*requestQuery)
	if raw != "" {
		key, value, _ := strings.Cut(raw, "=")
		rq.v[0] = value
		rq.q[key] = rq.v[:1:1]
	}
	return rq.q, rq
}

// release empties the map and gives it back for another request.
func (rq *requestQuery) release() {
	clear(rq.q)
	rq.v[0] = ""
	queries.Put(rq)
}
