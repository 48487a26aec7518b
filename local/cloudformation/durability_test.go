package cloudformation_test

import (
	"context"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cfn "github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/google/go-cmp/cmp"

	"github.com/sluicehq/sluice/local/cloudformation"
)

// fakeHost is a FunctionHost that keeps the functions it was given; put, when set, runs first (a test
// blocks it).
type fakeHost struct {
	mu  sync.Mutex
	fns map[string]cloudformation.Function
	put func(ctx context.Context) error
}

func (h *fakeHost) PutFunction(ctx context.Context, f cloudformation.Function) error {
	if h.put != nil {
		if err := h.put(ctx); err != nil {
			return err
		}
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.fns == nil {
		h.fns = map[string]cloudformation.Function{}
	}
	h.fns[f.Name] = f
	return nil
}

func (h *fakeHost) DeleteFunction(_ context.Context, name string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.fns, name)
	return nil
}

func (h *fakeHost) names() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return sortedNames(h.fns)
}

func sortedNames(m map[string]cloudformation.Function) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

const functionTemplate = `{
  "Resources": {
    "Queue": {"Type": "AWS::SQS::Queue"},
    "Fn": {"Type": "AWS::Lambda::Function", "Properties": {"Timeout": 5,
      "Environment": {"Variables": {"QUEUE": {"Ref": "Queue"}}}}}
  },
  "Outputs": {"FnArn": {"Value": {"Fn::GetAtt": ["Fn", "Arn"]}}}
}`

// open starts a service on dir with host, served over HTTP until the returned stop.
func open(t *testing.T, dir string, host cloudformation.FunctionHost, opts ...cloudformation.Option) (*cloudformation.Service, *cfn.Client, func()) {
	t.Helper()
	svc, err := cloudformation.New(append([]cloudformation.Option{cloudformation.WithDataDir(dir), cloudformation.WithFunctionHost(host)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(svc)
	var once sync.Once
	stop := func() {
		once.Do(func() {
			srv.Close()
			if err := svc.Close(); err != nil {
				t.Error(err)
			}
		})
	}
	t.Cleanup(stop)
	return svc, newClient(srv.URL), stop
}

// TestStacksSurviveRestart: a stack, its resources, events and outputs are there after a restart, and
// its functions are registered with the host again.
func TestStacksSurviveRestart(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	_, c, stop := open(t, dir, &fakeHost{})
	if _, err := c.CreateStack(ctx, &cfn.CreateStackInput{StackName: aws.String("keep"), TemplateBody: aws.String(functionTemplate)}); err != nil {
		t.Fatal(err)
	}
	before := waitStack(t, ctx, c, "keep")
	events, err := c.DescribeStackEvents(ctx, &cfn.DescribeStackEventsInput{StackName: aws.String("keep")})
	if err != nil {
		t.Fatal(err)
	}
	stop()

	host := &fakeHost{}
	_, c2, _ := open(t, dir, host)
	after := waitStack(t, ctx, c2, "keep")
	if d := cmp.Diff(after, before, cmpStack); d != "" {
		t.Errorf("stack after restart (-got +want):\n%s", d)
	}
	events2, err := c2.DescribeStackEvents(ctx, &cfn.DescribeStackEventsInput{StackName: aws.String("keep")})
	if err != nil {
		t.Fatal(err)
	}
	if len(events2.StackEvents) != len(events.StackEvents) || len(events.StackEvents) < 6 {
		t.Errorf("%d events after restart, %d before (want the same, at least 6)", len(events2.StackEvents), len(events.StackEvents))
	}
	if d := cmp.Diff(host.names(), []string{"keep-Fn"}); d != "" {
		t.Errorf("functions registered again (-got +want):\n%s", d)
	}
	host.mu.Lock()
	env := host.fns["keep-Fn"].Properties["Environment"]
	host.mu.Unlock()
	if d := cmp.Diff(env, map[string]any{"Variables": map[string]any{"QUEUE": "https://sqs.us-east-1.amazonaws.com/000000000000/keep-Queue"}}); d != "" {
		t.Errorf("restored function's environment (-got +want):\n%s", d)
	}
}

var cmpStack = cmp.Options{cmp.FilterPath(func(p cmp.Path) bool {
	return p.Last().String() == ".noSmithyDocumentSerde"
}, cmp.Ignore())}

// TestResumeRollsBackAnInterruptedCreate: a creation a stop interrupts is rolled back at the next
// start (Resume), deleting what it had created.
func TestResumeRollsBackAnInterruptedCreate(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	entered := make(chan struct{})
	blocking := &fakeHost{put: func(ctx context.Context) error {
		close(entered)
		<-ctx.Done() // until the service stops
		return ctx.Err()
	}}
	_, c, stop := open(t, dir, blocking, cloudformation.WithSettle(0))
	if _, err := c.CreateStack(ctx, &cfn.CreateStackInput{StackName: aws.String("cut"), TemplateBody: aws.String(functionTemplate)}); err != nil {
		t.Fatal(err)
	}
	<-entered
	stop()

	host := &fakeHost{}
	svc, c2, _ := open(t, dir, host)
	out, err := c2.DescribeStacks(ctx, &cfn.DescribeStacksInput{StackName: aws.String("cut")})
	if err != nil || out.Stacks[0].StackStatus != cfntypes.StackStatusCreateInProgress {
		t.Fatalf("before Resume: %+v %v, want CREATE_IN_PROGRESS", out, err)
	}
	svc.Resume()
	st := waitStack(t, ctx, c2, "cut")
	if st.StackStatus != cfntypes.StackStatusRollbackComplete {
		t.Fatalf("after Resume: %s (%s), want ROLLBACK_COMPLETE", st.StackStatus, aws.ToString(st.StackStatusReason))
	}
	res, err := c2.DescribeStackResources(ctx, &cfn.DescribeStackResourcesInput{StackName: aws.String("cut")})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res.StackResources {
		if r.ResourceStatus != cfntypes.ResourceStatusDeleteComplete {
			t.Errorf("resource %s is %s after the rollback, want DELETE_COMPLETE", aws.ToString(r.LogicalResourceId), r.ResourceStatus)
		}
	}
}
