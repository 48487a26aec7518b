package interp

import (
	"errors"
	"sync"
	"time"
)

// MapRun is one running (or ended) Map Run: the set of child workflow
// executions a distributed Map state started, and the limits that govern
// them. The engine owns it; the host reads it with Describe and changes
// its limits with Update, as DescribeMapRun and UpdateMapRun do.
// https://docs.aws.amazon.com/step-functions/latest/dg/concepts-examine-map-run.html
type MapRun struct {
	mu   sync.Mutex
	desc MapRunDescription
	// countSet and pctSet tell which thresholds the state (or an update)
	// set: with neither, one failed item fails the run.
	countSet, pctSet bool
	// notify tells the dispatcher that the limits changed, so that a
	// raised MaxConcurrency starts more children at once.
	notify func()
}

// ErrMapRunEnded is returned by MapRun.Update once the run has ended.
var ErrMapRunEnded = errors.New("map run has ended")

// ErrInvalidMapRunUpdate is returned by MapRun.Update for a value outside
// AWS's bounds: MaxConcurrency and ToleratedFailureCount at least 0,
// ToleratedFailurePercentage between 0 and 100.
var ErrInvalidMapRunUpdate = errors.New("invalid map run update")

func newMapRun(desc MapRunDescription) *MapRun {
	return &MapRun{desc: desc}
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
	if r.desc.Status != MapRunStatusRunning {
		r.mu.Unlock()
		return ErrMapRunEnded
	}
	if u.MaxConcurrency != nil {
		r.desc.MaxConcurrency = *u.MaxConcurrency
	}
	if u.ToleratedFailureCount != nil {
		r.desc.ToleratedFailureCount, r.countSet = *u.ToleratedFailureCount, true
	}
	if u.ToleratedFailurePercentage != nil {
		r.desc.ToleratedFailurePercentage, r.pctSet = *u.ToleratedFailurePercentage, true
	}
	notify := r.notify
	r.mu.Unlock()
	if notify != nil {
		notify()
	}
	return nil
}

// setNotify sets what Update calls once the limits changed.
func (r *MapRun) setNotify(f func()) {
	r.mu.Lock()
	r.notify = f
	r.mu.Unlock()
}

// update changes the run's counts.
func (r *MapRun) update(f func(*MapRunDescription)) {
	r.mu.Lock()
	f(&r.desc)
	r.mu.Unlock()
}

// thresholds returns the description and which thresholds are set.
func (r *MapRun) thresholds() (MapRunDescription, bool, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.desc, r.countSet, r.pctSet
}

// finish records the run's end.
func (r *MapRun) finish(status MapRunStatus, at time.Time, f *Failure) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.desc.Status, r.desc.StopDate = status, at
	if f != nil {
		r.desc.Error, r.desc.Cause = f.Error, f.Cause
	}
	r.notify = nil
}

// maxConcurrency is the run's MaxConcurrency now.
func (r *MapRun) maxConcurrency() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.desc.MaxConcurrency
}

// MapRunRedrivenEventDetails names a Map Run that a redrive of its
// execution continues, and how many times it has been redriven.
// https://docs.aws.amazon.com/step-functions/latest/apireference/API_MapRunRedrivenEventDetails.html
type MapRunRedrivenEventDetails struct {
	MapRunArn    string `json:"mapRunArn"`
	RedriveCount int    `json:"redriveCount"`
}
