package s3

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync"

	"github.com/sluicehq/sluice/internal/durablelog"
)

// journalEntry is one change to the store's metadata. The journal is the commit point of
// every change: bucket settings, a key's whole record (versions and pending events),
// multipart uploads and parts, and acknowledgements of published events.
type journalEntry struct {
	T        string        `json:"t"`
	Bucket   string        `json:"b,omitempty"`
	Config   *bucketConfig `json:"c,omitempty"`
	Rec      *keyRecord    `json:"r,omitempty"`
	Key      string        `json:"k,omitempty"`
	Event    *pendingEvent `json:"e,omitempty"`
	Upload   *upload       `json:"u,omitempty"`
	UploadID string        `json:"uid,omitempty"`
	Part     *partInfo     `json:"p,omitempty"`
	ID       string        `json:"id,omitempty"`
}

// Journal entry types.
const (
	jBucket   = "bucket"
	jRmBucket = "rmbucket"
	jRecord   = "rec"
	jUpload   = "upload"
	jPart     = "part"
	jRmUpload = "rmupload"
	jAck      = "ack"
	jEvent    = "event"
)

// journal keeps the store's metadata in a durable log, one JSON entry per record. With sync,
// an entry is fsynced (concurrent entries sharing an fsync) before appendEntry returns;
// without, it survives the process being killed, not a power loss. A failed write stops the
// log acknowledging writes until one succeeds again (see durablelog).
type journal struct {
	log *durablelog.Log
	lg  *slog.Logger

	mu   sync.Mutex
	base int64 // size right after the last compaction
}

func openJournal(path string, sync bool, lg *slog.Logger) (*journal, error) {
	policy := durablelog.SyncNone
	if sync {
		policy = durablelog.SyncGroup
	}
	l, err := durablelog.Open(path, durablelog.Options{Sync: policy, Logger: lg})
	if err != nil {
		return nil, fmt.Errorf("open journal: %w", err)
	}
	return &journal{log: l, lg: lg}, nil
}

// recovery reports what opening the journal found (corrupt records are logged by durablelog).
func (j *journal) recovery() durablelog.Recovery { return j.log.Recovery() }

// replay calls apply for each entry in order. An entry whose checksum holds but whose JSON
// does not decode (written by another version) is skipped and logged.
func (j *journal) replay(apply func(journalEntry) error) error {
	return j.log.Replay(func(rec []byte) error {
		var e journalEntry
		if err := json.Unmarshal(rec, &e); err != nil {
			j.lg.Error("s3: journal entry skipped: it does not decode", "err", err, "bytes", len(rec))
			return nil
		}
		return apply(e)
	})
}

// entryBufs holds the buffers object writes' entries are encoded into (*[]byte), for the next entry:
// durablelog's Append copies an entry into its frame and lets go of it before it returns, so a buffer
// goes back once the entry is written (or failed), and nothing refers to it then.
var entryBufs sync.Pool

// maxPooledEntry bounds the buffers kept: an entry for a key with many versions is let go.
const maxPooledEntry = 64 << 10

// appendEntry commits e: it returns nil only once e is durable.
func (j *journal) appendEntry(e journalEntry) error {
	bp, _ := entryBufs.Get().(*[]byte)
	if bp == nil {
		bp = new([]byte)
	}
	raw, ok := appendRecordEntry((*bp)[:0], e) // an object write's entry, without reflection
	if !ok {
		entryBufs.Put(bp)
		raw, err := json.Marshal(e)
		if err != nil {
			return fmt.Errorf("encode journal entry: %w", err)
		}
		return j.log.Append(context.Background(), raw)
	}
	err := j.log.Append(context.Background(), raw)
	if cap(raw) <= maxPooledEntry {
		*bp = raw[:0]
		entryBufs.Put(bp)
	}
	return err
}

// overgrown reports whether the journal has passed limit and four times its compacted size.
func (j *journal) overgrown(limit int64) bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	size := j.log.Size()
	return size > limit && size > 4*j.base
}

// compact rewrites the journal as the entries snapshot emits; the caller holds every lock
// around appends and in-memory updates, so the snapshot covers every entry written.
func (j *journal) compact(snapshot func(emit func(journalEntry) error) error) error {
	err := j.log.Compact(context.Background(), func(emit func([]byte) error) error {
		return snapshot(func(e journalEntry) error {
			raw, err := json.Marshal(e)
			if err != nil {
				return fmt.Errorf("encode journal entry: %w", err)
			}
			return emit(raw)
		})
	})
	if err != nil {
		return err
	}
	j.mu.Lock()
	j.base = j.log.Size()
	j.mu.Unlock()
	return nil
}

func (j *journal) close() error { return j.log.Close() }
