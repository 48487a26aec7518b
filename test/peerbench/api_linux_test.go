//go:build linux

package peerbench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var (
	apiN      = flag.Int("api.n", 8000, "BenchmarkAPIVersusPeer: measured executions in each sfnload run")
	apiRounds = flag.Int("api.rounds", 3, "BenchmarkAPIVersusPeer: rounds of sluice, the floor at GOMAXPROCS 1 and at the default, and the peer")
)

// The load each sfnload run puts on a server, as issue 15's API row measures it.
const (
	apiClients = 16
	apiWarmup  = 200
	// apiPeerBudget is how long the peer runs chain20 in each round, after a warm-up of half as long: five
	// seconds, as the issue measured the peer (../shared/bench/README.md: --seconds 5); shorter runs swing more.
	apiPeerBudget = 5 * time.Second
	// apiRunTimeout bounds one sfnload run.
	apiRunTimeout = 3 * time.Minute
)

// moduleRoot is the directory holding go.mod, found from the working directory up.
func moduleRoot(tb testing.TB) string {
	tb.Helper()
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			tb.Skip("module root (go.mod) not found")
		}
		dir = parent
	}
}

// goBuild runs `go build -o out pkg` in dir with extra environment, and returns the build's output on failure.
func goBuild(ctx context.Context, dir, out, pkg string, env ...string) error {
	goBin, err := exec.LookPath("go")
	if err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, goBin, "build", "-o", out, pkg)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	if msg, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build %s: %w\n%s", pkg, err, msg)
	}
	return nil
}

// sfnloadBinary builds sfnload from ../shared/bench/sfnload (beside the module root; the directory may be
// read-only, so the binary goes to a temporary directory), or falls back to the binary built there; it skips the
// benchmark when neither is there.
func sfnloadBinary(b *testing.B, root string) string {
	b.Helper()
	dir := filepath.Join(root, "..", "shared", "bench", "sfnload")
	var buildErr error
	if _, err := os.Stat(filepath.Join(dir, "main.go")); err == nil {
		out := filepath.Join(b.TempDir(), "sfnload")
		// Its own module: not this one's workspace or flags (CI sets -mod=readonly), and its go.sum as it is.
		if buildErr = goBuild(b.Context(), dir, out, ".", "GOWORK=off", "GOFLAGS=-mod=mod"); buildErr == nil {
			return out
		}
	}
	prebuilt := filepath.Join(dir, "sfnload")
	if info, err := os.Stat(prebuilt); err == nil && info.Mode().IsRegular() && info.Mode()&0o111 != 0 {
		if buildErr != nil {
			b.Logf("building sfnload failed, its prebuilt binary runs: %v", buildErr)
		}
		return prebuilt
	}
	b.Skipf("sfnload not found in %s (neither its source nor its binary): the API benchmark needs it (build error: %v)", dir, buildErr)
	return ""
}

// loadResult is what sfnload -json prints that the benchmark reads.
type loadResult struct {
	ExecPerSec   float64 `json:"executions_per_s"`
	Succeeded    int     `json:"succeeded"`
	Failed       int     `json:"failed"`
	FirstFailure string  `json:"first_failure"`
	PeakRSSMiB   float64 `json:"peak_rss_mib"`
	SampleOutput string  `json:"sample_output"`
}

// apiRun is one sfnload run against one server.
type apiRun struct {
	rate               float64 // executions per second, the measured ones
	serverMS, clientMS float64 // CPU ms per execution of the server and of sfnload, over the whole run (warm-up included)
	peakRSS            float64 // the server's peak RSS in MiB during the measured executions
	output             string  // an execution's output
}

// runLoad runs sfnload against server for n executions after the warm-up, and measures the server's CPU time
// (from /proc) and sfnload's (its process's user and system time) over the run.
func runLoad(b *testing.B, sfnload string, server *serverProcess, n int) apiRun {
	b.Helper()
	ctx, cancel := context.WithTimeout(b.Context(), apiRunTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, sfnload, "-endpoint", server.url, "-def", "chain20",
		"-c", strconv.Itoa(apiClients), "-n", strconv.Itoa(n), "-warmup", strconv.Itoa(apiWarmup),
		"-json", "-pid", strconv.Itoa(server.pid()))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	before, err := procCPU(server.pid())
	if err != nil {
		b.Fatalf("the server's CPU time: %v", err)
	}
	out, runErr := cmd.Output()
	after, err := procCPU(server.pid())
	if err != nil {
		b.Fatalf("the server's CPU time: %v", err)
	}
	var res loadResult
	if err := json.Unmarshal(out, &res); err != nil || runErr != nil {
		b.Fatalf("sfnload against %s: %v (%v)\n%s\n%s", server.url, errors.Join(runErr, err), res.FirstFailure, out, stderr.String())
	}
	if res.Succeeded != n || res.Failed != 0 {
		b.Fatalf("sfnload against %s: %d of %d succeeded, %d failed (first: %s)", server.url, res.Succeeded, n, res.Failed, res.FirstFailure)
	}
	execs := float64(n + apiWarmup)
	return apiRun{
		rate:     res.ExecPerSec,
		serverMS: ms(after-before) / execs,
		clientMS: ms(cmd.ProcessState.UserTime()+cmd.ProcessState.SystemTime()) / execs,
		peakRSS:  res.PeakRSSMiB,
		output:   res.SampleOutput,
	}
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// withoutName is chain20's output text with the execution's name (which differs between runs) left out of it.
func withoutName(tb testing.TB, output string) string {
	tb.Helper()
	var out struct {
		Acc struct {
			ExecName string `json:"execName"`
		} `json:"acc"`
	}
	if err := json.Unmarshal([]byte(output), &out); err != nil || out.Acc.ExecName == "" {
		tb.Fatalf("chain20's output %q has no execution name (%v)", output, err)
	}
	return strings.Replace(output, `"execName":"`+out.Acc.ExecName+`"`, `"execName":""`, 1)
}

// apiSeries is one server's runs over the rounds.
type apiSeries []apiRun

func (s apiSeries) median(f func(apiRun) float64) float64 {
	xs := make([]float64, len(s))
	for i, r := range s {
		xs[i] = f(r)
	}
	return median(xs)
}

func (s apiSeries) rates() string {
	parts := make([]string, len(s))
	for i, r := range s {
		parts[i] = fmt.Sprintf("%.0f", r.rate)
	}
	return strings.Join(parts, ", ")
}

func (s apiSeries) peakRSS() float64 {
	peak := 0.0
	for _, r := range s {
		peak = max(peak, r.peakRSS)
	}
	return peak
}

// BenchmarkAPIVersusPeer measures issue 15's API row and what bounds it, in one run: sfnload (chain20, 16 clients,
// -api.n executions after 200 unmeasured ones; the real AWS SDK for Go v2, StartExecution then DescribeExecution)
// against `sluice up --empty`, built from this tree and run in its own process; against the floor, a server in its
// own process that does no work and answers as sluice answers (floor_test.go), at GOMAXPROCS 1 and at Go's default;
// and the peer (aws-local-stepfunctions, in process in Node, one execution at a time, as BenchmarkVersusPeer runs
// it). The four alternate for -api.rounds rounds; an iteration is all of them (run it with -benchtime 1x).
//
// The floor is the most any server could reach with this client on this machine: sfnload's own CPU per execution
// (SigV4 signing, JSON, net/http) and net/http's on the server side share the two cores with whatever the server
// does. The better of its two GOMAXPROCS settings (by the median) is the ceiling the ratios use.
//
// It prints one line per figure and reports the same as metrics, each the median of the rounds (ratios: the median
// of the rounds' own ratios): exec/s (sluice), floor-exec/s (the ceiling), floor-gmp1-exec/s and
// floor-gmpdefault-exec/s, peer-exec/s; x-peer (sluice/peer, the aim: 5), floor-x-peer (floor/peer: the most
// any server could reach), x-floor (sluice/floor); server-cpu-ms/exec and client-cpu-ms/exec for sluice and the
// floor (floor-...), each over the whole run divided by its executions, warm-up included; peak-rss-MiB of the
// servers (the largest of the rounds); peer-exec/cpu-s and x-peer-server-cpu, sluice's executions per CPU second
// of its server process over the peer's per CPU second of its own (a busy machine disturbs it less than x-peer);
// load-1m, the machine's load average at the start.
func BenchmarkAPIVersusPeer(b *testing.B) {
	if *apiN < 1 || *apiRounds < 1 {
		b.Fatalf("-api.n %d and -api.rounds %d must be at least 1", *apiN, *apiRounds)
	}
	root := moduleRoot(b)
	sfnload := sfnloadBinary(b, root)
	bin := filepath.Join(b.TempDir(), "sluice")
	if err := goBuild(b.Context(), root, bin, "./cmd/sluice"); err != nil {
		b.Fatal(err)
	}
	def, err := os.ReadFile(filepath.Join("testdata", "chain20.json"))
	if err != nil {
		b.Fatal(err)
	}
	up := exec.Command(bin, "up", "--empty", "--addr", "127.0.0.1:0", "--data", b.TempDir())
	// Stopped by Cleanup; killed should this process die first (the floors stop when their standard input ends).
	up.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	sluice := startServer(b, up, "sluice: local AWS listening on ")
	floors := []*serverProcess{startFloor(b, 1), startFloor(b, 0)}
	floorNames := []string{"GOMAXPROCS 1", fmt.Sprintf("GOMAXPROCS default (%d)", runtime.NumCPU())}
	load := loadAverage()

	var (
		sl      apiSeries
		fl      = make([]apiSeries, len(floors))
		peers   []peerResult
		checked bool
	)
	for b.Loop() {
		for range *apiRounds {
			s := runLoad(b, sfnload, sluice, *apiN)
			sl = append(sl, s)
			for i, f := range floors {
				r := runLoad(b, sfnload, f, *apiN)
				fl[i] = append(fl[i], r)
				if !checked {
					if diff := cmp.Diff(withoutName(b, r.output), withoutName(b, s.output)); diff != "" {
						b.Fatalf("the floor's chain20 output is not sluice's, byte for byte but the name (-floor +sluice):\n%s", diff)
					}
				}
			}
			checked = true
			if p, ok := peer(b, map[string][]byte{"chain20": def}, apiPeerBudget)["chain20"]; ok {
				if int64(p.StatesEntered+0.5) != 20 {
					b.Fatalf("the peer entered %.1f states an execution, want 20", p.StatesEntered)
				}
				peers = append(peers, p)
			}
		}
	}

	rate := func(r apiRun) float64 { return r.rate }
	// The ceiling: the floor's setting with the better median.
	best := 0
	for i := range fl {
		if fl[i].median(rate) > fl[best].median(rate) {
			best = i
		}
	}
	ceiling := fl[best]
	serverMS := func(r apiRun) float64 { return r.serverMS }
	clientMS := func(r apiRun) float64 { return r.clientMS }
	slRate, flRate := sl.median(rate), ceiling.median(rate)
	var xFloor []float64
	for i := range sl {
		xFloor = append(xFloor, sl[i].rate/ceiling[i].rate)
	}
	b.ReportMetric(slRate, "exec/s")
	b.ReportMetric(flRate, "floor-exec/s")
	b.ReportMetric(fl[0].median(rate), "floor-gmp1-exec/s")
	b.ReportMetric(fl[1].median(rate), "floor-gmpdefault-exec/s")
	b.ReportMetric(median(xFloor), "x-floor")
	b.ReportMetric(sl.median(serverMS), "server-cpu-ms/exec")
	b.ReportMetric(sl.median(clientMS), "client-cpu-ms/exec")
	b.ReportMetric(ceiling.median(serverMS), "floor-server-cpu-ms/exec")
	b.ReportMetric(ceiling.median(clientMS), "floor-client-cpu-ms/exec")
	b.ReportMetric(sl.peakRSS(), "peak-rss-MiB")
	b.ReportMetric(ceiling.peakRSS(), "floor-peak-rss-MiB")
	b.ReportMetric(load, "load-1m")
	b.ReportMetric(0, "ns/op")

	// At most ten lines: the testing package cuts a benchmark's log there.
	b.Logf("machine: load average %.2f (1 min) at the start, %.2f at the end; %d CPUs; sfnload chain20, %d clients, %d executions after %d unmeasured a run; medians of %d rounds",
		load, loadAverage(), runtime.NumCPU(), apiClients, *apiN, apiWarmup, len(sl))
	line := func(name string, s apiSeries) {
		b.Logf("%s: %.0f exec/s (%s); CPU per execution: server %.3f ms, client (sfnload) %.3f ms; server peak RSS %.0f MiB",
			name, s.median(rate), s.rates(), s.median(serverMS), s.median(clientMS), s.peakRSS())
	}
	line("sluice up", sl)
	for i := range fl {
		line("floor, "+floorNames[i], fl[i])
	}
	cpu := ceiling.median(serverMS) + ceiling.median(clientMS)
	b.Logf("ceiling: the floor at %s, the better of the two: %.0f exec/s; at its CPU per execution (server + client %.3f ms), %d cores give at most %.0f exec/s",
		floorNames[best], flRate, cpu, runtime.NumCPU(), float64(runtime.NumCPU())*1000/cpu)
	b.Logf("sluice/floor: %.2f (median of the rounds' ratios) of what any server could reach with this client here", median(xFloor))
	if len(peers) == 0 {
		return
	}
	var peerRates, peerCPU, xPeer, floorXPeer, xPeerServerCPU, xPeerBothCPU []float64
	for i, p := range peers {
		peerRates, peerCPU = append(peerRates, p.ExecutionsPerSecond), append(peerCPU, p.ExecutionsPerCPUSecond)
		xPeer = append(xPeer, sl[i].rate/p.ExecutionsPerSecond)
		floorXPeer = append(floorXPeer, ceiling[i].rate/p.ExecutionsPerSecond)
		// Per CPU second, which a busy machine disturbs less: the server's alone, and the server's and the
		// client's together (the peer has no client: it runs its executions in its own process).
		xPeerServerCPU = append(xPeerServerCPU, 1000/sl[i].serverMS/p.ExecutionsPerCPUSecond)
		xPeerBothCPU = append(xPeerBothCPU, 1000/(sl[i].serverMS+sl[i].clientMS)/p.ExecutionsPerCPUSecond)
	}
	b.ReportMetric(median(peerRates), "peer-exec/s")
	b.ReportMetric(median(peerCPU), "peer-exec/cpu-s")
	b.ReportMetric(median(xPeer), "x-peer")
	b.ReportMetric(median(floorXPeer), "floor-x-peer")
	b.ReportMetric(median(xPeerServerCPU), "x-peer-server-cpu")
	b.Logf("peer (aws-local-stepfunctions in process, one execution at a time): %.0f exec/s, %.0f exec/cpu-s", median(peerRates), median(peerCPU))
	b.Logf("sluice/peer: %.2fx per wall second (median of the rounds' ratios; issue 15's aim: 5x); per CPU second %.2fx for the server alone, %.2fx for server and client together",
		median(xPeer), median(xPeerServerCPU), median(xPeerBothCPU))
	b.Logf("floor/peer: %.2fx: the most any server could reach with this client on this machine", median(floorXPeer))
}
