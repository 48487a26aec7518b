package main

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/aws/smithy-go/middleware"

	"github.com/sluicehq/sluice/internal/gcheadroom"
	"github.com/sluicehq/sluice/local/console"
	localsfn "github.com/sluicehq/sluice/local/sfn"
	"github.com/sluicehq/sluice/local/stack"
	"github.com/sluicehq/sluice/statemachine"
	"github.com/sluicehq/sluice/tasks"
	"github.com/sluicehq/sluice/tasks/store"
)

// runRun uploads files to the pipeline bucket and follows their executions to the end:
//
//	sluice run [--endpoint URL] [--stack NAME] [--data DIR] [--strict] [--dataset NAME] [--schema FILE] [FILE...]
//
// With --stack (in AWS) or --endpoint it runs through a deployed stack, found by its outputs
// (stackResources). Without either it starts an embedded stack for the run (on --data, kept, or a temporary directory);
// without files it uploads the sample dataset (the one built into the binary, or --sample DIR). A
// --schema file is checked before anything is uploaded. While an object takes long, a progress line says
// which state it is in. --strict makes a rejected object fail the run as a failed one does.
func runRun(ctx context.Context, args []string, std stdio) error {
	fset := newFlagSet("run", std)
	endpoint := fset.String("endpoint", "", "the endpoint of a running stack (sluice up: http://127.0.0.1:4566, or any other); without it and --stack, an embedded one is started for this run")
	stackName := fset.String("stack", "", "run through this deployed stack (default sluice with --endpoint); without --endpoint, the stack in AWS")
	region := fset.String("region", "", "AWS region of --stack (default: the AWS configuration's)")
	data := fset.String("data", "", "data directory of the embedded stack (default: a temporary one)")
	dataset := fset.String("dataset", "", "dataset of the files (default: taken from a path like incoming/<dataset>/file)")
	schema := fset.String("schema", "", "schema file to upload as schemas/<dataset>.json first")
	template := fset.String("template", "", "a generated CloudFormation template file (default: the one built into this binary)")
	sampleDir := fset.String("sample", "", "a directory with schemas/ and incoming/ to run when no FILE is given (default: the sample built into this binary)")
	timeout := fset.Duration("timeout", 5*time.Minute, "how long to wait for the executions")
	strict := fset.Bool("strict", false, "exit non-zero when any object is rejected, not only when an execution fails")
	gcHeadroomMiB := fset.Uint64("gc-headroom", gcheadroom.DefaultMiB, "embedded stack: MiB the heap may grow beyond what is live before the garbage collector runs, as in sluice up (0: Go's default, GOGC=100; a GOGC in the environment wins)")
	fset.Usage = func() {
		fmt.Fprint(fset.Output(), `usage: sluice run [flags] [FILE...]

Uploads FILEs to incoming/<dataset>/ in the pipeline bucket (the dataset comes from --dataset, or from a
path like incoming/<dataset>/file), with --schema first as schemas/<dataset>.json, and follows each
object's execution to its outcome. Without FILEs it runs the sample dataset. Without --endpoint or
--stack it starts an embedded stack for the run; with --stack NAME it runs through that deployed stack in
AWS (default credential chain and region), with --endpoint URL through the stack at that endpoint (the
stack named by --stack, default sluice), the bucket and the state machine read from the stack's outputs.
--strict fails the run on a rejection too.

flags:
`)
		fset.PrintDefaults()
	}
	if err := fset.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	uploads, err := planUploads(fset.Args(), *dataset, *schema, sampleFS(*sampleDir))
	if err != nil {
		return err
	}
	if *schema != "" {
		if err := checkSchemaFile(*schema, uploads[0].key, std); err != nil {
			return fmt.Errorf("%w; nothing was uploaded", err)
		}
	}

	var (
		s3c  *s3.Client
		sfnc *sfn.Client
		res  stack.Resources
		url  = *endpoint
		// inAWS: the stack runs in AWS, not at an endpoint.
		inAWS bool
	)
	if *endpoint != "" || *stackName != "" {
		// A deployed stack, in AWS or at the endpoint: the default credential chain, and the bucket and
		// the state machine from the stack's outputs.
		target, r, err := deployedStack(ctx, *endpoint, *stackName, *region)
		if err != nil {
			return err
		}
		res, url, inAWS = r, target.endpoint, target.endpoint == ""
		s3c, sfnc = target.s3(), target.sfn()
	} else {
		dir := *data
		if dir == "" {
			if dir, err = os.MkdirTemp("", "sluice-run-"); err != nil {
				return err
			}
			defer os.RemoveAll(dir)
		}
		defer gcheadroom.Start(*gcHeadroomMiB << 20)()
		st, err := startStack("127.0.0.1:0", dir, *template, false, false, std, nil, nil)
		if holder := runningEndpoint(err); holder != "" {
			// `make run` while `make up` serves the same directory: run through the running stack.
			fmt.Fprintf(std.Err, "sluice: %s is served by a running sluice: running through it on %s\n", dir, holder)
			return runRun(ctx, append([]string{"--endpoint", holder}, args...), std)
		}
		if err != nil {
			return err
		}
		defer st.Close()
		url = st.URL()
		res = st.Resources()
		fmt.Fprintf(std.Err, "sluice: embedded local AWS on %s (it stops when this run ends; `sluice up` keeps one running)\n", url)
		fmt.Fprintf(std.Err, "sluice: console on %s while this run lasts\n", st.ConsoleURL())
		creds := credentials.NewStaticCredentialsProvider("local", "local", "")
		s3c = s3.New(s3.Options{Region: "us-east-1", BaseEndpoint: aws.String(url), UsePathStyle: true, Credentials: creds,
			RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired, ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired})
		sfnc = sfn.New(sfn.Options{Region: "us-east-1", BaseEndpoint: aws.String(url), Credentials: creds,
			APIOptions: []func(*middleware.Stack) error{localsfn.DisableHostPrefix}})
	}
	r := &runner{s3: s3c, sfn: sfnc, res: res, std: std, url: url, inAWS: inAWS}

	before, err := r.executionArns(ctx)
	if err != nil {
		return fmt.Errorf("list executions (is %s a sluice stack?): %w", cmp.Or(url, "the stack"), err)
	}
	var watched []string
	for _, u := range uploads {
		body, err := fs.ReadFile(u.fsys, u.path)
		if err != nil {
			return err
		}
		if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(res.Bucket), Key: aws.String(u.key), Body: bytes.NewReader(body)}); err != nil {
			return fmt.Errorf("upload %s: %w", u.key, err)
		}
		fmt.Fprintf(std.Err, "uploaded s3://%s/%s (%s)\n", res.Bucket, u.key, plural(len(body), "byte"))
		if strings.HasPrefix(u.key, tasks.PrefixIncoming) {
			watched = append(watched, u.key)
		}
	}
	waitCtx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	outcomes, err := r.follow(waitCtx, watched, before)
	embedded := *endpoint == "" && *stackName == ""
	kept := ""
	if embedded {
		kept = *data
	}
	r.summary(outcomes, url, embedded, kept)
	if err != nil {
		return err
	}
	failed, rejected := 0, 0
	for _, o := range outcomes {
		switch {
		case o.status != "SUCCEEDED":
			failed++
		case o.result == "rejected":
			rejected++
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d of %s failed", failed, plural(len(outcomes), "execution"))
	}
	if *strict && rejected > 0 {
		return fmt.Errorf("%d of %s rejected (--strict)", rejected, plural(len(outcomes), "object"))
	}
	return nil
}

// fileUpload is one file to upload: path in fsys, to key.
type fileUpload struct {
	fsys      fs.FS
	path, key string
}

// planUploads says what goes where: the sample dataset in samples by default, or the given files under
// incoming/<dataset>/, with the schema first as schemas/<dataset>.json.
func planUploads(files []string, dataset, schema string, samples fs.FS) ([]fileUpload, error) {
	if len(files) == 0 {
		if schema != "" || dataset != "" {
			return nil, fmt.Errorf("%w: --schema and --dataset go with files", errUsage)
		}
		var ups []fileUpload
		for _, dir := range []string{strings.TrimSuffix(tasks.PrefixSchemas, "/"), strings.TrimSuffix(tasks.PrefixIncoming, "/")} { // schemas first: no object is validated before its schema is there
			err := fs.WalkDir(samples, dir, func(path string, d fs.DirEntry, err error) error {
				if err != nil {
					return err
				}
				if !d.IsDir() {
					ups = append(ups, fileUpload{samples, path, path})
				}
				return nil
			})
			if err != nil {
				return nil, fmt.Errorf("read the sample dataset: %w", err)
			}
		}
		return ups, nil
	}
	open := func(path string) (fs.FS, string) { return os.DirFS(filepath.Dir(path)), filepath.Base(path) }
	var ups []fileUpload
	for _, f := range files {
		ds := dataset
		if ds == "" {
			parts := strings.Split(filepath.ToSlash(f), "/")
			for i := 0; i+2 < len(parts); i++ {
				if parts[i]+"/" == tasks.PrefixIncoming {
					ds = parts[i+1]
				}
			}
		}
		if ds == "" {
			return nil, fmt.Errorf("%w: no dataset for %s: pass --dataset", errUsage, f)
		}
		if schema != "" && len(ups) == 0 {
			fsys, p := open(schema)
			ups = append(ups, fileUpload{fsys, p, tasks.PrefixSchemas + ds + ".json"})
		}
		fsys, p := open(f)
		ups = append(ups, fileUpload{fsys, p, tasks.PrefixIncoming + ds + "/" + filepath.Base(f)})
	}
	return ups, nil
}

type runner struct {
	s3    *s3.Client
	sfn   *sfn.Client
	res   stack.Resources
	std   stdio
	url   string // the stack's endpoint, for the console links ("" in AWS)
	inAWS bool   // the stack runs in AWS
}

// outcome is how one object's execution ended.
type outcome struct {
	key, execution, status string
	result, where          string
}

func (r *runner) executionArns(ctx context.Context) (map[string]bool, error) {
	seen := map[string]bool{}
	p := sfn.NewListExecutionsPaginator(r.sfn, &sfn.ListExecutionsInput{StateMachineArn: aws.String(r.res.StateMachineArn), MaxResults: 1000})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, x := range page.Executions {
			seen[aws.ToString(x.ExecutionArn)] = true
		}
	}
	return seen, nil
}

// follow waits for one ended execution per watched key, printing each as it ends.
func (r *runner) follow(ctx context.Context, keys []string, before map[string]bool) ([]outcome, error) {
	want := map[string]bool{}
	for _, k := range keys {
		want[k] = true
	}
	done := map[string]outcome{}
	keyOf := map[string]string{} // execution -> key, for the new executions
	prog := &progress{keyOf: map[string]string{}, started: map[string]time.Time{}, last: time.Now()}
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for len(done) < len(want) {
		p := sfn.NewListExecutionsPaginator(r.sfn, &sfn.ListExecutionsInput{StateMachineArn: aws.String(r.res.StateMachineArn), MaxResults: 1000})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return sortOutcomes(done), err
			}
			for _, x := range page.Executions {
				arn := aws.ToString(x.ExecutionArn)
				if before[arn] {
					continue
				}
				if x.Status == sfntypes.ExecutionStatusRunning {
					prog.running(arn, aws.ToTime(x.StartDate))
					continue
				}
				prog.ended(arn)
				if _, ok := keyOf[arn]; ok {
					continue
				}
				o, err := r.describe(ctx, arn)
				if err != nil {
					return sortOutcomes(done), err
				}
				keyOf[arn] = o.key
				if want[o.key] {
					if _, dup := done[o.key]; !dup {
						done[o.key] = o
						fmt.Fprintf(r.std.Err, "[%d/%d] %-45s %-9s %s\n", len(done), len(want), o.key, o.result, o.where)
						fmt.Fprintf(r.std.Err, "      %s\n", executionLink(r.url, arn))
					}
				}
			}
		}
		if len(done) == len(want) {
			break
		}
		r.report(ctx, prog, want)
		select {
		case <-ctx.Done():
			return sortOutcomes(done), fmt.Errorf("%d of %s still running: %w", len(want)-len(done), plural(len(want), "object"), ctx.Err())
		case <-tick.C:
		}
	}
	return sortOutcomes(done), nil
}

// progress tracks the executions still running, for the progress lines of long objects.
type progress struct {
	keyOf   map[string]string // running execution -> object key
	started map[string]time.Time
	last    time.Time // when progress lines were last printed
}

func (p *progress) running(arn string, start time.Time) {
	if _, ok := p.started[arn]; !ok {
		p.started[arn] = start
	}
}

func (p *progress) ended(arn string) {
	delete(p.started, arn)
	delete(p.keyOf, arn)
}

// progressEvery is how often a long-running object's progress line is printed.
const progressEvery = 2 * time.Second

// report prints, every progressEvery, a line per watched object whose execution has run longer than that:
// the state it is in and for how long it has run.
func (r *runner) report(ctx context.Context, p *progress, want map[string]bool) {
	if time.Since(p.last) < progressEvery {
		return
	}
	p.last = time.Now()
	arns := make([]string, 0, len(p.started))
	for arn, start := range p.started {
		if time.Since(start) >= progressEvery {
			arns = append(arns, arn)
		}
	}
	sort.Strings(arns)
	for _, arn := range arns {
		key, ok := p.keyOf[arn]
		if !ok {
			d, err := r.sfn.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(arn)})
			if err != nil {
				continue
			}
			key = objectKeyOf(aws.ToString(d.Input))
			p.keyOf[arn] = key
		}
		if !want[key] {
			continue
		}
		state := "starting"
		h, err := r.sfn.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: aws.String(arn), ReverseOrder: true, MaxResults: 20})
		if err == nil {
			for _, ev := range h.Events {
				if ev.StateEnteredEventDetails != nil {
					state = aws.ToString(ev.StateEnteredEventDetails.Name)
					break
				}
			}
		}
		fmt.Fprintf(r.std.Err, "  ... %-45s %-12s running %s  %s\n", key, state,
			time.Since(p.started[arn]).Round(100*time.Millisecond), arn[strings.LastIndex(arn, ":")+1:])
	}
}

func sortOutcomes(m map[string]outcome) []outcome {
	out := make([]outcome, 0, len(m))
	for _, o := range m {
		out = append(out, o)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].key < out[j].key })
	return out
}

// describe reads an ended execution: which object, and what became of it.
func (r *runner) describe(ctx context.Context, arn string) (outcome, error) {
	d, err := r.sfn.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(arn)})
	if err != nil {
		return outcome{}, err
	}
	var in statemachine.Input
	if err := json.Unmarshal([]byte(aws.ToString(d.Input)), &in); err != nil {
		in.Detail.Object.Key = "(input is not an S3 event: " + err.Error() + ")"
	}
	o := outcome{key: in.Detail.Object.Key, execution: arn, status: string(d.Status)}
	if d.Status != sfntypes.ExecutionStatusSucceeded {
		o.result = strings.ToLower(string(d.Status))
		if aws.ToString(d.Error) == tasks.ErrorNameSchema {
			o.result = store.OutcomeMisconfigured // the dataset's schema object is broken: fix it and upload again
		}
		o.where = aws.ToString(d.Error) + ": " + firstLine(aws.ToString(d.Cause))
		if rec := r.failureRecord(ctx, o.key, arn); rec != "" {
			o.where = rec + "  (" + o.where + ")"
		}
		return o, nil
	}
	var out statemachine.Output
	if err := json.Unmarshal([]byte(aws.ToString(d.Output)), &out); err != nil {
		return o, fmt.Errorf("execution %s output: %w", arn, err)
	}
	var report tasks.Report
	if out.Validation != nil {
		report = out.Validation.Report
	}
	switch {
	case out.Stored != nil:
		o.result = out.Stored.Output.Outcome
		o.where = fmt.Sprintf("%s (%d rows; manifest %s)", out.Stored.Output.Key, report.Rows, out.Stored.Output.Manifest)
	case out.Quarantined != nil:
		o.result = resultRejected
		o.where = out.Quarantined.Output.Key + " (report: " + store.ReportKey(out.Quarantined.Output.Key)
		if p := report.Problems; len(p) > 0 && p[0].Line > 0 {
			o.where += fmt.Sprintf("; line %d: %s", p[0].Line, p[0].Message)
		} else if len(p) > 0 {
			o.where += "; " + p[0].Message
		}
		o.where += ")"
	default:
		o.result = "succeeded"
	}
	return o, nil
}

// resultRejected is how the summary names an object the pipeline quarantined.
const resultRejected = "rejected"

// failureRecord returns the key of the failure record the execution left for the object, or "" when there
// is none.
func (r *runner) failureRecord(ctx context.Context, sourceKey, arn string) string {
	key := store.FailureRecordKey(sourceKey, arn)
	if _, err := r.s3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(r.res.Bucket), Key: aws.String(key)}); err != nil {
		return ""
	}
	return key
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if len(s) > 160 {
		s = s[:160] + "..."
	}
	return s
}

func (r *runner) summary(outcomes []outcome, url string, embedded bool, kept string) {
	w := tabwriter.NewWriter(r.std.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintf(w, "\nOBJECT\tOUTCOME\tEXECUTION\tWHERE\n")
	counts := map[string]int{}
	var bad []outcome
	for _, o := range outcomes {
		counts[o.result]++
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", o.key, o.result, o.execution[strings.LastIndex(o.execution, ":")+1:], o.where)
		if o.status != "SUCCEEDED" || o.result == "rejected" {
			bad = append(bad, o)
		}
	}
	w.Flush()
	var parts []string
	ended := func(s sfntypes.ExecutionStatus) string { return strings.ToLower(string(s)) }
	for _, k := range []string{store.OutcomeStored, store.OutcomeDuplicate, resultRejected, store.OutcomeMisconfigured, ended(sfntypes.ExecutionStatusFailed),
		ended(sfntypes.ExecutionStatusAborted), ended(sfntypes.ExecutionStatusTimedOut), "succeeded"} {
		if counts[k] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[k], k))
		}
	}
	fmt.Fprintf(r.std.Out, "\n%s: %s\n", plural(len(outcomes), "object"), strings.Join(parts, ", "))
	if embedded {
		// The embedded stack ends with this run: point at the one `sluice up` serves.
		url = "http://127.0.0.1:4566"
		if kept != "" {
			fmt.Fprintf(r.std.Out, `
Everything this run did is kept in %[2]s/ (a next run adds to it). Serve it with
  make up          # or: sluice up --data %[2]s   (serves %[1]s)
then inspect it with the AWS CLI, the console and the logs below.
`, url, kept)
		} else {
			fmt.Fprintf(r.std.Out, `
The embedded stack stopped with this run and its data is gone. To keep one for inspection, start it with
  sluice up                      # serves %[1]s, data in .sluice/
and run through it from another terminal:
  sluice run --endpoint %[1]s
`, url)
		}
	}
	switch {
	case len(bad) > 0 && r.inAWS:
		fmt.Fprintf(r.std.Out, "\nWhat happened to the objects that did not get stored, in the Step Functions console:\n")
		for _, o := range bad {
			fmt.Fprintf(r.std.Out, "  %s  %s\n", o.key, executionLink(url, o.execution))
		}
	case len(bad) > 0 && embedded && kept == "":
		fmt.Fprintf(r.std.Out, "\nRun with --data .sluice to keep the data, then `sluice show KEY` and `sluice logs KEY` tell each object's story.\n")
	case len(bad) > 0:
		fmt.Fprintf(r.std.Out, "\nWhat happened to the objects that did not get stored:\n")
		flag := ""
		if !embedded {
			flag = "--endpoint " + url + " "
		} else if kept != "" && kept != ".sluice" {
			flag = "--data " + kept + " "
		}
		w := tabwriter.NewWriter(r.std.Out, 0, 4, 2, ' ', 0)
		self := selfCommand()
		for _, o := range bad {
			fmt.Fprintf(w, "  %s show %s%s\t# %s; its log lines: %s logs %s%s\n", self, flag, o.key, o.result, self, flag, o.key)
		}
		w.Flush()
	}
	cli := "aws "
	if r.inAWS {
		fmt.Fprintf(r.std.Out, "\nInspect with the AWS CLI:\n")
	} else {
		cli = "aws --endpoint-url " + url + " "
		fmt.Fprintf(r.std.Out, "\nInspect in the console: %s%s\n", strings.TrimSuffix(url, "/"), console.DefaultPrefix)
		fmt.Fprintf(r.std.Out, `
Inspect with the AWS CLI (export AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local
AWS_DEFAULT_REGION=us-east-1 first):
`)
	}
	fmt.Fprintf(r.std.Out, `  %[1]sstepfunctions list-executions --state-machine-arn %[2]s
  %[1]sstepfunctions get-execution-history --execution-arn <executionArn>
  %[1]ss3 ls s3://%[3]s --recursive
`, cli, r.res.StateMachineArn, r.res.Bucket)
	if lg := r.res.FunctionLogGroups["ValidateFunction"]; lg != "" {
		fmt.Fprintf(r.std.Out, "  %slogs filter-log-events --log-group-name %s --filter-pattern '\"<object key>\"'\n", cli, lg)
	}
	for _, o := range bad {
		if o.status != "SUCCEEDED" {
			fmt.Fprintf(r.std.Out, "  %sstepfunctions describe-execution --execution-arn %s\n", cli, o.execution)
		}
	}
}

// executionLink is where to look at an execution: its page in the AWS Step Functions console when it ran in
// AWS, the local console's otherwise.
func executionLink(endpoint, arn string) string {
	if u := tasks.ExecutionConsoleURL(arn); u != "" {
		return u
	}
	return console.ExecutionLink(endpoint, arn)
}
