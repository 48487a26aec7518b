package peerbench

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"
)

// floorEnv, set to 1 in a test binary's environment, makes TestMain serve the floor instead of running tests
// (startFloor re-executes the test binary so): the floor is a process of its own, as `sluice up` is, without a
// package or binary of its own.
const floorEnv = "PEERBENCH_FLOOR"

// floorPrefix starts the line the floor prints once it listens, followed by its URL.
const floorPrefix = "floor listening on "

// chain20Input is the input sfnload (../shared/bench/sfnload) and the peer give chain20, as loads holds it.
const chain20Input = `{"id":"order-1","user":{"name":"ada"},"tags":["a","b","c"],"acc":{"step":-1}}`

// The floor's account and region are the local stack's.
const (
	floorRegion  = "us-east-1"
	floorAccount = "000000000000"
)

// floor is a Step Functions endpoint that does no work: it reads each request, decodes its few fields, and
// answers CreateStateMachine, StartExecution, DescribeExecution and DeleteStateMachine in AWS JSON 1.0 with the
// shapes and headers `sluice up` answers them with, every execution SUCCEEDED at once with the output chain20
// gives sfnload's input (its Parameters copy the execution's name into the output, so the answer carries the
// name asked about). It keeps nothing between requests. Under sfnload it is the most any server could reach with
// that client on the machine: what net/http and the client cost with no Step Functions behind them.
//
// The shapes follow the API reference (https://docs.aws.amazon.com/step-functions/latest/apireference/API_CreateStateMachine.html,
// API_StartExecution.html, API_DescribeExecution.html, API_DeleteStateMachine.html); an operation it does not
// serve gets UnknownOperationException and a body it cannot read SerializationException, both 400, as listed in
// https://docs.aws.amazon.com/step-functions/latest/apireference/CommonErrors.html.
type floor struct {
	now      func() time.Time
	requests atomic.Uint64
}

// newFloor returns a floor whose dates come from now.
func newFloor(now func() time.Time) *floor { return &floor{now: now} }

// The answers' shapes, their fields in the order `sluice up` writes them.
type (
	floorCreated struct {
		StateMachineArn string  `json:"stateMachineArn"`
		CreationDate    float64 `json:"creationDate"`
	}
	floorStarted struct {
		ExecutionArn string  `json:"executionArn"`
		StartDate    float64 `json:"startDate"`
	}
	floorIncluded struct {
		Included bool `json:"included"`
	}
	floorDescribed struct {
		ExecutionArn        string        `json:"executionArn"`
		StateMachineArn     string        `json:"stateMachineArn"`
		Name                string        `json:"name"`
		Status              string        `json:"status"`
		StartDate           float64       `json:"startDate"`
		StopDate            float64       `json:"stopDate"`
		Input               string        `json:"input"`
		InputDetails        floorIncluded `json:"inputDetails"`
		Output              string        `json:"output"`
		OutputDetails       floorIncluded `json:"outputDetails"`
		RedriveCount        int           `json:"redriveCount"`
		RedriveStatus       string        `json:"redriveStatus"`
		RedriveStatusReason string        `json:"redriveStatusReason"`
	}
	floorError struct {
		Type    string `json:"__type"`
		Message string `json:"message"`
	}
)

// floorRequest holds the fields of the four operations' requests the floor reads.
type floorRequest struct {
	Name            string `json:"name"`
	StateMachineArn string `json:"stateMachineArn"`
	ExecutionArn    string `json:"executionArn"`
}

// chain20Output is the output chain20 gives chain20Input in an execution named name, as `sluice up` writes it
// (keys in order); name needs no escaping in JSON (an execution name may hold no quote, backslash or control
// character).
func chain20Output(name string) string {
	return `{"acc":{"const":"s19","execName":"` + name + `","id":"order-1","nested":{"who":"ada"},"prev":18,"step":19,"tags":["a","b","c"]},"id":"order-1","tags":["a","b","c"],"user":{"name":"ada"}}`
}

// validName reports whether name is a Step Functions name: 1 to 80 characters, none of them white space,
// brackets, wildcards, the special characters " # % \ ^ | ~ ` $ & , ; : / or a control character, in UTF-8
// (https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html, name).
func validName(name string) bool {
	if name == "" || !utf8.ValidString(name) || utf8.RuneCountInString(name) > 80 {
		return false
	}
	for _, r := range name {
		if r <= 0x20 || (r >= 0x7f && r <= 0x9f) || strings.ContainsRune("<>{}[]?*\"#%\\^|~`$&,;:/", r) {
			return false
		}
	}
	return true
}

// epoch is t in the API's timestamps: seconds since 1970, to the millisecond.
func epoch(t time.Time) float64 { return float64(t.UnixMilli()) / 1000 }

func (f *floor) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return
	}
	n := f.requests.Add(1)
	h := w.Header()
	h.Set("Content-Type", "application/x-amz-json-1.0")
	h.Set("X-Amzn-Requestid", fmt.Sprintf("00000000-0000-4000-8000-%012x", n))
	op, ok := strings.CutPrefix(r.Header.Get("X-Amz-Target"), "AWSStepFunctions.")
	var req floorRequest
	if ok && json.Unmarshal(body, &req) != nil {
		f.fail(w, "SerializationException", "the request body is not a JSON object of the operation's input")
		return
	}
	now := epoch(f.now())
	switch op {
	case "CreateStateMachine":
		if !validName(req.Name) {
			f.fail(w, "InvalidName", "Invalid Name: '"+req.Name+"'")
			return
		}
		f.answer(w, floorCreated{StateMachineArn: "arn:aws:states:" + floorRegion + ":" + floorAccount + ":stateMachine:" + req.Name, CreationDate: now})
	case "StartExecution":
		machine, ok := strings.CutPrefix(req.StateMachineArn, "arn:aws:states:"+floorRegion+":"+floorAccount+":stateMachine:")
		if !ok || !validName(machine) {
			f.fail(w, "InvalidArn", "Invalid Arn: '"+req.StateMachineArn+"'")
			return
		}
		if !validName(req.Name) {
			f.fail(w, "InvalidName", "Invalid Name: '"+req.Name+"'")
			return
		}
		f.answer(w, floorStarted{ExecutionArn: "arn:aws:states:" + floorRegion + ":" + floorAccount + ":execution:" + machine + ":" + req.Name, StartDate: now})
	case "DescribeExecution":
		rest, ok := strings.CutPrefix(req.ExecutionArn, "arn:aws:states:"+floorRegion+":"+floorAccount+":execution:")
		machine, name, ok2 := strings.Cut(rest, ":")
		if !ok || !ok2 || !validName(machine) || !validName(name) {
			f.fail(w, "InvalidArn", "Invalid Arn: '"+req.ExecutionArn+"'")
			return
		}
		f.answer(w, floorDescribed{
			ExecutionArn:        req.ExecutionArn,
			StateMachineArn:     "arn:aws:states:" + floorRegion + ":" + floorAccount + ":stateMachine:" + machine,
			Name:                name,
			Status:              "SUCCEEDED",
			StartDate:           now,
			StopDate:            now,
			Input:               chain20Input,
			InputDetails:        floorIncluded{Included: true},
			Output:              chain20Output(name),
			OutputDetails:       floorIncluded{Included: true},
			RedriveStatus:       "NOT_REDRIVABLE",
			RedriveStatusReason: "Execution is SUCCEEDED and cannot be redriven",
		})
	case "DeleteStateMachine":
		f.answer(w, struct{}{})
	default:
		f.fail(w, "UnknownOperationException", "Operation \""+r.Header.Get("X-Amz-Target")+"\" is not supported")
	}
}

// answer writes v as a 200 answer.
func (f *floor) answer(w http.ResponseWriter, v any) {
	out, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(out)))
	_, _ = w.Write(out)
}

// fail writes a 400 answer with the error code as AWS JSON 1.0 carries it: X-Amzn-Errortype and __type.
func (f *floor) fail(w http.ResponseWriter, code, message string) {
	w.Header().Set("X-Amzn-Errortype", code)
	out, _ := json.Marshal(floorError{Type: code, Message: message})
	w.Header().Set("Content-Length", strconv.Itoa(len(out)))
	w.WriteHeader(http.StatusBadRequest)
	_, _ = w.Write(out)
}

// serveFloor serves the floor on a free loopback port until stdin ends (the parent closed it or exited) or an
// interrupt arrives, printing its URL on out first; it returns the process's exit code.
func serveFloor(stdin io.Reader, out io.Writer) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, "floor:", err)
		return 1
	}
	srv := &http.Server{Handler: newFloor(time.Now), ReadHeaderTimeout: 10 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		_, _ = io.Copy(io.Discard, stdin)
		stop()
	}()
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	fmt.Fprintf(out, "%shttp://%s (GOMAXPROCS %d, pid %d)\n", floorPrefix, ln.Addr(), runtime.GOMAXPROCS(0), os.Getpid())
	select {
	case <-ctx.Done():
		_ = srv.Close()
		return 0
	case err := <-served:
		fmt.Fprintln(os.Stderr, "floor:", err)
		return 1
	}
}

// serverProcess is a server running in a process of its own: `sluice up` or the floor.
type serverProcess struct {
	cmd    *exec.Cmd
	url    string
	stdin  io.WriteCloser
	stderr *bytes.Buffer // read only once the process has been waited for
	once   sync.Once
}

func (p *serverProcess) pid() int { return p.cmd.Process.Pid }

// startServer starts cmd and waits (up to a minute) for the line of its standard output that begins with
// prefix, whose next field is the server's URL; the server is stopped when the test ends.
func startServer(tb testing.TB, cmd *exec.Cmd, prefix string) *serverProcess {
	tb.Helper()
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		tb.Fatal(err)
	}
	p := &serverProcess{cmd: cmd, stdin: stdin, stderr: new(bytes.Buffer)}
	cmd.Stderr = p.stderr
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(p.stop)
	found := make(chan string, 1)
	go func() {
		// Whatever follows the line is read and dropped, so that a server printing as it works never blocks.
		defer func() { _, _ = io.Copy(io.Discard, stdout) }()
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if rest, ok := strings.CutPrefix(sc.Text(), prefix); ok {
				if f := strings.Fields(rest); len(f) > 0 {
					found <- f[0]
					return
				}
			}
		}
		close(found)
	}()
	select {
	case url, ok := <-found:
		if ok {
			p.url = url
			return p
		}
	case <-time.After(time.Minute):
	}
	p.stop()
	tb.Fatalf("%s printed no line starting %q; its standard error:\n%s", cmd.Path, prefix, p.stderr.String())
	return nil
}

// stop asks the server to stop (closes its standard input and interrupts it, as Ctrl-C does), kills it when it
// has not stopped within 10 s, and reaps it.
func (p *serverProcess) stop() {
	p.once.Do(func() {
		_ = p.stdin.Close()
		_ = p.cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = p.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = p.cmd.Process.Kill()
			<-done
		}
	})
}

// startFloor starts the floor in a process of its own (this test binary again), at the given GOMAXPROCS, or Go's
// default for 0 (a GOMAXPROCS in this process's environment is left out).
func startFloor(tb testing.TB, gomaxprocs int) *serverProcess {
	tb.Helper()
	exe, err := os.Executable()
	if err != nil {
		tb.Fatal(err)
	}
	cmd := exec.Command(exe)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GOMAXPROCS=") && !strings.HasPrefix(kv, floorEnv+"=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, floorEnv+"=1")
	if gomaxprocs > 0 {
		cmd.Env = append(cmd.Env, "GOMAXPROCS="+strconv.Itoa(gomaxprocs))
	}
	return startServer(tb, cmd, floorPrefix)
}
