package sfn

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/sluicehq/sluice/asl/interp"
)

// Loss is what the service found damaged in its data directory when it opened it: records of its journal
// or history index that failed their checksum and were skipped (every valid record around them was
// kept). A loss may have taken state machines, execution starts or ends, or snapshots: executions whose
// start was lost are gone, and the work they were doing must be driven again (local/stack re-drives the
// pipeline's objects that have no outcome).
type Loss struct {
	Corrupt int   // corrupt ranges skipped, each holding the records of one or more writes
	Bytes   int64 // bytes skipped with them
	// Snapshots counts snapshot records set aside because a record of the same execution before them was
	// lost: the execution resumes from its last snapshot with a complete history before it.
	Snapshots int
	// Orphans counts records of executions whose start record was lost.
	Orphans int
	// Migrated is set when an unversioned journal of an earlier version was imported (no loss).
	Migrated bool
}

// Lost reports whether anything was lost.
func (l Loss) Lost() bool { return l.Corrupt > 0 || l.Snapshots > 0 || l.Orphans > 0 }

// Loss reports what the service found damaged when it opened its data directory.
func (s *Service) Loss() Loss { return s.loss }

// replay is the state recovery rebuilds.
type replay struct {
	order  []*execution // executions in the order they started
	broken map[*execution]bool
}

// recover opens the history store and the journal, rebuilds the service's state, compacts the journal
// and resumes the executions that were running when the previous process stopped.
func (s *Service) recover() error {
	if err := os.MkdirAll(s.dataDir, 0o755); err != nil {
		return fmt.Errorf("create data dir: %w", err)
	}
	hist, err := openHistory(s.dataDir, s.openLog, s.sync, s.logger, s.historySeal, s.clock.Now().Add(-s.retention))
	if err != nil {
		return err
	}
	s.history = hist
	s.loss.Corrupt += hist.loss.Corrupt
	s.loss.Bytes += hist.loss.Bytes
	log, err := s.openLog(filepath.Join(s.dataDir, journalName))
	if err != nil {
		return fmt.Errorf("open journal: %w", err)
	}
	s.journal = newJournal(log)

	rp := &replay{broken: map[*execution]bool{}}
	// The journal of an earlier version is imported into an empty log; once the log holds the import,
	// the old file is set aside (a crash in between leaves both, and the log wins).
	legacy := filepath.Join(s.dataDir, legacyJournalName)
	if log.Size() == 0 {
		if err := s.importLegacy(legacy, rp); err != nil {
			return err
		}
	} else if _, err := os.Stat(legacy); err == nil {
		s.loss.Migrated = true
	}
	err = log.Replay(func(b []byte) error {
		// Most of the records of a journal that has not been compacted for a while are of executions that
		// have finished since: a first, light decoding finds them, and they are skipped undecoded.
		var head recordHead
		if err := json.Unmarshal(b, &head); err == nil && s.finishedHead(&head) {
			return nil
		}
		var r record
		if err := json.Unmarshal(b, &r); err != nil {
			// It passed its checksum, so it was written this way: not ours to guess at.
			s.logger.Error("step functions journal: undecodable record skipped", "err", err)
			s.loss.Corrupt++
			s.loss.Bytes += int64(len(b))
			return nil
		}
		s.apply(&r, rp)
		return nil
	})
	if err != nil {
		return fmt.Errorf("replay journal: %w", err)
	}

	// Executions the old journal knew as ended go to the history store.
	ctx := context.Background()
	var resume []*execution
	for _, e := range rp.order {
		if e.status != interp.StatusRunning {
			if err := s.history.put(ctx, &historyBlob{Execution: e.rec, End: e.end, Events: e.events}); err != nil {
				return fmt.Errorf("import finished execution %s: %w", e.rec.Arn, err)
			}
			close(e.ended)
			s.forget(e)
			continue
		}
		// A running execution continues from its last snapshot: history after it is dropped, since that
		// part runs again. Without a snapshot it starts over.
		e.events = trimEvents(e.events, e.snap)
		e.journaled = len(e.events)
		resume = append(resume, e)
	}
	if s.loss.Lost() {
		s.logger.Error("step functions: records were lost from the data directory; executions they belonged to may be gone or resume from an earlier state",
			"dir", s.dataDir, "corruptRanges", s.loss.Corrupt, "corruptBytes", s.loss.Bytes,
			"snapshotsSetAside", s.loss.Snapshots, "orphanRecords", s.loss.Orphans)
	}

	// Compaction here reclaims what finished executions and damage left in the journal. It may fail (a
	// full disk): the journal as it is stays valid, so the service opens anyway.
	if err := s.journal.compact(ctx, s.liveRecords); err != nil {
		s.logger.Warn("step functions: journal not compacted at open", "err", err)
	} else if s.loss.Migrated {
		if err := os.Rename(legacy, legacy+".imported"); err != nil {
			return fmt.Errorf("set the imported journal aside: %w", err)
		}
	}
	if n, err := s.history.expire(ctx, s.clock.Now().Add(-s.retention)); err != nil {
		s.logger.Error("step functions: expire closed executions", "err", err)
	} else if n > 0 {
		s.logger.Info("step functions: closed executions past retention removed", "executions", n, "retention", s.retention)
	}

	for _, e := range resume {
		if err := s.resume(e, e.snap); err != nil {
			return fmt.Errorf("resume %s: %w", e.rec.Arn, err)
		}
	}
	return nil
}

// apply rebuilds state from one journal record.
func (s *Service) apply(r *record, rp *replay) {
	if s.applyVersionRecord(r) || s.applyActivityRecord(r) {
		return
	}
	switch r.Kind {
	case kindMachine:
		if r.Machine != nil {
			if m := s.machines[r.Machine.Arn]; m != nil {
				last := max(m.rec.LastVersion, r.Machine.LastVersion)
				m.rec = *r.Machine // an update: the machine keeps its versions and aliases
				m.rec.LastVersion = last
			} else {
				s.machines[r.Machine.Arn] = &machine{rec: *r.Machine}
			}
		}
	case kindMachineDeleted:
		delete(s.machines, r.Arn)
	case kindExecution:
		if r.Execution == nil {
			return
		}
		if _, done := s.history.lookup(r.Execution.MachineArn, r.Execution.Name); done {
			return
		}
		if old := s.executions[r.Execution.Arn]; old != nil {
			return // a start appended again (compaction racing a start): the first one stands
		}
		e := &execution{rec: *r.Execution, status: interp.StatusRunning, ended: make(chan struct{})}
		s.executions[e.rec.Arn] = e
		s.byMachine[e.rec.MachineArn] = append(s.byMachine[e.rec.MachineArn], e)
		rp.order = append(rp.order, e)
	case kindRedrive:
		if r.Execution == nil || r.Snapshot == nil {
			return
		}
		if f, done := s.history.lookup(r.Execution.MachineArn, r.Execution.Name); done && int(f.redrives) >= r.Execution.RedriveCount {
			return // this redrive has ended
		}
		if old := s.executions[r.Execution.Arn]; old != nil {
			return
		}
		snap := *r.Snapshot
		e := &execution{rec: *r.Execution, status: interp.StatusRunning, ended: make(chan struct{}), events: r.Events, snap: &snap}
		s.executions[e.rec.Arn] = e
		s.byMachine[e.rec.MachineArn] = append(s.byMachine[e.rec.MachineArn], e)
		rp.order = append(rp.order, e)
	case kindSnapshot, kindLegacyEvent:
		e := s.executions[r.Arn]
		if e == nil {
			if !s.finishedArn(r.Arn) {
				s.loss.Orphans++
			}
			return
		}
		if rp.broken[e] {
			return
		}
		events := r.Events
		if r.Event != nil {
			events = []interp.HistoryEvent{*r.Event}
		}
		// History event ids count from 1 without gaps: a record that does not continue the history held
		// follows a lost one, and so does every later record of the execution.
		if len(events) > 0 && events[0].ID != int64(len(e.events))+1 {
			rp.broken[e] = true
			s.loss.Snapshots++
			return
		}
		e.events = append(e.events, events...)
		if r.Snapshot != nil {
			if r.Snapshot.LastEventID > int64(len(e.events)) {
				rp.broken[e] = true
				s.loss.Snapshots++
				return
			}
			snap := *r.Snapshot
			e.snap = &snap
		}
	case kindLegacyEnd:
		if e := s.executions[r.Arn]; e != nil && r.End != nil {
			e.status, e.end = interp.Status(r.End.Status), *r.End
		}
	}
}

// recordHead is what tells a journal record of a finished execution.
type recordHead struct {
	Kind      string `json:"k"`
	Arn       string `json:"arn"`
	Execution *struct {
		Name       string `json:"name"`
		MachineArn string `json:"machineArn"`
	} `json:"ex"`
}

// finishedHead reports whether a record is of an execution in the history store.
func (s *Service) finishedHead(h *recordHead) bool {
	switch h.Kind {
	case kindExecution:
		if h.Execution == nil {
			return false
		}
		_, done := s.history.lookup(h.Execution.MachineArn, h.Execution.Name)
		return done
	case kindSnapshot:
		return s.executions[h.Arn] == nil && s.finishedArn(h.Arn)
	}
	return false
}

// finishedArn reports whether arn names an execution in the history store.
func (s *Service) finishedArn(arn string) bool {
	machineArn, name, ok := s.splitExecutionArn(arn)
	if !ok {
		return false
	}
	_, done := s.history.lookup(machineArn, name)
	return done
}

func trimEvents(events []interp.HistoryEvent, snap *interp.Snapshot) []interp.HistoryEvent {
	if snap == nil {
		return nil
	}
	kept := events[:0]
	for _, ev := range events {
		if ev.ID <= snap.LastEventID {
			kept = append(kept, ev)
		}
	}
	return kept
}

// importLegacy reads the JSON-lines journal of earlier versions, when there is one. Its last line may be
// torn by a crash; a line that does not parse is skipped and counted as lost.
func (s *Service) importLegacy(path string, rp *replay) error {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read journal: %w", err)
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64<<10), 64<<20)
	for sc.Scan() {
		var r record
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			s.loss.Corrupt++
			s.loss.Bytes += int64(len(sc.Bytes()))
			continue
		}
		if r.Kind == kindSnapshot && r.Snapshot != nil {
			// The old journal wrote the events before a snapshot as records of their own.
			r.Events = nil
		}
		s.apply(&r, rp)
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read journal: %w", err)
	}
	s.loss.Migrated = true
	return nil
}

// liveRecords is the journal's compacted content: the state machines, and for each standard execution not
// yet in the history store its start and one snapshot record with the events journaled before it.
func (s *Service) liveRecords() ([]*record, error) {
	s.mu.RLock()
	names := make([]string, 0, len(s.machines))
	for arn := range s.machines {
		names = append(names, arn)
	}
	sort.Strings(names)
	recs := make([]*record, 0, len(names)+2*len(s.executions))
	for _, arn := range names {
		rec := s.machines[arn].rec
		recs = append(recs, &record{Kind: kindMachine, Machine: &rec})
		recs = append(recs, versionRecords(s.machines[arn])...)
	}
	recs = append(recs, s.activityRecords()...)
	execs := make([]*execution, 0, len(s.executions))
	for _, e := range s.executions {
		execs = append(execs, e)
	}
	s.mu.RUnlock()
	sort.Slice(execs, func(i, j int) bool { return execs[i].rec.Start.Before(execs[j].rec.Start) })
	for _, e := range execs {
		if e.rec.RedriveCount > 0 {
			// A redriven execution: its history and snapshot so far in one record, as a redrive writes it.
			e.mu.Lock()
			if e.snap != nil && e.journaled <= len(e.events) {
				events := append([]interp.HistoryEvent(nil), e.events[:e.journaled]...)
				snap := *e.snap
				recs = append(recs, &record{Kind: kindRedrive, Execution: &e.rec, Events: events, Snapshot: &snap})
			}
			e.mu.Unlock()
			continue
		}
		recs = append(recs, &record{Kind: kindExecution, Execution: &e.rec})
		e.mu.Lock()
		if e.snap != nil && e.journaled <= len(e.events) {
			events := append([]interp.HistoryEvent(nil), e.events[:e.journaled]...)
			snap := *e.snap
			recs = append(recs, &record{Kind: kindSnapshot, Arn: e.rec.Arn, Events: events, Snapshot: &snap})
		}
		e.mu.Unlock()
	}
	return recs, nil
}

// compactInBackground compacts the journal once it has grown enough, outside the caller's locks.
func (s *Service) compactInBackground() {
	if s.journal == nil || !s.journal.due() || !s.compacting.CompareAndSwap(false, true) {
		return
	}
	if !s.background(func() {
		defer s.compacting.Store(false)
		if err := s.journal.compact(context.Background(), s.liveRecords); err != nil {
			s.logger.Error("step functions: compact journal", "err", err)
		}
	}) {
		s.compacting.Store(false)
	}
}

// background runs f on a goroutine Close waits for, unless Close has begun.
func (s *Service) background(f func()) bool {
	s.bgMu.Lock()
	defer s.bgMu.Unlock()
	if s.bgClosed {
		return false
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		f()
	}()
	return true
}

// expireInBackground removes closed executions past the retention period, at most once an hour.
func (s *Service) expireInBackground() {
	if s.history == nil {
		return
	}
	now := s.clock.Now()
	last := s.lastExpire.Load()
	if now.UnixNano()-last < int64(time.Hour) || !s.lastExpire.CompareAndSwap(last, now.UnixNano()) {
		return
	}
	s.background(func() {
		if _, err := s.history.expire(context.Background(), now.Add(-s.retention)); err != nil {
			s.logger.Error("step functions: expire closed executions", "err", err)
		}
	})
}

func (s *Service) resume(e *execution, snap *interp.Snapshot) error {
	compiled, err := s.compile(e.rec.Definition)
	if err != nil {
		return err
	}
	if snap != nil {
		s.launch(compiled, e, func(ctx context.Context, opts []interp.ExecOption) *interp.Execution {
			run, err := compiled.Resume(ctx, *snap, opts...)
			if err != nil {
				// A snapshot the engine cannot resume (say, of a definition state that no longer
				// compiles the same way): start over rather than lose the execution.
				s.logger.Warn("step functions: snapshot not resumable, execution starts over", "execution", e.rec.Arn, "err", err)
				e.mu.Lock()
				e.events, e.journaled, e.snap, e.journaledN = nil, 0, nil, 0
				e.mu.Unlock()
				input, derr := decodeInput(e.rec.Input)
				if derr != nil {
					input = map[string]any{}
				}
				return compiled.Start(ctx, input, opts...)
			}
			return run
		})
		return nil
	}
	input, err := decodeInput(e.rec.Input)
	if err != nil {
		return err
	}
	s.launch(compiled, e, func(ctx context.Context, opts []interp.ExecOption) *interp.Execution {
		return compiled.Start(ctx, input, opts...)
	})
	return nil
}
