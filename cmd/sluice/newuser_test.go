package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sluicehq/sluice/deploy"
	"github.com/sluicehq/sluice/gen"
	"github.com/sluicehq/sluice/local/events"
)

func writeFile(t *testing.T, dir, name, body string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// brokenSchema has four problems, one of them a syntax-free type error the old one-at-a-time Parse
// would have hidden behind the first.
const brokenSchema = `{
  "name": "orders",
  "columns": [
    {"name": "id", "type": "strin"},
    {"name": "kind", "type": "string", "enum": []},
    {"name": "n", "type": "integer", "pattern": "x", "nulable": true}
  ]
}
`

// TestSchemaCheck: `sluice schema check` prints every problem of every file as FILE:LINE:COL: PATH: MSG.
func TestSchemaCheck(t *testing.T) {
	dir := t.TempDir()
	bad := writeFile(t, dir, "bad.json", brokenSchema)
	good := writeFile(t, dir, "good.json", `{"name":"orders","columns":[{"name":"id","type":"string"}]}`)
	out, errOut, err := runCLI(t, "schema", "check", good, bad)
	if !errors.Is(err, errSchema) {
		t.Fatalf("error = %v, want errSchema", err)
	}
	if want := good + `: ok (dataset "orders", 1 column)` + "\n"; out != want {
		t.Errorf("stdout: got %q, want %q", out, want)
	}
	want := strings.Join([]string{
		bad + `:4:28: columns[0].type: "strin" is not one of: string, integer, number, decimal, boolean, date, timestamp`,
		bad + ":5:48: columns[1].enum: must list at least one value",
		bad + ":6:49: columns[2].pattern: only string columns take a pattern",
		bad + `:6:54: columns[2].nulable: unknown member "nulable" (allowed: name, type, required, nullable, enum, min, max, pattern, maxLength, precision, scale)`,
	}, "\n") + "\n"
	if diff := cmp.Diff(errOut, want); diff != "" {
		t.Errorf("stderr (-got +want):\n%s", diff)
	}
	if _, _, err := runCLI(t, "schema", "check", good); err != nil {
		t.Errorf("a good schema: %v", err)
	}
	if _, _, err := runCLI(t, "schema", "lint", good); !errors.Is(err, errUsage) {
		t.Errorf("schema lint: error = %v, want errUsage", err)
	}
}

// TestRunChecksSchemaBeforeUploading: a broken --schema stops `sluice run` before it talks to any
// stack (the endpoint here is closed: an upload would fail differently), with every problem printed.
func TestRunChecksSchemaBeforeUploading(t *testing.T) {
	dir := t.TempDir()
	bad := writeFile(t, dir, "orders.json", brokenSchema)
	data := writeFile(t, dir, "a.csv", "id\n1\n")
	_, errOut, err := runCLI(t, "run", "--endpoint", "http://127.0.0.1:1", "--dataset", "orders", "--schema", bad, data)
	if !errors.Is(err, errSchema) || !strings.Contains(err.Error(), "nothing was uploaded") {
		t.Fatalf("error = %v, want errSchema before any upload", err)
	}
	if got := strings.Count(errOut, bad+":"); got != 4 {
		t.Errorf("stderr: %d problems, want 4:\n%s", got, errOut)
	}
	// A schema for another dataset than the files go to is refused too.
	other := writeFile(t, dir, "other.json", `{"name":"sales","columns":[{"name":"id","type":"string"}]}`)
	if _, errOut, err := runCLI(t, "run", "--endpoint", "http://127.0.0.1:1", "--dataset", "orders", "--schema", other, data); !errors.Is(err, errSchema) ||
		!strings.Contains(errOut, `name: "sales" is not the dataset "orders"`) {
		t.Errorf("schema of another dataset: %v\n%s", err, errOut)
	}
}

func TestVersion(t *testing.T) {
	out, _, err := runCLI(t, "version")
	if err != nil || !strings.HasPrefix(out, "sluice ") || !strings.Contains(out, runtime.Version()) {
		t.Errorf("sluice version: %q, %v", out, err)
	}
	info := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "github.com/sluicehq/sluice", Version: "v0.3.0"},
		Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "abc123"}, {Key: "vcs.time", Value: "2026-12-06T01:00:00Z"}, {Key: "vcs.modified", Value: "true"}}}
	if got, want := versionLine(info), "sluice v0.3.0 (abc123, modified, 2026-12-06T01:00:00Z) go1.26.8"; got != want {
		t.Errorf("versionLine: got %q, want %q", got, want)
	}
}

// TestHelpTexts: -h says what each command's arguments are, and no flag's usage loses words to Go's
// backquote convention (deploy -h printed "-dist sluice build").
func TestHelpTexts(t *testing.T) {
	tests := []struct {
		args []string
		want []string
		not  []string
	}{
		{[]string{"deploy", "-h"}, []string{"-dist string"}, []string{"-dist sluice"}},
		{[]string{"run", "-h"}, []string{"usage: sluice run [flags] [FILE...]", "incoming/<dataset>/", "-schema"}, nil},
		{[]string{"dlq", "-h"}, []string{"usage: sluice dlq [flags]", "sluice dlq --redrive [ID...]", "-json"}, nil},
		{[]string{"schema", "-h"}, []string{"usage: sluice schema check FILE..."}, nil},
		{[]string{"help"}, []string{"schema", "version"}, nil},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			_, errOut, err := runCLI(t, tt.args...)
			if err != nil && !errors.Is(err, flag.ErrHelp) {
				t.Fatalf("error = %v", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(errOut, w) {
					t.Errorf("help lacks %q:\n%s", w, errOut)
				}
			}
			for _, n := range tt.not {
				if strings.Contains(errOut, n) {
					t.Errorf("help has %q:\n%s", n, errOut)
				}
			}
		})
	}
}

func TestPlural(t *testing.T) {
	got := []string{plural(0, "object"), plural(1, "object"), plural(2, "object")}
	if diff := cmp.Diff(got, []string{"0 objects", "1 object", "2 objects"}); diff != "" {
		t.Errorf("plural (-got +want):\n%s", diff)
	}
}

// TestDeadLetterTable: one narrow line per dead letter with its object key, reason and age (the old
// table was 330 columns wide and had no key).
func TestDeadLetterTable(t *testing.T) {
	now := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	event := `{"detail-type":"Object Created","source":"aws.s3","detail":{"bucket":{"name":"b"},"object":{"key":"incoming/orders/2024-03-01.csv","size":9}}}`
	letters := []events.DeadLetter{{
		ID: "dl-1", Event: json.RawMessage(event), RuleName: "sluice-ObjectCreatedRule",
		TargetARN:  "arn:aws:states:us-east-1:000000000000:stateMachine:sluice-StateMachine-with-a-long-name-that-made-the-old-table-wide",
		Attributes: map[string]string{"ERROR_CODE": "SDK_CLIENT_ERROR", "ERROR_MESSAGE": strings.Repeat("the target could not be reached ", 5), "RETRY_ATTEMPTS": "185"},
		Time:       now.Add(-3 * time.Hour),
	}}
	var b bytes.Buffer
	printDeadLetters(&b, letters, now)
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	if len(lines) != 2 {
		t.Fatalf("got %d lines:\n%s", len(lines), b.String())
	}
	for _, l := range lines {
		if n := len([]rune(l)); n > 160 {
			t.Errorf("line of %d columns:\n%s", n, l)
		}
	}
	for _, w := range []string{"ID", "KEY", "REASON", "AGE", "dl-1", "incoming/orders/2024-03-01.csv", "SDK_CLIENT_ERROR: the target", "3h", "185"} {
		if !strings.Contains(b.String(), w) {
			t.Errorf("table lacks %q:\n%s", w, b.String())
		}
	}
}

// upProcess runs `sluice up` in process until stop; its output lands in out.
type upProcess struct {
	out  *syncBuffer
	done chan error
	stop context.CancelFunc
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func startUp(t *testing.T, args ...string) *upProcess {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	p := &upProcess{out: &syncBuffer{}, done: make(chan error, 1), stop: cancel}
	go func() { p.done <- dispatch(ctx, append([]string{"up"}, args...), stdio{Out: p.out, Err: p.out}) }()
	t.Cleanup(func() { cancel(); <-p.done })
	return p
}

// waitOutput waits until the output contains s, or the command ended.
func (p *upProcess) waitOutput(t *testing.T, s string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(p.out.String(), s) {
		select {
		case err := <-p.done:
			p.done <- err
			t.Fatalf("sluice up ended (%v) before printing %q:\n%s", err, s, p.out.String())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %q in:\n%s", s, p.out.String())
		}
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// TestUpFromAnywhere: from a directory that is not the repository, `sluice up` builds its stack from
// the template built into the binary, prints its PID, answers /_sluice/health, and a second `up` on
// the same data directory or address fails saying what holds it.
func TestUpFromAnywhere(t *testing.T) {
	t.Chdir(t.TempDir())
	addr := freeAddr(t)
	up := startUp(t, "--addr", addr, "--data", "data")
	up.waitOutput(t, "pid "+strconv.Itoa(os.Getpid()))

	resp, err := http.Get("http://" + addr + "/_sluice/health")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"status":"ok"`) {
		t.Errorf("health: %d %s", resp.StatusCode, body)
	}

	// Each second up is given a deadline: one that started would serve until it.
	secondUp := func(args ...string) error {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		return dispatch(ctx, append([]string{"up"}, args...), stdio{Out: io.Discard, Err: io.Discard})
	}
	err = secondUp("--addr", addr, "--data", "other")
	if err == nil || !strings.Contains(err.Error(), "--addr") || !strings.Contains(err.Error(), "already in use") {
		t.Errorf("second up on the same address: %v, want a hint to pass --addr", err)
	}
	err = secondUp("--addr", freeAddr(t), "--data", "data")
	if err == nil || !strings.Contains(err.Error(), "pid "+strconv.Itoa(os.Getpid())) || !strings.Contains(err.Error(), addr) {
		t.Errorf("second up on the same data directory: %v, want it to name the holder (pid and endpoint)", err)
	}
}

// TestRunFromAnywhere: `sluice run` with no files, from a directory that is not the repository, runs
// the sample dataset built into the binary through a stack built from the template built into it, and
// `sluice show` reads what it kept.
func TestRunFromAnywhere(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the whole sample dataset")
	}
	t.Chdir(t.TempDir())
	out, errOut, err := runCLI(t, "run", "--data", "kept")
	if err != nil {
		t.Fatalf("sluice run: %v\n%s", err, errOut)
	}
	// show reads the kept data with the built-in template too.
	if story, errOut, err := runCLI(t, "show", "--data", "kept", "incoming/orders/bad-values.csv"); err != nil || !strings.Contains(story, "rejected") {
		t.Errorf("sluice show from another directory: %v\n%s%s", err, story, errOut)
	}
	if !strings.Contains(out, "9 objects: 4 stored, 5 rejected") {
		t.Errorf("summary:\n%s", out)
	}
	for _, w := range []string{"processed/orders/dt=", "/2024-03-02.jsonl.gz", "quarantine/orders/bad-values.csv"} {
		if !strings.Contains(out, w) {
			t.Errorf("summary lacks %q:\n%s", w, out)
		}
	}
	if strings.Contains(out, ".jsonl.jsonl") {
		t.Errorf("a doubled extension in:\n%s", out)
	}
}

// TestEmbeddedTemplateIsGenerated: the template built into the binary (the default of up and run) is
// what the generator writes, as gen --check also checks.
func TestEmbeddedTemplateIsGenerated(t *testing.T) {
	files, err := gen.Files(gen.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if f.Path == gen.PathTemplate && !bytes.Equal(f.Data, deploy.Template) {
			t.Error("deploy.Template differs from the generated template: run make gen")
		}
	}
}
