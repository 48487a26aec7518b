package gen_test

import (
	"errors"
	"testing"

	"github.com/sluicehq/sluice/gen"
)

func TestDefaultConfigIsValid(t *testing.T) {
	if err := gen.DefaultConfig().Validate(); err != nil {
		t.Fatalf("DefaultConfig().Validate() = %v", err)
	}
}

func TestConfigValidateRejects(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*gen.Config)
	}{
		{"memory below Lambda's minimum", func(c *gen.Config) { c.ValidateTask.MemoryMB = 64 }},
		{"memory above Lambda's maximum", func(c *gen.Config) { c.ProcessTask.MemoryMB = 10241 }},
		{"timeout above 15 minutes", func(c *gen.Config) { c.StoreTask.TimeoutSeconds = 901 }},
		{"zero timeout", func(c *gen.Config) { c.StoreTask.TimeoutSeconds = 0 }},
		{"negative reserved concurrency", func(c *gen.Config) { c.ProcessTask.ReservedConcurrency = -1 }},
		{"task timeout beyond the execution's", func(c *gen.Config) { c.ExecutionTimeoutSeconds = 100 }},
		{"execution timeout shorter than every retry", func(c *gen.Config) { c.ExecutionTimeoutSeconds = c.WorstCaseSeconds() - 1 }},
		{"retention CloudWatch Logs does not offer", func(c *gen.Config) { c.LogRetentionDays = 31 }},
		{"no noncurrent-version expiry", func(c *gen.Config) { c.NoncurrentVersionDays = 0 }},
		{"retry interval zero", func(c *gen.Config) { c.TaskRetry.IntervalSeconds = 0 }},
		{"backoff below 1", func(c *gen.Config) { c.TaskRetry.BackoffRate = 0.5 }},
		{"cap below interval", func(c *gen.Config) { c.TaskRetry.MaxDelaySeconds = 0 }},
		{"EventBridge retries above 185", func(c *gen.Config) { c.EventRetry.MaximumRetryAttempts = 186 }},
		{"event age below 60 s", func(c *gen.Config) { c.EventRetry.MaximumEventAgeInSeconds = 59 }},
		{"DLQ retention above 14 days", func(c *gen.Config) { c.DeadLetterRetentionSeconds = 1209601 }},
		{"unknown log level", func(c *gen.Config) { c.DefaultLogLevel = "TRACE" }},
		{"Lambda log filter that drops EMF lines", func(c *gen.Config) { c.ApplicationLogLevel = "WARN" }},
		{"unknown Lambda log filter", func(c *gen.Config) { c.ApplicationLogLevel = "debug" }},
		{"system log level Lambda does not offer", func(c *gen.Config) { c.SystemLogLevel = "ERROR" }},
		{"no mock machine name", func(c *gen.Config) { c.MockStateMachineName = "" }},
		{"alarm period zero", func(c *gen.Config) { c.Alarms.PeriodSeconds = 0 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := gen.DefaultConfig()
			tt.mutate(&c)
			err := c.Validate()
			if !errors.Is(err, gen.ErrInvalidConfig) {
				t.Errorf("Validate() = %v, want ErrInvalidConfig", err)
			}
			if _, err := gen.Files(c); !errors.Is(err, gen.ErrInvalidConfig) {
				t.Errorf("Files() error = %v, want ErrInvalidConfig", err)
			}
		})
	}
}

// TestConfigDrivesOutput checks settings reach the artifacts: a change in Config changes the template.
func TestConfigDrivesOutput(t *testing.T) {
	base, err := gen.TemplateJSON(gen.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	c := gen.DefaultConfig()
	c.TaskRetry.MaxAttempts++
	changed, err := gen.TemplateJSON(c)
	if err != nil {
		t.Fatal(err)
	}
	if string(base) == string(changed) {
		t.Error("changing TaskRetry.MaxAttempts did not change the template")
	}
	opts := c.StateMachineOptions()
	if got, want := opts.ProcessTimeoutSeconds, c.ProcessTask.TimeoutSeconds+c.TaskTimeoutMarginSeconds; got != want {
		t.Errorf("process task timeout = %d, want function timeout + margin = %d", got, want)
	}
}

// TestWorstCase pins the bound the execution timeout must cover: 7 attempts of each task at its timeout
// plus 30 s margin, with 6 capped back-offs of 30 s between them, and 12 throttled attempts of each task
// with capped back-offs of 60 s.
func TestWorstCase(t *testing.T) {
	c := gen.DefaultConfig()
	want := (7*330 + 180) + (7*930 + 180) + (7*150 + 180) + (7*150 + 180) + 4*12*60
	if got := c.WorstCaseSeconds(); got != want {
		t.Errorf("WorstCaseSeconds: got %d, want %d", got, want)
	}
	if c.ExecutionTimeoutSeconds < want {
		t.Errorf("default execution timeout %d s is shorter than the worst case %d s", c.ExecutionTimeoutSeconds, want)
	}
}
