package service

import (
	"errors"
	"log/slog"
	"net/http"
	"runtime/debug"
)

// Recover returns next wrapped so that a panic while it serves a request is
// logged and answered the same way in every service: one error record on
// log, "<service>: panic serving request" with the method, path, panic value
// and stack, then internal(w, r), which writes the service's own internal
// error in its protocol. http.ErrAbortHandler is not caught: it is how a
// handler asks net/http to drop the connection.
func Recover(name string, log *slog.Logger, internal func(http.ResponseWriter, *http.Request), next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if err, ok := v.(error); ok && errors.Is(err, http.ErrAbortHandler) {
				panic(v)
			}
			log.Error(name+": panic serving request", "method", r.Method, "path", r.URL.Path,
				"panic", v, "stack", string(debug.Stack()))
			internal(w, r)
		}()
		next.ServeHTTP(w, r)
	})
}
