package asl

// Retrier is one element of a "Retry" array.
// https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html#error-handling-retrying-after-an-error
type Retrier struct {
	Comment     string
	ErrorEquals []string
	// IntervalSeconds is the first wait; nil is absent (1).
	IntervalSeconds *int
	// MaxAttempts is the number of retries; nil is absent (3); 0 never retries.
	MaxAttempts *int
	// BackoffRate multiplies the interval after each attempt; nil is absent (2.0).
	BackoffRate *float64
	// MaxDelaySeconds caps the interval; nil is absent (no cap).
	MaxDelaySeconds *int
	// JitterStrategy is FULL or NONE; "" is absent (NONE).
	JitterStrategy JitterStrategy
}

// JitterStrategy is a Retrier's "JitterStrategy".
type JitterStrategy string

// The jitter strategies.
const (
	JitterFull JitterStrategy = "FULL"
	JitterNone JitterStrategy = "NONE"
)

// Retry defaults AWS applies to absent fields.
const (
	DefaultIntervalSeconds = 1
	DefaultMaxAttempts     = 3
	DefaultBackoffRate     = 2.0
)

// Interval returns IntervalSeconds, or its default when absent.
func (r *Retrier) Interval() int {
	if r.IntervalSeconds != nil {
		return *r.IntervalSeconds
	}
	return DefaultIntervalSeconds
}

// Attempts returns MaxAttempts, or its default when absent.
func (r *Retrier) Attempts() int {
	if r.MaxAttempts != nil {
		return *r.MaxAttempts
	}
	return DefaultMaxAttempts
}

// Backoff returns BackoffRate, or its default when absent.
func (r *Retrier) Backoff() float64 {
	if r.BackoffRate != nil {
		return *r.BackoffRate
	}
	return DefaultBackoffRate
}
