package sfn

import (
	"context"
	"fmt"
	"sort"

	"github.com/sluicehq/sluice/asl/interp"
)

// recover opens the journal, rebuilds the service's state from it, compacts it and resumes the executions
// that were running when the previous process stopped.
func (s *Service) recover() error {
	j, recs, err := openJournal(s.dataDir)
	if err != nil {
		return err
	}
	snaps := map[string]*interp.Snapshot{}
	var order []*execution
	for i := range recs {
		r := &recs[i]
		switch r.Kind {
		case "sm":
			s.machines[r.Machine.Arn] = &machine{rec: *r.Machine}
		case "smdel":
			delete(s.machines, r.Arn)
		case "ex":
			e := &execution{rec: *r.Execution, status: interp.StatusRunning, ended: make(chan struct{})}
			s.executions[e.rec.Arn] = e
			s.byMachine[e.rec.MachineArn] = append(s.byMachine[e.rec.MachineArn], e)
			order = append(order, e)
		case "ev":
			if e := s.executions[r.Arn]; e != nil && r.Event != nil {
				e.events = append(e.events, *r.Event)
			}
		case "snap":
			if r.Snapshot != nil {
				snaps[r.Arn] = r.Snapshot
			}
		case "end":
			if e := s.executions[r.Arn]; e != nil && r.End != nil {
				e.status, e.end = interp.Status(r.End.Status), *r.End
				close(e.ended)
			}
		}
	}

	// Running executions continue from their last snapshot: history after it is dropped, since that part
	// runs again. Without a snapshot an execution starts over.
	var resume []*execution
	for _, e := range order {
		if e.status != interp.StatusRunning {
			continue
		}
		if snap := snaps[e.rec.Arn]; snap != nil {
			kept := e.events[:0]
			for _, ev := range e.events {
				if ev.ID <= snap.LastEventID {
					kept = append(kept, ev)
				}
			}
			e.events = kept
		} else {
			e.events = nil
		}
		resume = append(resume, e)
	}

	// Compact: the current state, one record per fact.
	var out []record
	names := make([]string, 0, len(s.machines))
	for arn := range s.machines {
		names = append(names, arn)
	}
	sort.Strings(names)
	for _, arn := range names {
		rec := s.machines[arn].rec
		out = append(out, record{Kind: "sm", Machine: &rec})
	}
	for _, e := range order {
		out = append(out, record{Kind: "ex", Execution: &e.rec})
		for i := range e.events {
			out = append(out, record{Kind: "ev", Arn: e.rec.Arn, Event: &e.events[i]})
		}
		e.journaled = len(e.events)
		if e.status == interp.StatusRunning {
			if snap := snaps[e.rec.Arn]; snap != nil {
				out = append(out, record{Kind: "snap", Arn: e.rec.Arn, Snapshot: snap})
			}
		} else {
			end := e.end
			out = append(out, record{Kind: "end", Arn: e.rec.Arn, End: &end})
		}
	}
	if err := j.rewrite(out); err != nil {
		return err
	}
	s.journal = j

	for _, e := range resume {
		if err := s.resume(e, snaps[e.rec.Arn]); err != nil {
			return fmt.Errorf("resume %s: %w", e.rec.Arn, err)
		}
	}
	return nil
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
				e.events = nil
				input, _ := decodeInput(e.rec.Input)
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
