package sfn

import (
	"context"
	"encoding/json"
	"errors"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/sluicehq/sluice/asl/interp"
)

// Activities: https://docs.aws.amazon.com/step-functions/latest/dg/concepts-activities.html and the API
// reference of CreateActivity, DescribeActivity, DeleteActivity, ListActivities and GetActivityTask.
//
// An activity is a name that workers poll (GetActivityTask) for the tasks Task states with the
// activity's ARN as Resource schedule. The engine (asl/interp/activity.go) registers a task token and
// hands the task to the service's task invoker; the service queues it on its activity, gives it to the
// next worker that polls, and tells the engine which worker took it (ActivityStarted). The worker answers
// with SendTaskSuccess or SendTaskFailure and keeps a long task alive with SendTaskHeartbeat.
//
// Activities are durable (journal records). The queued tasks are not journaled: they belong to running
// executions, and an execution that resumes after a restart runs its Task state again, which schedules a
// new task with a new token. A worker still holding a token from before the restart is answered
// TaskTimedOut, as for a task that timed out.

const (
	// maxActivities is the quota of registered activities per account and region (10,000):
	// https://docs.aws.amazon.com/step-functions/latest/dg/limits-overview.html
	maxActivities = 10000
	// activityPoll is how long GetActivityTask waits for a task before answering with none (60 s, as on
	// AWS; workers set their client timeout to at least 65 s).
	activityPoll = 60 * time.Second
)

// activityRecord is an activity, as the journal keeps it.
type activityRecord struct {
	Arn        string            `json:"arn"`
	Name       string            `json:"name"`
	Created    time.Time         `json:"created"`
	Tags       map[string]string `json:"tags,omitempty"`
	Encryption json.RawMessage   `json:"encryption,omitempty"`
}

// WithActivityPollTimeout sets how long GetActivityTask waits for a task before it answers with none
// (60 seconds by default, as on AWS). Tests shorten it.
func WithActivityPollTimeout(d time.Duration) Option {
	return func(s *Service) { s.activityPoll = d }
}

// activityQueue holds the activities and the tasks scheduled on them, waiting for workers.
type activityQueue struct {
	mu      sync.Mutex
	recs    map[string]*activityRecord // by ARN
	tasks   map[string][]activityTask  // by activity ARN, oldest first
	pruneAt map[string]int             // queue length at which tasks no longer pending are dropped
	notify  map[string]chan struct{}   // closed when a task is queued on the activity
}

type activityTask struct {
	token string
	input string
}

func newActivityQueue() *activityQueue {
	return &activityQueue{
		recs: map[string]*activityRecord{}, tasks: map[string][]activityTask{},
		pruneAt: map[string]int{}, notify: map[string]chan struct{}{},
	}
}

func (s *Service) activityArn(name string) string {
	return "arn:aws:states:" + s.region + ":" + s.account + ":activity:" + name
}

// checkActivityArn validates an activity ARN given in a request's field.
func checkActivityArn(field, arn string) error {
	if arn == "" {
		return validationErrorf("Value null at '%s' failed to satisfy constraint: Member must not be null", field)
	}
	if utf8.RuneCountInString(arn) > 256 {
		return validationErrorf("Value at '%s' failed to satisfy constraint: Member must have length less than or equal to 256", field)
	}
	if !interp.IsActivityArn(arn) || !validName(arn[strings.LastIndex(arn, ":")+1:]) {
		return invalidArn(arn)
	}
	return nil
}

type activityInput struct {
	Name                    string          `json:"name"`
	ActivityArn             string          `json:"activityArn"`
	WorkerName              *string         `json:"workerName"`
	Tags                    []tag           `json:"tags"`
	EncryptionConfiguration json.RawMessage `json:"encryptionConfiguration"`
	MaxResults              int             `json:"maxResults"`
	NextToken               string          `json:"nextToken"`
}

type activityOutput struct {
	ActivityArn  string `json:"activityArn"`
	CreationDate epoch  `json:"creationDate"`
}

// https://docs.aws.amazon.com/step-functions/latest/apireference/API_CreateActivity.html
// CreateActivity is idempotent on the name: creating an activity that exists answers it, and different
// tags in the second request are ignored, as AWS does.
func (s *Service) createActivity(ctx context.Context, body []byte) (any, error) {
	var in activityInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if in.Name == "" {
		return nil, validationErrorf("Value null at 'name' failed to satisfy constraint: Member must not be null")
	}
	if !validName(in.Name) {
		return nil, apiErrorf(CodeInvalidName, "Invalid Name: '%s'", in.Name)
	}
	if len(in.Tags) > 50 {
		return nil, apiErrorf(CodeTooManyTags, "Too many tags: %d (at most 50)", len(in.Tags))
	}
	arn := s.activityArn(in.Name)
	defer s.holdJournal()()
	s.mu.Lock()
	defer s.mu.Unlock()
	q := s.activities
	q.mu.Lock()
	old, count := q.recs[arn], len(q.recs)
	q.mu.Unlock()
	if old != nil {
		return activityOutput{old.Arn, epoch(old.Created)}, nil
	}
	if count >= maxActivities {
		return nil, apiErrorf(CodeActivityLimitExceeded, "Maximum number of activities (%d) reached", maxActivities)
	}
	rec := &activityRecord{Arn: arn, Name: in.Name, Created: s.clock.Now().UTC(), Tags: tagMap(in.Tags), Encryption: in.EncryptionConfiguration}
	if err := s.persist(&record{Kind: kindActivity, Activity: rec}); err != nil {
		return nil, err
	}
	q.mu.Lock()
	q.recs[arn] = rec
	q.mu.Unlock()
	return activityOutput{rec.Arn, epoch(rec.Created)}, nil
}

func (q *activityQueue) lookup(arn string) *activityRecord {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.recs[arn]
}

// https://docs.aws.amazon.com/step-functions/latest/apireference/API_DescribeActivity.html
func (s *Service) describeActivity(ctx context.Context, body []byte) (any, error) {
	var in activityInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if err := checkActivityArn("activityArn", in.ActivityArn); err != nil {
		return nil, err
	}
	a := s.activities.lookup(in.ActivityArn)
	if a == nil {
		return nil, apiErrorf(CodeActivityDoesNotExist, "Activity Does Not Exist: '%s'", in.ActivityArn)
	}
	return struct {
		ActivityArn             string          `json:"activityArn"`
		Name                    string          `json:"name"`
		CreationDate            epoch           `json:"creationDate"`
		EncryptionConfiguration json.RawMessage `json:"encryptionConfiguration,omitempty"`
	}{a.Arn, a.Name, epoch(a.Created), orDefault(a.Encryption, `{"type":"AWS_OWNED_KEY"}`)}, nil
}

// https://docs.aws.amazon.com/step-functions/latest/apireference/API_DeleteActivity.html
// Deleting an activity that does not exist succeeds. Tasks already scheduled on a deleted activity are
// no longer handed out: their executions wait for their TimeoutSeconds, or until stopped.
func (s *Service) deleteActivity(ctx context.Context, body []byte) (any, error) {
	var in activityInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if err := checkActivityArn("activityArn", in.ActivityArn); err != nil {
		return nil, err
	}
	defer s.holdJournal()()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.activities.lookup(in.ActivityArn) == nil {
		return struct{}{}, nil
	}
	if err := s.persist(&record{Kind: kindActivityDel, Arn: in.ActivityArn}); err != nil {
		return nil, err
	}
	q := s.activities
	q.mu.Lock()
	delete(q.recs, in.ActivityArn)
	delete(q.tasks, in.ActivityArn)
	delete(q.pruneAt, in.ActivityArn)
	q.mu.Unlock()
	return struct{}{}, nil
}

// https://docs.aws.amazon.com/step-functions/latest/apireference/API_ListActivities.html
// Activities are listed by name.
func (s *Service) listActivities(ctx context.Context, body []byte) (any, error) {
	var in activityInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	type item struct {
		ActivityArn  string `json:"activityArn"`
		Name         string `json:"name"`
		CreationDate epoch  `json:"creationDate"`
	}
	q := s.activities
	q.mu.Lock()
	items := make([]item, 0, len(q.recs))
	for _, a := range q.recs {
		items = append(items, item{a.Arn, a.Name, epoch(a.Created)})
	}
	q.mu.Unlock()
	sort.Slice(items, func(i, j int) bool { return items[i].Name < items[j].Name })
	page, next, err := paginate(len(items), in.MaxResults, in.NextToken)
	if err != nil {
		return nil, err
	}
	return struct {
		Activities []item `json:"activities"`
		NextToken  string `json:"nextToken,omitempty"`
	}{items[page.from:page.to], next}, nil
}

// https://docs.aws.amazon.com/step-functions/latest/apireference/API_GetActivityTask.html
// A long poll: the oldest task queued on the activity, as soon as there is one, or none (no taskToken)
// after 60 seconds. The worker's name is recorded in the execution's ActivityStarted event.
func (s *Service) getActivityTask(ctx context.Context, body []byte) (any, error) {
	var in activityInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if err := checkActivityArn("activityArn", in.ActivityArn); err != nil {
		return nil, err
	}
	worker := ""
	if in.WorkerName != nil {
		worker = *in.WorkerName
		if n := utf8.RuneCountInString(worker); n < 1 || n > 80 {
			return nil, validationErrorf("Value '%s' at 'workerName' failed to satisfy constraint: Member must have length between 1 and 80", worker)
		}
	}
	if s.activities.lookup(in.ActivityArn) == nil {
		return nil, apiErrorf(CodeActivityDoesNotExist, "Activity Does Not Exist: '%s'", in.ActivityArn)
	}
	type task struct {
		TaskToken string `json:"taskToken,omitempty"`
		Input     string `json:"input,omitempty"`
	}
	poll := s.activityPoll
	if poll <= 0 {
		poll = activityPoll
	}
	timer := time.NewTimer(poll)
	defer timer.Stop()
	for {
		t, wake, ok := s.activities.take(in.ActivityArn, func(tok string) bool {
			return s.tokens.Start(tok, worker) == nil
		})
		if ok {
			return task{t.token, t.input}, nil
		}
		select {
		case <-wake:
		case <-timer.C:
			return task{}, nil
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-s.ctx.Done():
			return task{}, nil
		}
	}
}

// take hands out the oldest task of an activity that start accepts (a task whose execution has moved
// on is dropped), or, when there is none, a channel closed when one is queued.
func (q *activityQueue) take(arn string, start func(token string) bool) (activityTask, <-chan struct{}, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for len(q.tasks[arn]) > 0 {
		t := q.tasks[arn][0]
		q.tasks[arn][0] = activityTask{}
		q.tasks[arn] = q.tasks[arn][1:]
		if start(t.token) {
			return t, nil, true
		}
	}
	delete(q.tasks, arn)
	ch := q.notify[arn]
	if ch == nil {
		ch = make(chan struct{})
		q.notify[arn] = ch
	}
	return activityTask{}, ch, false
}

// put queues a task and wakes the workers polling the activity. Tasks whose executions moved on without
// a worker taking them are dropped whenever the queue has doubled, so it stays as long as the tasks
// actually waiting.
func (q *activityQueue) put(arn string, t activityTask, pending func(token string) bool) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.recs[arn] == nil {
		return errActivityMissing
	}
	list := append(q.tasks[arn], t)
	if len(list) >= q.pruneAt[arn] {
		kept := list[:0]
		for _, x := range list {
			if pending(x.token) {
				kept = append(kept, x)
			}
		}
		clear(list[len(kept):])
		list = kept
		q.pruneAt[arn] = 2*len(list) + 64
	}
	q.tasks[arn] = list
	if ch := q.notify[arn]; ch != nil {
		close(ch)
		delete(q.notify, arn)
	}
	return nil
}

var errActivityMissing = errors.New("activity does not exist")

// activityInvoker is the engine's task invoker: it queues activity tasks on their activity and passes
// every other task to the host's invoker.
type activityInvoker struct {
	s    *Service
	next interp.TaskInvoker
}

var _ interp.TaskInvoker = activityInvoker{}

func (a activityInvoker) InvokeTask(ctx context.Context, req interp.TaskRequest) (any, error) {
	if !interp.IsActivityArn(req.Resource) {
		if a.next == nil {
			return nil, interp.Fail("States.TaskFailed", "no task invoker serves resource "+req.Resource)
		}
		return a.next.InvokeTask(ctx, req)
	}
	input, err := json.Marshal(req.Input)
	if err != nil {
		return nil, err
	}
	err = a.s.activities.put(req.Resource, activityTask{token: req.TaskToken, input: string(input)}, a.s.tokens.Pending)
	if errors.Is(err, errActivityMissing) {
		// AWS documents no error name for a task scheduled on an activity that does not exist; the
		// engine records ActivityScheduleFailed with States.Runtime, which States.ALL does not match, so
		// the execution fails as it does on a definition error.
		return nil, interp.Fail("States.Runtime", "Activity does not exist: '"+req.Resource+"'")
	}
	return nil, err
}

// applyActivityRecord rebuilds the activities from a journal record; it reports whether the record was
// one of theirs.
func (s *Service) applyActivityRecord(r *record) bool {
	q := s.activities
	switch r.Kind {
	case kindActivity:
		if r.Activity != nil {
			q.mu.Lock()
			q.recs[r.Activity.Arn] = r.Activity
			q.mu.Unlock()
		}
	case kindActivityDel:
		q.mu.Lock()
		delete(q.recs, r.Arn)
		q.mu.Unlock()
	default:
		return false
	}
	return true
}

// activityRecords are the journal records of the activities, for compaction.
func (s *Service) activityRecords() []*record {
	q := s.activities
	q.mu.Lock()
	defer q.mu.Unlock()
	arns := make([]string, 0, len(q.recs))
	for arn := range q.recs {
		arns = append(arns, arn)
	}
	sort.Strings(arns)
	recs := make([]*record, 0, len(arns))
	for _, arn := range arns {
		recs = append(recs, &record{Kind: kindActivity, Activity: q.recs[arn]})
	}
	return recs
}

func isActivityArn(arn string) bool { return interp.IsActivityArn(arn) }

// changeActivityTags applies change to a copy of an activity's tags and records the result; the caller
// holds s.mu and the journal.
func (s *Service) changeActivityTags(in tagResourceInput, change func(map[string]string, tagResourceInput) error) error {
	q := s.activities
	a := q.lookup(in.ResourceArn)
	if a == nil {
		return apiErrorf(CodeResourceNotFound, "Resource not found: '%s'", in.ResourceArn)
	}
	rec := *a
	rec.Tags = make(map[string]string, len(a.Tags))
	for k, v := range a.Tags {
		rec.Tags[k] = v
	}
	if err := change(rec.Tags, in); err != nil {
		return err
	}
	if err := s.persist(&record{Kind: kindActivity, Activity: &rec}); err != nil {
		return err
	}
	q.mu.Lock()
	q.recs[rec.Arn] = &rec // DeleteActivity holds s.mu too: the activity is still there
	q.mu.Unlock()
	return nil
}
