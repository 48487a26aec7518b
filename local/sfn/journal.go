package sfn

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/sluicehq/sluice/asl/interp"
)

// A journal is the service's durable log: one JSON record a line, appended with a single write(2) each, so
// a killed process loses nothing it wrote. Replay ignores a torn last line.
type journal struct {
	mu   sync.Mutex
	path string
	f    *os.File
	buf  bytes.Buffer
}

// record is one journal line. Kind says which fields are set.
type record struct {
	Kind string `json:"k"` // "sm", "smdel", "ex", "ev", "snap", "end", "tags"

	Machine   *machineRecord       `json:"sm,omitempty"`
	Execution *executionRecord     `json:"ex,omitempty"`
	Arn       string               `json:"arn,omitempty"`
	Event     *interp.HistoryEvent `json:"ev,omitempty"`
	Snapshot  *interp.Snapshot     `json:"snap,omitempty"`
	End       *endRecord           `json:"end,omitempty"`
	Tags      map[string]string    `json:"tags,omitempty"`
}

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
}

type endRecord struct {
	Status string    `json:"status"`
	Output string    `json:"output,omitempty"`
	Error  string    `json:"error,omitempty"`
	Cause  string    `json:"cause,omitempty"`
	Stop   time.Time `json:"stop"`
}

const journalName = "sfn.journal"

// openJournal opens (creating) the journal in dir and returns the records it holds.
func openJournal(dir string) (*journal, []record, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, nil, fmt.Errorf("create data dir: %w", err)
	}
	path := filepath.Join(dir, journalName)
	var recs []record
	if data, err := os.ReadFile(path); err == nil {
		sc := bufio.NewScanner(bytes.NewReader(data))
		sc.Buffer(make([]byte, 0, 64<<10), 64<<20)
		for sc.Scan() {
			var r record
			if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
				break // a torn last line: everything before it is intact
			}
			recs = append(recs, r)
		}
	} else if !os.IsNotExist(err) {
		return nil, nil, fmt.Errorf("read journal: %w", err)
	}
	return &journal{path: path}, recs, nil
}

// rewrite replaces the journal with recs (compaction), atomically, and opens it for appending.
func (j *journal) rewrite(recs []record) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	tmp := j.path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return fmt.Errorf("compact journal: %w", err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	enc := json.NewEncoder(w)
	for i := range recs {
		if err := enc.Encode(&recs[i]); err != nil {
			f.Close()
			return fmt.Errorf("compact journal: %w", err)
		}
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return fmt.Errorf("compact journal: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("compact journal: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("compact journal: %w", err)
	}
	if err := os.Rename(tmp, j.path); err != nil {
		return fmt.Errorf("compact journal: %w", err)
	}
	j.f, err = os.OpenFile(j.path, os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("open journal: %w", err)
	}
	return nil
}

// append writes the records, one line each, with one write call.
func (j *journal) append(recs ...*record) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.f == nil {
		return fmt.Errorf("journal closed")
	}
	j.buf.Reset()
	enc := json.NewEncoder(&j.buf)
	for _, r := range recs {
		if err := enc.Encode(r); err != nil {
			return fmt.Errorf("encode journal record: %w", err)
		}
	}
	if _, err := j.f.Write(j.buf.Bytes()); err != nil {
		return fmt.Errorf("append journal: %w", err)
	}
	return nil
}

func (j *journal) close() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.f == nil {
		return nil
	}
	err := j.f.Close()
	j.f = nil
	return err
}
