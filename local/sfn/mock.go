package sfn

import (
	"context"

	"github.com/sluicehq/sluice/asl/interp"
	"github.com/sluicehq/sluice/asl/interp/mockconfig"
)

// MockConfig is a Step Functions Local mock configuration file (SFN_MOCK_CONFIG): test cases that replace
// the responses of chosen Task states, selected by starting an execution on "<stateMachineArn>#<case>",
// where the machine is looked up by its name. Package mockconfig reads the file and holds its rules.
// https://docs.aws.amazon.com/step-functions/latest/dg/sfn-local-mock-cfg-file.html
type MockConfig = mockconfig.File

// LoadMockConfig reads a mock configuration file.
func LoadMockConfig(path string) (*MockConfig, error) { return mockconfig.Load(path) }

// ParseMockConfig parses a mock configuration and checks it (see mockconfig.Parse).
func ParseMockConfig(data []byte) (*MockConfig, error) { return mockconfig.Parse(data) }

// newMockRun starts the invocation counters of one execution of a test case (nil when there is none).
func newMockRun(cfg *MockConfig, machine, testCase string) *mockconfig.Run {
	c, ok := cfg.Case(machine, testCase)
	if !ok {
		return nil
	}
	return c.NewRun()
}

// interceptTask answers the tasks of executions started on a mocked test case.
func (s *Service) interceptTask(ctx context.Context, req interp.TaskRequest) (any, bool, error) {
	s.mu.RLock()
	run := s.mockRuns[req.ExecutionArn]
	s.mu.RUnlock()
	if run == nil {
		return nil, false, nil
	}
	return run.InterceptTask(ctx, req)
}
