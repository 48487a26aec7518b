package interp

import (
	"fmt"
	"sync"

	"github.com/sluicehq/sluice/asl"
	"github.com/sluicehq/sluice/asl/jsonata"
)

// Machine is a compiled state machine. Every path, template and intrinsic
// is compiled once in New; a Machine is immutable and runs any number of
// concurrent executions.
type Machine struct {
	cfg        config
	top        *program
	timeout    int // machine-level TimeoutSeconds, 0 for none
	definition *asl.StateMachine
	// arnPrefix is "arn:aws:states:<region>:<account>"; defaultArn is the
	// state machine ARN of executions started without one.
	arnPrefix, defaultArn string

	jfuncsOnce sync.Once
	jfuncs     []jsonata.EvalOption // Step Functions' JSONata functions
}

// New compiles sm. sm should come from asl.Parse (or be valid by its rules);
// New reports the paths and templates it cannot compile.
func New(sm *asl.StateMachine, opts ...Option) (*Machine, error) {
	cfg := defaultConfig()
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.tokens == nil {
		cfg.tokens = NewTaskTokens()
	}
	var c compiler
	top, err := c.program(sm.StartAt, sm.States, sm.QueryLanguage)
	if err != nil {
		return nil, fmt.Errorf("compile state machine: %w", err)
	}
	m := &Machine{cfg: cfg, top: top, definition: sm}
	m.arnPrefix = "arn:aws:states:" + cfg.region + ":" + cfg.account
	m.defaultArn = m.arnPrefix + ":stateMachine:machine"
	if sm.TimeoutSeconds != nil {
		m.timeout = *sm.TimeoutSeconds
	}
	return m, nil
}

// TaskTokens returns the registry through which the host completes this
// machine's ".waitForTaskToken" tasks.
func (m *Machine) TaskTokens() *TaskTokens { return m.cfg.tokens }

// Definition returns the state machine m was compiled from.
func (m *Machine) Definition() *asl.StateMachine { return m.definition }
