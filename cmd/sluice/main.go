// Command sluice is the project's command line: it generates the deployable artifacts, builds the Lambda
// zips and deploys the stack.
//
//	sluice gen [--check] [--dir .]                 write (or check) the generated files
//	sluice build [--out dist]                      build reproducible arm64 Lambda zips
//	sluice deploy [--stack sluice] [--region R] [--endpoint URL] [--artifact-bucket B] [--yes] [--no-execute]
//	                                               build, upload, and deploy the stack through a change set
//	                                               (to AWS, or with --endpoint to the local stack)
//	sluice destroy [--stack sluice] [--endpoint URL] [--yes]
//	                                               delete the stack (the data bucket is retained)
//	sluice up [--addr 127.0.0.1:4566] [--data .sluice]
//	                                               serve the embedded local AWS until interrupted
//	sluice run [--endpoint URL] [--stack S] [FILE...]
//	                                               run files (default: the sample dataset) through the
//	                                               pipeline (embedded, at an endpoint, or in AWS) and
//	                                               print a summary
//	sluice logs [--endpoint URL] [-f] [KEY|EXECUTION-ARN|FUNCTION]
//	                                               the log lines of an object, an execution or a function
//	sluice show [--endpoint URL] KEY|EXECUTION-ARN  an object's or execution's story, state by state
//	sluice dlq [--endpoint URL] [--json] [--redrive [ID...]]
//	                                               list or redrive undeliverable events
//	sluice redrive [--endpoint URL] [--wait] EXECUTION-ARN|NAME
//	                                               redrive a failed execution from where it failed
//	sluice schema check FILE...                    check dataset schema files, every problem located
//	sluice version                                 module version and VCS revision of the binary
//	sluice test [--definition FILE] [--cases FILE] [--min-coverage N] [--html FILE] [--endpoint URL]
//	                                               run state machine test cases, report diffs and coverage
//
// Each subcommand lives in its own file (gen.go, build.go, deploy.go) as a func(ctx, args, stdio) error;
// main only parses the subcommand and picks the exit code.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

// stdio is where a subcommand writes: Out for results, Err for progress and diagnostics; In is where it
// reads answers to its questions (nil: there is no one to ask).
type stdio struct {
	Out, Err io.Writer
	In       io.Reader
}

// command is one subcommand.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, std stdio) error
}

// commands lists the subcommands, in the order usage shows them.
func commands() []command {
	return []command{
		{"gen", "write the generated files (deploy/template.json, the ASL, the mock config); --check compares", runGen},
		{"build", "build reproducible arm64 Lambda zips into --out (default dist)", runBuild},
		{"deploy", "build, upload and deploy the stack through a change set, to AWS or to --endpoint", runDeploy},
		{"destroy", "delete the deployed stack (the data bucket is kept, as the template says)", runDestroy},
		{"up", "serve the embedded local AWS built from the template (--addr, --data)", runUp},
		{"run", "upload files (default: the sample dataset) and follow their executions to a summary", runRun},
		{"logs", "print (-f: follow) the log lines of an object's executions, an execution or a function", runLogs},
		{"show", "tell an object's or an execution's story: each state, attempts, durations, errors, outputs", runShow},
		{"dlq", "list the events a running stack could not deliver (key, reason, age; --json), or --redrive them", runDLQ},
		{"redrive", "continue a failed, aborted or timed-out execution from the state that did not succeed", runRedrive},
		{"schema", "check dataset schema files: sluice schema check FILE... (every problem, with line and column)", runSchema},
		{"version", "print the module version and the VCS revision this binary was built from", runVersion},
		{"test", "run a case file against the state machine (in process, or --endpoint) with a coverage report", runTest},
	}
}

// errUsage marks a command-line mistake: exit status 2.
var errUsage = errors.New("usage")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:])
	stop()
	switch {
	case err == nil:
	case errors.Is(err, flag.ErrHelp):
	case errors.Is(err, errUsage):
		fmt.Fprintln(os.Stderr, "sluice:", err)
		os.Exit(2)
	default:
		fmt.Fprintln(os.Stderr, "sluice:", err)
		os.Exit(1)
	}
}

// run dispatches to the subcommand named by args[0].
func run(ctx context.Context, args []string) error {
	return dispatch(ctx, args, stdio{Out: os.Stdout, Err: os.Stderr, In: os.Stdin})
}

func dispatch(ctx context.Context, args []string, std stdio) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(std.Err)
		if len(args) == 0 {
			return fmt.Errorf("%w: no subcommand", errUsage)
		}
		return nil
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(ctx, args[1:], std)
		}
	}
	usage(std.Err)
	return fmt.Errorf("%w: unknown subcommand %q", errUsage, args[0])
}

func usage(w io.Writer) {
	var b strings.Builder
	b.WriteString("usage: sluice <subcommand> [flags]\n\nsubcommands:\n")
	for _, c := range commands() {
		fmt.Fprintf(&b, "  %-8s %s\n", c.name, c.summary)
	}
	b.WriteString("\nRun `sluice <subcommand> -h` for its flags.\n")
	io.WriteString(w, b.String())
}

// newFlagSet returns a flag set that reports errors instead of exiting and prints usage to std.Err.
func newFlagSet(name string, std stdio) *flag.FlagSet {
	fs := flag.NewFlagSet("sluice "+name, flag.ContinueOnError)
	fs.SetOutput(std.Err)
	return fs
}

// parseFlags parses args, turning a flag error into errUsage and rejecting positional arguments.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected arguments %q", errUsage, fs.Args())
	}
	return nil
}
