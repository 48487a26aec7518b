package e2e

import (
	"bufio"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// crashBurst is the size of the bursts the crash tests interrupt, and crashAfter the number of
// acknowledged puts after which the stack stops.
const (
	crashBurst = 300
	crashAfter = 120
)

// TestCrashRestart stops the stack in the middle of a burst and starts a new one on the same data
// directory: every object whose PutObject was acknowledged is accounted for exactly once, nothing is
// stored twice, and the puts that failed while the stack was down succeed when the client retries them.
// The stop is a clean Close (in process) or a kill -9 of a `sluice up` process.
func TestCrashRestart(t *testing.T) {
	t.Parallel()
	t.Run("close and restart in process", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		e := openStack(t, dir, "")
		t.Cleanup(func() { e.close(t) })
		stop := func() { e.close(t) }
		restart := func() *env {
			e2 := openStack(t, dir, "")
			t.Cleanup(func() { e2.close(t) })
			return e2
		}
		crashMidBurst(t, e, stop, restart)
	})
	t.Run("kill -9 a sluice up process and restart it", func(t *testing.T) {
		t.Parallel()
		bin := buildSluice(t)
		dir := t.TempDir()
		p := startUp(t, bin, dir)
		restart := func() *env { return startUp(t, bin, dir).env }
		crashMidBurst(t, p.env, p.kill, restart)
	})
}

// crashMidBurst puts a burst through e, calls stop once crashAfter puts were acknowledged (concurrent
// puts keep going and fail), then restart, retries the failed puts against the new stack and checks
// the outcome.
func crashMidBurst(t *testing.T, e *env, stop func(), restart func() *env) {
	t.Helper()
	e.putSchema(t)
	objs := burstObjects(crashBurst, "crash", 10)
	var acked atomic.Int32
	var once sync.Once
	stopped := make(chan struct{})
	failed := e.putAll(objs, 16, func() {
		if acked.Add(1) == crashAfter {
			once.Do(func() { go func() { stop(); close(stopped) }() })
		}
	})
	<-stopped
	t.Logf("stopped after %d acknowledged puts; %d puts failed", acked.Load(), len(failed))

	e2 := restart()
	retry := map[string]bool{}
	for _, k := range failed {
		retry[k] = true
	}
	var again []burstObject
	for _, o := range objs {
		if retry[o.key] {
			again = append(again, o)
		}
	}
	if failed := e2.putAll(again, 16, nil); len(failed) > 0 {
		t.Fatalf("%d retried puts failed on the restarted stack, e.g. %s", len(failed), failed[0])
	}
	e2.waitExecutionsWithin(t, len(objs), burstSettleTimeout)
	a := e2.account(t)
	a.check(t, objs)
	a.checkStoredOnce(t, objs)
	a.checkStaging(t)
}

// buildSluice builds cmd/sluice into a temporary directory.
func buildSluice(t testing.TB) string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go command not found: cannot build cmd/sluice")
	}
	bin := filepath.Join(t.TempDir(), "sluice")
	cmd := exec.Command(goBin, "build", "-o", bin, "./cmd/sluice")
	cmd.Dir = repoRoot
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build cmd/sluice: %v\n%s", err, out)
	}
	return bin
}

// upProcess is a running `sluice up`.
type upProcess struct {
	*env
	cmd  *exec.Cmd
	once sync.Once
}

// startUp runs `sluice up` on a free loopback port with its data in dir, and reads the endpoint, bucket
// and state machine from what it prints. The process is killed when the test ends.
func startUp(t testing.TB, bin, dir string) *upProcess {
	t.Helper()
	cmd := exec.Command(bin, "up", "--addr", "127.0.0.1:0", "--data", dir)
	cmd.Dir = repoRoot
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &upProcess{cmd: cmd}
	t.Cleanup(p.kill)

	fields := map[string]string{}
	sc := bufio.NewScanner(stdout)
	for sc.Scan() && (fields["url"] == "" || fields["bucket"] == "" || fields["state machine"] == "") {
		line := strings.TrimSpace(sc.Text())
		switch {
		case strings.HasPrefix(line, "sluice: local AWS listening on "):
			fields["url"] = strings.Fields(strings.TrimPrefix(line, "sluice: local AWS listening on "))[0]
		case strings.HasPrefix(line, "bucket "):
			fields["bucket"] = strings.TrimSpace(strings.TrimPrefix(line, "bucket "))
		case strings.HasPrefix(line, "state machine "):
			fields["state machine"] = strings.TrimSpace(strings.TrimPrefix(line, "state machine "))
		}
	}
	if fields["url"] == "" || fields["bucket"] == "" || fields["state machine"] == "" {
		p.kill()
		t.Fatalf("sluice up did not print its endpoint, bucket and state machine (got %v); stderr:\n%s", fields, stderr.String())
	}
	go io.Copy(io.Discard, stdout)
	p.env = newEnv(fields["url"], fields["bucket"], fields["state machine"])
	return p
}

// kill sends SIGKILL (kill -9) and reaps the process.
func (p *upProcess) kill() {
	p.once.Do(func() {
		_ = p.cmd.Process.Signal(os.Kill)
		done := make(chan struct{})
		go func() { _ = p.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
		}
	})
}
