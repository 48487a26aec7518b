package service_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/sluicehq/sluice/asl"
	"github.com/sluicehq/sluice/asl/interp"
	"github.com/sluicehq/sluice/internal/service"
)

// One clock drives the engine and the services: the types fit both ways.
var (
	_ service.Clock = interp.SystemClock()
	_ service.Clock = (*interp.VirtualClock)(nil)
	_ interp.Clock  = service.SystemClock()
)

func TestDefaults(t *testing.T) {
	got := service.Options{}.Defaults()
	if got.Region != "us-east-1" || got.Account != "000000000000" || got.Clock == nil || got.Logger == nil {
		t.Errorf("Defaults() = %+v", got)
	}
	clock := interp.NewVirtualClock(time.Unix(0, 0))
	set := service.Options{DataDir: "d", Clock: clock, Region: "eu-west-1", Account: "111122223333"}.Defaults()
	if set.DataDir != "d" || set.Clock != clock || set.Region != "eu-west-1" || set.Account != "111122223333" {
		t.Errorf("Defaults() changed set fields: %+v", set)
	}
}

// TestEngineAccount checks that the engine's default account is the services'.
func TestEngineAccount(t *testing.T) {
	m, err := interp.New(mustParse(t, `{"StartAt":"P","States":{"P":{"Type":"Pass","Parameters":{"id.$":"$$.Execution.Id"},"End":true}}}`))
	if err != nil {
		t.Fatal(err)
	}
	res := m.Run(t.Context(), map[string]any{})
	id, _ := res.Output.(map[string]any)["id"].(string)
	if !strings.Contains(id, ":"+service.DefaultAccount+":") {
		t.Errorf("execution ARN %q does not carry account %s", id, service.DefaultAccount)
	}
}

func TestRecover(t *testing.T) {
	var logs bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&logs, nil))
	h := service.Recover("demo", log, func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "internal", http.StatusInternalServerError)
	}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { panic(fmt.Sprintf("boom %s", r.URL.Path)) }))
	srv := httptest.NewServer(h)
	defer srv.Close()
	resp, err := srv.Client().Get(srv.URL + "/x")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusInternalServerError {
		t.Errorf("status = %d, want 500", resp.StatusCode)
	}
	var rec map[string]any
	if err := json.Unmarshal(logs.Bytes(), &rec); err != nil {
		t.Fatalf("log %q: %v", logs.String(), err)
	}
	got := map[string]any{"msg": rec["msg"], "level": rec["level"], "method": rec["method"], "path": rec["path"], "panic": rec["panic"]}
	want := map[string]any{"msg": "demo: panic serving request", "level": "ERROR", "method": "GET", "path": "/x", "panic": "boom /x"}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("log record (-got +want):\n%s", diff)
	}
	if s, _ := rec["stack"].(string); !strings.Contains(s, "service_test.go") {
		t.Errorf("stack %q does not show the panicking handler", s)
	}
}

func TestRecoverAbort(t *testing.T) {
	h := service.Recover("demo", slog.New(slog.DiscardHandler), func(http.ResponseWriter, *http.Request) {
		t.Error("internal error written for ErrAbortHandler")
	}, http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic(http.ErrAbortHandler) }))
	defer func() {
		if v := recover(); v != http.ErrAbortHandler {
			t.Errorf("recovered %v, want http.ErrAbortHandler re-panicked", v)
		}
	}()
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))
}

func mustParse(t *testing.T, def string) *asl.StateMachine {
	t.Helper()
	sm, err := asl.Parse([]byte(def))
	if err != nil {
		t.Fatal(err)
	}
	return sm
}
