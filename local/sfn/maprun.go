package sfn

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sluicehq/sluice/asl/interp"
)

// Map Runs: the runs of Distributed Map states and their child workflow executions, as DescribeMapRun,
// ListMapRuns, UpdateMapRun, ListExecutions (mapRunArn), DescribeExecution and GetExecutionHistory of a
// child serve them. https://docs.aws.amazon.com/step-functions/latest/dg/concepts-examine-map-run.html
//
// A Map Run's description is recorded in its own durable log (mapruns.log) as it starts, whenever
// UpdateMapRun changes it and as it ends; each child execution, once ended, goes to the history store like
// any finished execution (with its Map Run's ARN) and is listed in the log under its run. A Map Run still
// running when the service stops does not resume: its parent execution resumes from its last snapshot,
// before the Map state, and starts a new Map Run, so the old one is recorded as ABORTED when the service
// opens again.

// mapRunLogName is the Map Runs' log in the data directory.
const mapRunLogName = "mapruns.log"

// compactMapRunsAt is the size from which the log is compacted when the service opens.
const compactMapRunsAt = 64 << 20

// mapRunStore keeps the Map Runs and their children.
type mapRunStore struct {
	log recordLog // nil without a data directory

	mu          sync.RWMutex
	runs        map[string]*mapRunEntry
	byExecution map[string][]*mapRunEntry // parent execution ARN -> its runs, in start order
	children    map[string]*execution     // running children by ARN
	kidIndex    map[string]int            // running children by ARN -> their place in their run's kids
}

func newMapRunStore() *mapRunStore {
	return &mapRunStore{runs: map[string]*mapRunEntry{}, byExecution: map[string][]*mapRunEntry{}, children: map[string]*execution{},
		kidIndex: map[string]int{}}
}

type mapRunEntry struct {
	live    *interp.MapRun // while running in this process
	desc    interp.MapRunDescription
	kids    []kid  // in start order
	machine string // the children's state machine ARN
}

// kid is a child execution in memory, kept small: a Map Run may have millions.
type kid struct {
	name        string
	arn         string // "" when it is the machine's execution ARN for name
	start, stop int64  // Unix milliseconds
	status      uint8  // 0 running, else an index into statuses
	items       int32
}

// childArn is the execution ARN of a child of machine named name.
func childArn(machine, name string) string {
	i := strings.Index(machine, ":stateMachine:")
	if i < 0 {
		return ""
	}
	return machine[:i] + ":execution:" + machine[i+len(":stateMachine:"):] + ":" + name
}

func (e *mapRunEntry) kidOf(c childEntry) kid {
	if e.machine == "" {
		e.machine = c.Machine
	}
	k := kid{name: c.Name, start: c.Start.UnixMilli(), items: int32(c.Items), status: statusCode(c.Status)}
	if !c.Stop.IsZero() {
		k.stop = c.Stop.UnixMilli()
	}
	if c.Machine != e.machine || childArn(c.Machine, c.Name) != c.Arn {
		k.arn = c.Arn
	}
	return k
}

func (e *mapRunEntry) entryOf(k kid) childEntry {
	c := childEntry{Arn: k.arn, Name: k.name, Machine: e.machine, Start: time.UnixMilli(k.start).UTC(), Status: string(interp.StatusRunning),
		Items: int(k.items)}
	if c.Arn == "" {
		c.Arn = childArn(e.machine, k.name)
	}
	if k.status != 0 {
		c.Status, c.Stop = statuses[k.status], time.UnixMilli(k.stop).UTC()
	}
	return c
}

// describe is the run's description now.
func (m *mapRunEntry) describe() interp.MapRunDescription {
	if m.live != nil {
		return m.live.Describe()
	}
	return m.desc
}

// childEntry is one child execution as ListExecutions lists it.
type childEntry struct {
	Arn     string    `json:"arn"`
	Name    string    `json:"name"`
	Machine string    `json:"machine"`
	Start   time.Time `json:"start"`
	Stop    time.Time `json:"stop"`
	Status  string    `json:"status"`
	Items   int       `json:"items"`
}

// mapRunRecord is one record of mapruns.log.
type mapRunRecord struct {
	Run       *interp.MapRunDescription `json:"run,omitempty"`
	MapRunArn string                    `json:"mapRun,omitempty"`
	Child     *childEntry               `json:"child,omitempty"`
}

// openMapRuns opens the Map Runs' log and replays it (dataDir set), or starts empty.
func (s *Service) openMapRuns() error {
	s.maps = newMapRunStore()
	if s.dataDir == "" {
		return nil
	}
	if err := os.MkdirAll(s.dataDir, 0o755); err != nil {
		return fmt.Errorf("create data dir: %w", err)
	}
	// Result files still being spilled when the service stopped belong to runs that will not go on.
	if err := os.RemoveAll(s.resultsTempDir()); err != nil {
		s.logger.Warn("step functions: stale result files not removed", "err", err)
	}
	log, err := s.openLog(filepath.Join(s.dataDir, mapRunLogName))
	if err != nil {
		return fmt.Errorf("open map runs: %w", err)
	}
	m := s.maps
	m.log = log
	err = log.Replay(func(b []byte) error {
		var r mapRunRecord
		if err := json.Unmarshal(b, &r); err != nil {
			s.logger.Error("step functions map runs: undecodable record skipped", "err", err)
			s.loss.Corrupt++
			s.loss.Bytes += int64(len(b))
			return nil
		}
		switch {
		case r.Run != nil:
			e := m.entry(*r.Run)
			e.desc = *r.Run
		case r.Child != nil:
			e := m.runs[r.MapRunArn]
			if e == nil {
				e = m.entry(interp.MapRunDescription{MapRunArn: r.MapRunArn, Status: interp.MapRunStatusAborted})
			}
			e.kids = append(e.kids, e.kidOf(*r.Child))
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("replay map runs: %w", err)
	}
	// The log has children in the order they ended; list them in the order they started.
	for _, e := range m.runs {
		sort.SliceStable(e.kids, func(i, j int) bool { return e.kids[i].start < e.kids[j].start })
	}
	// Runs that were running have been left behind by their parents (see above).
	now := s.clock.Now().UTC()
	var recs [][]byte
	for _, e := range m.runs {
		if e.desc.Status != interp.MapRunStatusRunning {
			continue
		}
		e.desc.Status, e.desc.StopDate = interp.MapRunStatusAborted, now
		e.desc.Error, e.desc.Cause = "States.Runtime", "The service stopped while the Map Run was running; its execution resumed with a new Map Run."
		d := e.desc
		b, _ := json.Marshal(mapRunRecord{Run: &d})
		recs = append(recs, b)
	}
	if len(recs) > 0 {
		if err := log.Append(context.Background(), recs...); err != nil {
			return fmt.Errorf("record abandoned map runs: %w", err)
		}
	}
	if log.Size() > compactMapRunsAt {
		if err := log.Compact(context.Background(), m.snapshot); err != nil {
			s.logger.Warn("step functions: map run log not compacted", "err", err)
		}
	}
	return nil
}

// snapshot emits the records that rebuild the store.
func (m *mapRunStore) snapshot(emit func([]byte) error) error {
	m.mu.RLock()
	defer m.mu.RUnlock()
	for _, e := range m.runs {
		d := e.describe()
		b, err := json.Marshal(mapRunRecord{Run: &d})
		if err != nil {
			return err
		}
		if err := emit(b); err != nil {
			return err
		}
		for i := range e.kids {
			if e.kids[i].status == 0 {
				continue
			}
			c := e.entryOf(e.kids[i])
			b, err := json.Marshal(mapRunRecord{MapRunArn: d.MapRunArn, Child: &c})
			if err != nil {
				return err
			}
			if err := emit(b); err != nil {
				return err
			}
		}
	}
	return nil
}

// entry returns the run's entry, creating it; the caller holds m.mu or is replaying.
func (m *mapRunStore) entry(d interp.MapRunDescription) *mapRunEntry {
	e := m.runs[d.MapRunArn]
	if e == nil {
		e = &mapRunEntry{desc: d}
		m.runs[d.MapRunArn] = e
		m.byExecution[d.ExecutionArn] = append(m.byExecution[d.ExecutionArn], e)
	}
	return e
}

func (m *mapRunStore) close() error {
	if m == nil || m.log == nil {
		return nil
	}
	return m.log.Close()
}

// record appends records to the log, when there is one.
func (m *mapRunStore) record(ctx context.Context, recs ...mapRunRecord) error {
	if m.log == nil {
		return nil
	}
	bs := make([][]byte, len(recs))
	for i := range recs {
		b, err := json.Marshal(recs[i])
		if err != nil {
			return err
		}
		bs[i] = b
	}
	return m.log.Append(ctx, bs...)
}

// child returns a running child execution.
func (s *Service) mapRunChild(arn string) *execution {
	if s.maps == nil {
		return nil
	}
	s.maps.mu.RLock()
	defer s.maps.mu.RUnlock()
	return s.maps.children[arn]
}

// mapRunHost is the engine's MapRunHost: it keeps the service's Map Runs.
type mapRunHost struct{ s *Service }

var _ interp.MapRunHost = mapRunHost{}

func (h mapRunHost) MapRunStarted(ctx context.Context, run *interp.MapRun) error {
	m := h.s.maps
	d := run.Describe()
	m.mu.Lock()
	e := m.entry(d)
	e.live, e.desc = run, d
	m.mu.Unlock()
	if err := m.record(h.s.ctx, mapRunRecord{Run: &d}); err != nil {
		h.s.logger.Error("step functions: map run not recorded", "mapRun", d.MapRunArn, "err", err)
		return fmt.Errorf("record the map run: %w", err)
	}
	return nil
}

func (h mapRunHost) ChildStarted(run *interp.MapRun, child interp.ChildExecution) interp.HistorySink {
	m := h.s.maps
	e := &execution{
		rec: executionRecord{Arn: child.Arn, Name: child.Name, MachineArn: child.StateMachineArn, Input: child.Input,
			Start: child.StartDate.UTC(), MapRunArn: child.MapRunArn},
		status: interp.StatusRunning,
		ended:  make(chan struct{}),
	}
	m.mu.Lock()
	m.children[child.Arn] = e
	if r := m.runs[child.MapRunArn]; r != nil {
		m.kidIndex[child.Arn] = len(r.kids)
		r.kids = append(r.kids, r.kidOf(childEntry{Arn: child.Arn, Name: child.Name, Machine: child.StateMachineArn, Start: e.rec.Start,
			Status: string(interp.StatusRunning), Items: child.Items}))
	}
	m.mu.Unlock()
	return childHistory{h.s, e}
}

// childHistory keeps a child execution's events until it ends.
type childHistory struct {
	s *Service
	e *execution
}

func (c childHistory) Record(ev interp.HistoryEvent) {
	if c.s.ctx.Err() != nil {
		return
	}
	c.e.mu.Lock()
	c.e.events = append(c.e.events, ev)
	c.e.mu.Unlock()
}

func (h mapRunHost) ChildEnded(run *interp.MapRun, child interp.ChildExecution, r interp.Result) {
	s, m := h.s, h.s.maps
	m.mu.RLock()
	e := m.children[child.Arn]
	m.mu.RUnlock()
	if e == nil {
		return
	}
	end := endRecord{Status: string(r.Status), Error: r.Error, Cause: r.Cause, Stop: r.StopDate.UTC()}
	if r.Status == interp.StatusSucceeded {
		out, err := json.Marshal(r.Output)
		if err != nil {
			out = []byte("null")
		}
		end.Output = string(out)
	}
	e.mu.Lock()
	e.status, e.end = r.Status, end
	blob := &historyBlob{Execution: e.rec, End: end, Events: e.events}
	e.mu.Unlock()
	if s.ctx.Err() != nil {
		return // closing: the Map Run is abandoned (see above)
	}
	if s.history != nil && child.ExecutionType != "EXPRESS" {
		if err := s.history.put(context.Background(), blob); err != nil {
			s.logger.Error("step functions: child execution not saved", "execution", child.Arn, "err", err)
		}
	}
	ended := childEntry{Arn: child.Arn, Name: child.Name, Machine: child.StateMachineArn, Start: e.rec.Start, Stop: end.Stop,
		Status: end.Status, Items: child.Items}
	m.mu.Lock()
	if run := m.runs[child.MapRunArn]; run != nil {
		if i, ok := m.kidIndex[child.Arn]; ok {
			run.kids[i] = run.kidOf(ended)
		} else {
			run.kids = append(run.kids, run.kidOf(ended))
		}
	}
	delete(m.kidIndex, child.Arn)
	m.mu.Unlock()
	if err := m.record(context.Background(), mapRunRecord{MapRunArn: child.MapRunArn, Child: &ended}); err != nil {
		s.logger.Error("step functions: child execution not listed durably", "execution", child.Arn, "err", err)
	}
	m.mu.Lock()
	delete(m.children, child.Arn)
	m.mu.Unlock()
	e.mu.Lock()
	e.events = nil
	e.mu.Unlock()
	close(e.ended)
}

func (h mapRunHost) MapRunEnded(run *interp.MapRun) {
	m := h.s.maps
	d := run.Describe()
	m.mu.Lock()
	if e := m.runs[d.MapRunArn]; e != nil {
		e.live, e.desc = nil, d
	}
	m.mu.Unlock()
	if h.s.ctx.Err() != nil {
		return
	}
	if err := m.record(context.Background(), mapRunRecord{Run: &d}); err != nil {
		h.s.logger.Error("step functions: map run end not recorded", "mapRun", d.MapRunArn, "err", err)
	}
}

// checkMapRunArn validates a Map Run ARN:
// arn:aws:states:<region>:<account>:mapRun:<machine>/<label>:<id>.
func checkMapRunArn(arn string) error {
	if arn == "" {
		return validationErrorf("Value null at 'mapRunArn' failed to satisfy constraint: Member must not be null")
	}
	if len(arn) > 2000 {
		return validationErrorf("Value at 'mapRunArn' failed to satisfy constraint: Member must have length less than or equal to 2000")
	}
	res, names, ok := arnParts(arn)
	if !ok || res != "mapRun" || names.n != 2 {
		return apiErrorf(CodeInvalidArn, "Invalid Arn: 'Resource type not valid in this context: %s'", arn)
	}
	return nil
}

func (s *Service) lookupMapRun(arn string) (*mapRunEntry, error) {
	if err := checkMapRunArn(arn); err != nil {
		return nil, err
	}
	s.maps.mu.RLock()
	e := s.maps.runs[arn]
	s.maps.mu.RUnlock()
	if e == nil {
		return nil, apiErrorf(CodeResourceNotFound, "Resource not found: '%s'", arn)
	}
	return e, nil
}

// mapRunCounts is MapRunItemCounts and MapRunExecutionCounts.
// https://docs.aws.amazon.com/step-functions/latest/apireference/API_MapRunItemCounts.html
type mapRunCounts struct {
	Aborted               int64 `json:"aborted"`
	Failed                int64 `json:"failed"`
	FailuresNotRedrivable int64 `json:"failuresNotRedrivable"`
	Pending               int64 `json:"pending"`
	PendingRedrive        int64 `json:"pendingRedrive"`
	ResultsWritten        int64 `json:"resultsWritten"`
	Running               int64 `json:"running"`
	Succeeded             int64 `json:"succeeded"`
	TimedOut              int64 `json:"timedOut"`
	Total                 int64 `json:"total"`
}

func wireCounts(c interp.MapRunCounts) mapRunCounts {
	return mapRunCounts{Aborted: c.Aborted, Failed: c.Failed, FailuresNotRedrivable: c.FailuresNotRedrivable, Pending: c.Pending,
		PendingRedrive: c.PendingRedrive, ResultsWritten: c.ResultsWritten, Running: c.Running, Succeeded: c.Succeeded,
		TimedOut: c.TimedOut, Total: c.Total}
}

// https://docs.aws.amazon.com/step-functions/latest/apireference/API_DescribeMapRun.html
func (s *Service) describeMapRun(ctx context.Context, body []byte) (any, error) {
	var in struct {
		MapRunArn string `json:"mapRunArn"`
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	e, err := s.lookupMapRun(in.MapRunArn)
	if err != nil {
		return nil, err
	}
	s.maps.mu.RLock()
	d := e.describe()
	s.maps.mu.RUnlock()
	return struct {
		MapRunArn                  string       `json:"mapRunArn"`
		ExecutionArn               string       `json:"executionArn"`
		Status                     string       `json:"status"`
		StartDate                  epoch        `json:"startDate"`
		StopDate                   *epoch       `json:"stopDate,omitempty"`
		MaxConcurrency             int          `json:"maxConcurrency"`
		ToleratedFailurePercentage float64      `json:"toleratedFailurePercentage"`
		ToleratedFailureCount      int64        `json:"toleratedFailureCount"`
		ItemCounts                 mapRunCounts `json:"itemCounts"`
		ExecutionCounts            mapRunCounts `json:"executionCounts"`
		RedriveCount               int          `json:"redriveCount"`
		RedriveDate                *epoch       `json:"redriveDate,omitempty"`
	}{
		MapRunArn: d.MapRunArn, ExecutionArn: d.ExecutionArn, Status: string(d.Status), StartDate: epoch(d.StartDate),
		StopDate: stopDate(d), MaxConcurrency: d.MaxConcurrency, ToleratedFailurePercentage: d.ToleratedFailurePercentage,
		ToleratedFailureCount: d.ToleratedFailureCount, ItemCounts: wireCounts(d.Items), ExecutionCounts: wireCounts(d.Executions),
		RedriveCount: d.RedriveCount, RedriveDate: redriveDate(d),
	}, nil
}

func redriveDate(d interp.MapRunDescription) *epoch {
	if d.RedriveCount == 0 || d.RedriveDate.IsZero() {
		return nil
	}
	return epochPtr(d.RedriveDate)
}

func stopDate(d interp.MapRunDescription) *epoch {
	if d.Status == interp.MapRunStatusRunning || d.StopDate.IsZero() {
		return nil
	}
	return epochPtr(d.StopDate)
}

// https://docs.aws.amazon.com/step-functions/latest/apireference/API_ListMapRuns.html
func (s *Service) listMapRuns(ctx context.Context, body []byte) (any, error) {
	var in struct {
		ExecutionArn string `json:"executionArn"`
		MaxResults   int    `json:"maxResults"`
		NextToken    string `json:"nextToken"`
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if _, err := s.view(in.ExecutionArn, false); err != nil {
		return nil, err
	}
	type item struct {
		ExecutionArn    string `json:"executionArn"`
		MapRunArn       string `json:"mapRunArn"`
		StateMachineArn string `json:"stateMachineArn"`
		StartDate       epoch  `json:"startDate"`
		StopDate        *epoch `json:"stopDate,omitempty"`
	}
	s.maps.mu.RLock()
	runs := s.maps.byExecution[in.ExecutionArn]
	descs := make([]interp.MapRunDescription, len(runs))
	for i, e := range runs {
		descs[i] = e.describe()
	}
	s.maps.mu.RUnlock()
	page, next, err := paginate(len(descs), in.MaxResults, in.NextToken)
	if err != nil {
		return nil, err
	}
	out := make([]item, 0, page.to-page.from)
	for _, d := range descs[page.from:page.to] {
		out = append(out, item{ExecutionArn: d.ExecutionArn, MapRunArn: d.MapRunArn, StateMachineArn: d.StateMachineArn,
			StartDate: epoch(d.StartDate), StopDate: stopDate(d)})
	}
	return struct {
		MapRuns   []item `json:"mapRuns"`
		NextToken string `json:"nextToken,omitempty"`
	}{out, next}, nil
}

// https://docs.aws.amazon.com/step-functions/latest/apireference/API_UpdateMapRun.html
func (s *Service) updateMapRun(ctx context.Context, body []byte) (any, error) {
	var in struct {
		MapRunArn                  string   `json:"mapRunArn"`
		MaxConcurrency             *int     `json:"maxConcurrency"`
		ToleratedFailureCount      *int64   `json:"toleratedFailureCount"`
		ToleratedFailurePercentage *float64 `json:"toleratedFailurePercentage"`
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if err := checkMapRunArn(in.MapRunArn); err != nil {
		return nil, err
	}
	if in.MaxConcurrency != nil && *in.MaxConcurrency < 0 {
		return nil, validationErrorf("Value '%d' at 'maxConcurrency' failed to satisfy constraint: Member must have value greater than or equal to 0", *in.MaxConcurrency)
	}
	if in.ToleratedFailureCount != nil && *in.ToleratedFailureCount < 0 {
		return nil, validationErrorf("Value '%d' at 'toleratedFailureCount' failed to satisfy constraint: Member must have value greater than or equal to 0", *in.ToleratedFailureCount)
	}
	if p := in.ToleratedFailurePercentage; p != nil && (*p < 0 || *p > 100) {
		return nil, validationErrorf("Value '%v' at 'toleratedFailurePercentage' failed to satisfy constraint: Member must have value between 0 and 100", *p)
	}
	e, err := s.lookupMapRun(in.MapRunArn)
	if err != nil {
		return nil, err
	}
	s.maps.mu.RLock()
	run := e.live
	s.maps.mu.RUnlock()
	if run == nil {
		return nil, apiErrorf(CodeValidation, "The Map Run '%s' is not running and cannot be updated", in.MapRunArn)
	}
	if err := run.Update(interp.MapRunUpdate{MaxConcurrency: in.MaxConcurrency, ToleratedFailureCount: in.ToleratedFailureCount,
		ToleratedFailurePercentage: in.ToleratedFailurePercentage}); err != nil {
		return nil, apiErrorf(CodeValidation, "%v", err)
	}
	d := run.Describe()
	if err := s.maps.record(ctx, mapRunRecord{Run: &d}); err != nil {
		s.logger.Error("step functions: map run update not recorded", "mapRun", d.MapRunArn, "err", err)
		return nil, errNotSaved
	}
	return struct{}{}, nil
}

// listMapRunExecutions is ListExecutions with mapRunArn: the run's child executions, newest first, each
// with its mapRunArn and itemCount.
// https://docs.aws.amazon.com/step-functions/latest/apireference/API_ListExecutions.html
func (s *Service) listMapRunExecutions(in listInput) (any, error) {
	e, err := s.lookupMapRun(in.MapRunArn)
	if err != nil {
		return nil, err
	}
	if in.MaxResults < 0 || in.MaxResults > 1000 {
		return nil, validationErrorf("Value '%d' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 1000", in.MaxResults)
	}
	limit := in.MaxResults
	if limit == 0 {
		limit = 100
	}
	// The token is the number of children (in start order) still to list: children that start later do
	// not move the ones already listed.
	s.maps.mu.RLock()
	defer s.maps.mu.RUnlock()
	pos := len(e.kids)
	if in.NextToken != "" {
		b, err := base64.RawURLEncoding.DecodeString(in.NextToken)
		n, err2 := strconv.Atoi(string(b))
		if err != nil || err2 != nil || n < 0 || n > len(e.kids) {
			return nil, apiErrorf(CodeInvalidToken, "Invalid Token: '%s'", in.NextToken)
		}
		pos = n
	}
	type item struct {
		executionListItem
		MapRunArn string `json:"mapRunArn"`
		ItemCount int    `json:"itemCount"`
	}
	out := []item{}
	for pos > 0 && len(out) < limit {
		pos--
		k := e.entryOf(e.kids[pos])
		if in.StatusFilter != "" && k.Status != in.StatusFilter {
			continue
		}
		it := item{executionListItem: executionListItem{ExecutionArn: k.Arn, StateMachineArn: k.Machine, Name: k.Name, Status: k.Status,
			StartDate: epoch(k.Start)}, MapRunArn: in.MapRunArn, ItemCount: k.Items}
		if k.Status != string(interp.StatusRunning) {
			it.StopDate = epochPtr(k.Stop)
		}
		out = append(out, it)
	}
	next := ""
	if pos > 0 {
		next = base64.RawURLEncoding.EncodeToString([]byte(strconv.Itoa(pos)))
	}
	return struct {
		Executions []item `json:"executions"`
		NextToken  string `json:"nextToken,omitempty"`
	}{out, next}, nil
}
