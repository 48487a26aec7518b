package lambda

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
)

const invokePrefix = "/2015-03-31/functions/"

// ServeHTTP serves Invoke, POST /2015-03-31/functions/{FunctionName}/invocations
// (https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html), and the read-only
// GetFunction (GET /2015-03-31/functions/{FunctionName}) and ListFunctions
// (GET /2015-03-31/functions/).
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

func (s *Service) serve(w http.ResponseWriter, r *http.Request) {
	reqID := newRequestID()
	path := r.URL.EscapedPath()
	if path == strings.TrimSuffix(invokePrefix, "/") {
		path = invokePrefix
	}
	rest, ok := strings.CutPrefix(path, invokePrefix)
	if ok && r.Method == http.MethodGet {
		switch {
		case rest == "":
			s.listFunctions(w, r, reqID)
			return
		case !strings.Contains(rest, "/"):
			if name, err := url.PathUnescape(rest); err == nil {
				s.getFunction(w, r, reqID, name)
				return
			}
		}
	}
	name, ok2 := strings.CutSuffix(rest, "/invocations")
	if !ok || !ok2 || name == "" || strings.Contains(name, "/") {
		writeServiceError(w, reqID, errUnknownOperation())
		return
	}
	if r.Method != http.MethodPost {
		writeServiceError(w, reqID, errUnknownOperation())
		return
	}
	name, err := url.PathUnescape(name)
	if err != nil {
		writeServiceError(w, reqID, errInvalidParameter("FunctionName", name))
		return
	}
	typ := r.Header.Get("X-Amz-Invocation-Type")
	limit := int64(maxSyncRequest)
	if typ == Event {
		limit = maxAsyncRequest
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil {
		writeServiceError(w, reqID, errInvalidJSON(err))
		return
	}
	if int64(len(body)) > limit {
		writeServiceError(w, reqID, errRequestTooLarge(int(limit)))
		return
	}
	// As in Lambda, a client that goes away does not stop the invocation.
	res, err := s.InvokeWith(context.WithoutCancel(r.Context()), InvokeInput{FunctionName: name, Qualifier: r.URL.Query().Get("Qualifier"),
		InvocationType: typ, LogType: r.Header.Get("X-Amz-Log-Type"), Payload: body,
		ClientContext: r.Header.Get("X-Amz-Client-Context")})
	if err != nil {
		writeServiceError(w, reqID, err)
		return
	}
	h := w.Header()
	h.Set("X-Amzn-RequestId", res.RequestID)
	if res.ExecutedVersion != "" {
		h.Set("X-Amz-Executed-Version", res.ExecutedVersion)
	}
	if res.FunctionError != "" {
		h.Set("X-Amz-Function-Error", res.FunctionError)
	}
	if res.LogResult != "" {
		h.Set("X-Amz-Log-Result", res.LogResult)
	}
	if res.StatusCode == http.StatusOK {
		h.Set("Content-Type", "application/json")
	}
	w.WriteHeader(res.StatusCode)
	_, _ = w.Write(res.Payload) // the status is sent: a failed write means the client went away
}
