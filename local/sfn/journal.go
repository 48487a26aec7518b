package sfn

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sluicehq/sluice/asl/interp"
)

// recordLog is the durable log the service keeps its state in (internal/durablelog): checksummed records,
// appended all or nothing and durable when Append returns, replayed in order with corrupt records skipped,
// and compacted into a snapshot of the live state. Append and Compact's emit copy the records they are
// given: the journal encodes into buffers it uses again.
type recordLog interface {
	Replay(fn func(rec []byte) error) error
	Append(ctx context.Context, recs ...[]byte) error
	Compact(ctx context.Context, snapshot func(emit func([]byte) error) error) error
	Size() int64
	Close() error
}

// The journal holds what is live: state machines, and for each running standard execution its start, and
// its history events with the engine's snapshots. Finished executions leave it for the history store
// (history.go), so compaction rewrites only the live state, however long the history grows.
//
// record is one journal record. Kind says which fields are set.
type record struct {
	Kind string `json:"k"` // kindMachine, kindMachineDeleted, kindExecution, kindSnapshot

	Machine   *machineRecord   `json:"sm,omitempty"`
	Execution *executionRecord `json:"ex,omitempty"`
	Arn       string           `json:"arn,omitempty"`
	// Events are the history events recorded since the previous snapshot record of the execution: a
	// snapshot and the events before it are one record, so a record lost to corruption never leaves a
	// snapshot without the history that led to it.
	Events   []interp.HistoryEvent `json:"evs,omitempty"`
	Snapshot *interp.Snapshot      `json:"snap,omitempty"`
	Version  *versionRecord        `json:"smv,omitempty"`
	Alias    *aliasRecord          `json:"sma,omitempty"`
	Activity *activityRecord       `json:"act,omitempty"`

	// Records of the journal format before the durable log (a JSON line each): one history event, and an
	// execution's end. Read once, when an old data directory is opened; never written.
	Event *interp.HistoryEvent `json:"ev,omitempty"`
	End   *endRecord           `json:"end,omitempty"`
}

// Record kinds.
const (
	kindMachine        = "sm"
	kindMachineDeleted = "smdel"
	kindExecution      = "ex"
	kindSnapshot       = "snap"
	// kindRedrive is a redrive: the execution record (redrive count and date), its whole history so far
	// and the snapshot it continues from (redrive.go).
	kindRedrive        = "redrive"
	kindLegacyEvent    = "ev"
	kindLegacyEnd      = "end"
	kindVersion        = "smv"    // a published version (versions.go)
	kindVersionDeleted = "smvdel" // Arn: the version's
	kindAlias          = "sma"    // an alias, created or updated
	kindAliasDeleted   = "smadel" // Arn: the alias's
	kindActivity       = "act"    // an activity (activities.go)
	kindActivityDel    = "actdel" // Arn: the activity's
)

type machineRecord struct {
	Arn        string            `json:"arn"`
	Name       string            `json:"name"`
	Definition string            `json:"definition"`
	RoleArn    string            `json:"roleArn"`
	Type       string            `json:"type"`
	Created    time.Time         `json:"created"`
	Updated    time.Time         `json:"updated,omitempty"`
	Revision   string            `json:"revision,omitempty"`
	Logging    json.RawMessage   `json:"logging,omitempty"`
	Tracing    json.RawMessage   `json:"tracing,omitempty"`
	Tags       map[string]string `json:"tags,omitempty"`
	// LastVersion is the number of the last version published, so that numbers are never reused.
	LastVersion int `json:"lastVersion,omitempty"`
}

type executionRecord struct {
	Arn        string    `json:"arn"`
	Name       string    `json:"name"`
	MachineArn string    `json:"machineArn"`
	Definition string    `json:"definition"`
	RoleArn    string    `json:"roleArn"`
	Revision   string    `json:"revision,omitempty"`
	Input      string    `json:"input"`
	Start      time.Time `json:"start"`
	TestCase   string    `json:"testCase,omitempty"`

	RedriveCount  int            `json:"redriveCount,omitempty"`
	RedriveDate   time.Time      `json:"redriveDate,omitzero"`
	RedriveTokens []redriveToken `json:"redriveTokens,omitempty"`

	// VersionArn and AliasArn say what the execution was started on (versions.go): the version it runs,
	// and the alias that chose it.
	VersionArn string `json:"versionArn,omitempty"`
	AliasArn   string `json:"aliasArn,omitempty"`
	MapRunArn  string `json:"mapRun,omitempty"` // a Distributed Map's child execution
}

type endRecord struct {
	Status string    `json:"status"`
	Output string    `json:"output,omitempty"`
	Error  string    `json:"error,omitempty"`
	Cause  string    `json:"cause,omitempty"`
	Stop   time.Time `json:"stop"`
}

const (
	journalName = "sfn.log"
	// legacyJournalName is the journal of earlier versions (JSON lines, no checksums), imported once.
	legacyJournalName = "sfn.journal"

	// minCompactBytes is the journal size below which it is never compacted; above it, the journal is
	// compacted once it has grown to twice its size after the previous compaction. Compaction holds off
	// every append while it writes and syncs the live state, and the executions it held up then call their
	// tasks all at once: at 4 MiB, a crash-restart burst of 300 pipeline executions under load exhausted the
	// Lambda throttling retries of some. A restart replays at most twice this (finished executions' records
	// are skipped undecoded).
	minCompactBytes = 64 << 20
)

// journal is the service's use of its log: encoding, and compaction when the log has doubled. Appends
// hold mu for reading, compaction for writing, so a snapshot of the live state sees every append either
// completely (the record and the in-memory change that follows it) or not at all.
type journal struct {
	log recordLog

	mu         sync.RWMutex
	compactAt  atomic.Int64
	compacting sync.Mutex
}

func newJournal(log recordLog) *journal {
	j := &journal{log: log}
	j.setCompactAt(log.Size())
	return j
}

func (j *journal) setCompactAt(size int64) {
	j.compactAt.Store(max(minCompactBytes, 2*size))
}

// appendLocked appends records; the caller holds j.mu for reading.
func (j *journal) appendLocked(ctx context.Context, recs ...*record) error {
	bp, _ := recordBuffers.Get().(*[]byte)
	if bp == nil {
		bp = new([]byte)
	}
	buf := (*bp)[:0]
	var ends [4]int
	offsets := ends[:0]
	for _, r := range recs {
		var err error
		if buf, err = appendRecord(buf, r); err != nil {
			return err
		}
		offsets = append(offsets, len(buf))
	}
	var one [1][]byte
	data := one[:0]
	if len(recs) > 1 {
		data = make([][]byte, 0, len(recs))
	}
	from := 0
	for _, to := range offsets {
		data = append(data, buf[from:to:to])
		from = to
	}
	err := j.log.Append(ctx, data...)
	if cap(buf) <= maxPooledRecord {
		*bp = buf[:0]
		recordBuffers.Put(bp)
	}
	if err != nil {
		return fmt.Errorf("append journal: %w", err)
	}
	return nil
}

// appendEventsLocked appends one record and, once it is durable, hands keep the text of its events as
// appendRecordSpan found it (nil when it has none, or they were not written by hand), valid only during
// the call. The caller holds j.mu for reading.
func (j *journal) appendEventsLocked(ctx context.Context, r *record, keep func(events []byte)) error {
	bp, _ := recordBuffers.Get().(*[]byte)
	if bp == nil {
		bp = new([]byte)
	}
	buf, from, to, err := appendRecordSpan((*bp)[:0], r)
	if err != nil {
		return err
	}
	err = j.log.Append(ctx, buf)
	if err == nil {
		var events []byte
		if from >= 0 {
			events = buf[from:to]
		}
		keep(events)
	}
	if cap(buf) <= maxPooledRecord {
		*bp = buf[:0]
		recordBuffers.Put(bp)
	}
	if err != nil {
		return fmt.Errorf("append journal: %w", err)
	}
	return nil
}

// due reports whether the journal has grown enough to compact. It takes no lock: appenders call it.
func (j *journal) due() bool {
	return j.log.Size() >= j.compactAt.Load()
}

// compact rewrites the journal as the records live() returns, with appends held off meanwhile.
func (j *journal) compact(ctx context.Context, live func() ([]*record, error)) error {
	j.compacting.Lock()
	defer j.compacting.Unlock()
	j.mu.Lock()
	defer j.mu.Unlock()
	err := j.log.Compact(ctx, func(emit func([]byte) error) error {
		recs, err := live()
		if err != nil {
			return err
		}
		var b []byte
		for _, r := range recs {
			b, err = appendRecord(b[:0], r)
			if err != nil {
				return err
			}
			if err := emit(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("compact journal: %w", err)
	}
	j.setCompactAt(j.log.Size())
	return nil
}

func (j *journal) close() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.log.Close()
}
