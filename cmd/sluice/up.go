package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"runtime/pprof"
	"strings"
	"syscall"

	"github.com/sluicehq/sluice/internal/gcheadroom"
	localsfn "github.com/sluicehq/sluice/local/sfn"
	"github.com/sluicehq/sluice/local/stack"
)

// runUp serves the embedded local AWS until interrupted:
//
//	sluice up [--addr 127.0.0.1:4566] [--data .sluice] [--template FILE] [--watch] [--empty]
//	          [--allow-host NAME]... [--allow-origin URL]...
func runUp(ctx context.Context, args []string, std stdio) error {
	fs := newFlagSet("up", std)
	addr := fs.String("addr", "127.0.0.1:4566", "address to serve every service on (loopback unless you say otherwise)")
	var hosts, origins listFlag
	fs.Var(&hosts, "allow-host", "a host name, besides IP addresses and localhost, that clients may reach the endpoint by (repeat, or separate with commas), e.g. host.docker.internal")
	fs.Var(&origins, "allow-origin", "an origin whose web pages may call the endpoint from a browser (repeat, or separate with commas), e.g. http://localhost:3000")
	data := fs.String("data", ".sluice", "directory that keeps the services' data between runs")
	template := fs.String("template", "", "a generated CloudFormation template file to build the stack from (default: the one built into this binary)")
	verbose := fs.Bool("v", false, "also print the tasks' log lines as they arrive, and the services' own messages")
	watch := fs.Bool("watch", false, "deploy the template file again whenever it changes (make gen after editing gen/config.go), as a CloudFormation stack update")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the whole run to this file when it stops (go tool pprof FILE)")
	memprofile := fs.String("memprofile", "", "write a profile of the memory allocated over the whole run to this file when it stops (go tool pprof FILE)")
	gcHeadroomMiB := fs.Uint64("gc-headroom", gcheadroom.DefaultMiB, "MiB the heap may grow beyond what is live before the garbage collector runs (0: Go's default, GOGC=100; a GOGC in the environment wins)")
	empty := fs.Bool("empty", false, "start the services without deploying a stack (deploy one yourself: aws cloudformation deploy, sluice deploy --endpoint)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *watch && *empty {
		return fmt.Errorf("%w: --watch and --empty exclude each other: --watch redeploys the template that --empty does not deploy", errUsage)
	}
	if *watch && *template == "" {
		*template = defaultTemplatePath
		if _, err := os.Stat(*template); err != nil {
			return fmt.Errorf("%w: --watch needs a template file to watch: pass --template FILE (or run from the repository, to watch %s)", errUsage, defaultTemplatePath)
		}
	}
	defer gcheadroom.Start(*gcHeadroomMiB << 20)()
	if *cpuprofile != "" {
		stop, err := startCPUProfile(*cpuprofile)
		if err != nil {
			return err
		}
		defer stop()
	}
	if *memprofile != "" {
		defer writeAllocProfile(*memprofile, std)
	}
	st, err := startStack(*addr, *data, *template, *verbose, *empty, std, hosts, origins)
	if err != nil {
		return err
	}
	if err := st.StartDeployError(); err != nil {
		fmt.Fprintf(std.Err, "sluice: WARNING: the template's changes were not deployed, the update rolled back and the stack runs as it was: %v\n", err)
	}
	if *watch {
		go watchTemplate(ctx, st, *template, std)
	}
	res := st.Resources()
	fmt.Fprintf(std.Out, `sluice: local AWS listening on %[1]s (data in %[2]s, pid %[7]d)

  console         %[5]s
  bucket          %[3]s
  state machine   %[4]s

Use it with the AWS CLI:

  export AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local AWS_DEFAULT_REGION=us-east-1
  export AWS_ENDPOINT_URL=%[1]s   # or pass --endpoint-url %[1]s to each command
  export AWS_DISABLE_HOST_PREFIX_INJECTION=true   # for start-sync-execution (else it calls sync-<host>)
  aws s3 cp orders.json s3://%[3]s/schemas/orders.json      # a schema: sluice schema check orders.json
  aws s3 cp 2024-03-01.csv s3://%[3]s/incoming/orders/2024-03-01.csv
  aws stepfunctions list-executions --state-machine-arn %[4]s
  aws s3 ls s3://%[3]s --recursive
  aws logs tail %[6]s --follow     # AWS CLI v2
  aws logs start-live-tail --log-group-identifiers arn:aws:logs:us-east-1:000000000000:log-group:%[6]s   # v1 and v2

or run the sample dataset (or your files) through it: sluice run --endpoint %[1]s [FILE...]
Scripts can wait for it with: curl -fs %[1]s/_sluice/health

See an object's story: sluice show --endpoint %[1]s incoming/<dataset>/<file>
and its log lines:     sluice logs --endpoint %[1]s -f incoming/<dataset>/<file>
Stop with Ctrl-C; executions in flight resume on the next start. Executions as they start and end:
`, st.URL(), *data, res.Bucket, res.StateMachineArn, st.ConsoleURL(), res.FunctionLogGroups["ValidateFunction"], os.Getpid())
	if *empty {
		fmt.Fprintf(std.Out, "\nNo stack is deployed (--empty): deploy one through the local CloudFormation, e.g.\n  aws cloudformation deploy --template-file deploy/template.json --stack-name sluice --s3-bucket sluice-artifacts --capabilities CAPABILITY_IAM --parameter-overrides ArtifactBucket=sluice-artifacts ValidateCodeKey=v.zip ProcessCodeKey=p.zip StoreCodeKey=s.zip\n(with AWS_ENDPOINT_URL=%s, and the bucket made first: aws s3 mb s3://sluice-artifacts)\n", st.URL())
	}
	reportRecovery(ctx, st, *data, std)
	// One line per execution start and end (and, with -v, the tasks' log lines), read from the stack's own
	// CloudWatch Logs.
	watchCtx, stopWatch := context.WithCancel(ctx)
	watched := make(chan struct{})
	go func() {
		defer close(watched)
		watchStack(watchCtx, st.URL(), st.ConsoleURL(), res, *verbose, std)
	}()
	<-ctx.Done()
	stopWatch()
	<-watched
	fmt.Fprintln(std.Err, "sluice: shutting down")
	return st.Close()
}

// startCPUProfile profiles the process's CPU into path until the returned function is called.
func startCPUProfile(path string) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}

// writeAllocProfile writes the profile of the memory allocated since the process started to path.
func writeAllocProfile(path string, std stdio) {
	f, err := os.Create(path)
	if err == nil {
		err = errors.Join(pprof.Lookup("allocs").WriteTo(f, 0), f.Close())
	}
	if err != nil {
		fmt.Fprintf(std.Err, "sluice: memory profile: %v\n", err)
	}
}

// startStack binds addr and starts the stack from the template file; hosts and origins are the names
// and origins allowed past the guard besides loopback (stack.Config.AllowHosts, AllowOrigins).
func startStack(addr, data, templatePath string, verbose, empty bool, std stdio, hosts, origins []string) (*stack.Stack, error) {
	var tpl []byte
	var err error
	if !empty {
		if tpl, err = templateBytes(templatePath); err != nil {
			return nil, err
		}
	}
	l, err := net.Listen("tcp", addr)
	if errors.Is(err, syscall.EADDRINUSE) {
		return nil, fmt.Errorf("listen on %s: the address is already in use (another sluice up?): stop that one, or pass --addr with another port, e.g. --addr 127.0.0.1:4567", addr)
	}
	if err != nil {
		return nil, fmt.Errorf("listen: %w", err)
	}
	logger := slog.New(slog.DiscardHandler)
	if verbose {
		logger = slog.New(slog.NewTextHandler(std.Err, nil))
	}
	cfg := stack.Config{Template: tpl, Empty: empty, DataDir: data, Functions: stack.PipelineFunctions(), Logger: logger,
		AllowHosts: hosts, AllowOrigins: origins}
	if path := os.Getenv("SFN_MOCK_CONFIG"); path != "" {
		// As Step Functions Local does: executions started on <stateMachineArn>#<TestCase> are mocked.
		if cfg.MockConfig, err = localsfn.LoadMockConfig(path); err != nil {
			l.Close()
			return nil, err
		}
		fmt.Fprintf(std.Err, "sluice: mocked test cases from %s (start executions on <stateMachineArn>#<TestCase>)\n", path)
	}
	st, err := stack.Start(l, cfg)
	if err != nil {
		l.Close()
		return nil, fmt.Errorf("start local AWS: %w", err)
	}
	return st, nil
}

// listFlag is a flag that may be repeated, each value a comma-separated list.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(v string) error {
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			*l = append(*l, s)
		}
	}
	return nil
}

// reportRecovery tells the operator what the stack found damaged in the data directory, and then what the
// re-drive of the objects left without an outcome did.
func reportRecovery(ctx context.Context, st *stack.Stack, data string, std stdio) {
	rec := st.Recovery()
	if !rec.Redrive {
		return
	}
	if l := rec.StepFunctions; l.Lost() {
		fmt.Fprintf(std.Err, "sluice: WARNING: Step Functions data in %s was damaged: %d corrupt ranges (%d bytes) skipped, %d snapshots set aside, %d records of executions whose start was lost. Executions may be gone.\n",
			data, l.Corrupt, l.Bytes, l.Snapshots, l.Orphans)
	}
	fmt.Fprintln(std.Err, "sluice: re-driving the objects under incoming/ that have no outcome and no running execution")
	go func() {
		res, err := st.WaitObjectRecovery(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			fmt.Fprintf(std.Err, "sluice: re-drive incomplete (it runs again at the next start): %v\n", err)
		case err == nil:
			fmt.Fprintf(std.Err, "sluice: re-drive done: %d of %d objects had no outcome and were sent through the pipeline again\n", len(res.Redriven), res.Checked)
		}
	}()
}
