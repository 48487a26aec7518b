package interp

import (
	"errors"
	"sync"
)

// MapRun is one running (or ended) Map Run: the set of child workflow
// executions a distributed Map state started, and the limits that govern
// them. The engine owns it; the host reads it with Describe and changes
// its limits with Update, as DescribeMapRun and UpdateMapRun do.
// https://docs.aws.amazon.com/step-functions/latest/dg/concepts-examine-map-run.html
type MapRun struct {
	mu   sync.Mutex
	desc MapRunDescription
	// changed is closed (and replaced) by Update so that a dispatcher
	// waiting for a free slot sees a raised MaxConcurrency at once.
	changed chan struct{}
}

// ErrMapRunEnded is returned by MapRun.Update once the run has ended.
var ErrMapRunEnded = errors.New("map run has ended")

// ErrInvalidMapRunUpdate is returned by MapRun.Update for a value outside
// AWS's bounds: MaxConcurrency and ToleratedFailureCount at least 0,
// ToleratedFailurePercentage between 0 and 100.
var ErrInvalidMapRunUpdate = errors.New("invalid map run update")

func newMapRun(desc MapRunDescription) *MapRun {
	return &MapRun{desc: desc, changed: make(chan struct{})}
}

// Arn returns the Map Run's ARN.
func (r *MapRun) Arn() string { return r.desc.MapRunArn }

// Describe returns the run's configuration, status and counts now.
func (r *MapRun) Describe() MapRunDescription {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.desc
}

// Update changes the run's MaxConcurrency and tolerated failure threshold
// while it runs. A lowered MaxConcurrency lets running child executions
// finish and starts no new one until fewer run; a raised one starts more
// at once; a changed threshold applies from the next failure.
// https://docs.aws.amazon.com/step-functions/latest/apireference/API_UpdateMapRun.html
func (r *MapRun) Update(u MapRunUpdate) error {
	if (u.MaxConcurrency != nil && *u.MaxConcurrency < 0) ||
		(u.ToleratedFailureCount != nil && *u.ToleratedFailureCount < 0) ||
		(u.ToleratedFailurePercentage != nil && (*u.ToleratedFailurePercentage < 0 || *u.ToleratedFailurePercentage > 100)) {
		return ErrInvalidMapRunUpdate
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.desc.Status != MapRunStatusRunning {
		return ErrMapRunEnded
	}
	if u.MaxConcurrency != nil {
		r.desc.MaxConcurrency = *u.MaxConcurrency
	}
	if u.ToleratedFailureCount != nil {
		r.desc.ToleratedFailureCount = *u.ToleratedFailureCount
	}
	if u.ToleratedFailurePercentage != nil {
		r.desc.ToleratedFailurePercentage = *u.ToleratedFailurePercentage
	}
	close(r.changed)
	r.changed = make(chan struct{})
	return nil
}
