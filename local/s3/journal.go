package s3

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"sync"
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

// journal is an append-only file of entries, one per line: the CRC-32 of the JSON in hex, a
// space, the JSON. Appending a line is atomic for recovery: a torn or corrupt tail is
// ignored (and cut off) when the journal is replayed.
type journal struct {
	mu   sync.Mutex
	f    *os.File
	sync bool
	gs   groupSync
	size int64 // bytes in the file
	base int64 // bytes right after the last compaction
}

// formatEntry renders one journal line.
func formatEntry(e journalEntry) ([]byte, error) {
	raw, err := json.Marshal(e)
	if err != nil {
		return nil, fmt.Errorf("encode journal entry: %w", err)
	}
	c := crc32.ChecksumIEEE(raw)
	line := make([]byte, 0, len(raw)+10)
	line = append(line, hex.EncodeToString([]byte{byte(c >> 24), byte(c >> 16), byte(c >> 8), byte(c)})...)
	line = append(line, ' ')
	line = append(line, raw...)
	return append(line, '\n'), nil
}

// appendEntry writes e; with sync, the line is on stable storage when it returns.
func (j *journal) appendEntry(e journalEntry) error {
	line, err := formatEntry(e)
	if err != nil {
		return err
	}
	j.mu.Lock()
	if j.f == nil {
		j.mu.Unlock()
		return errors.New("journal closed")
	}
	if _, err := j.f.Write(line); err != nil {
		j.mu.Unlock()
		return fmt.Errorf("append journal: %w", err)
	}
	j.size += int64(len(line))
	n := j.gs.wrote()
	f := j.f
	j.mu.Unlock()
	if j.sync {
		// A file closed by a compaction meanwhile needs no sync: the compacted file holds
		// this entry's effect and was synced.
		if err := j.gs.syncTo(f, n); err != nil && !errors.Is(err, os.ErrClosed) {
			return fmt.Errorf("sync journal: %w", err)
		}
	}
	return nil
}

// overgrown reports whether the journal has passed limit and four times its compacted size.
func (j *journal) overgrown(limit int64) bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.f != nil && j.size > limit && j.size > 4*j.base
}

// swap continues the journal in f, a compacted file of size bytes.
func (j *journal) swap(f *os.File, size int64) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.f != nil {
		j.f.Close()
	}
	j.f, j.size, j.base = f, size, size
	// The compacted file holds (and was synced with) every write made so far.
	j.gs.markSynced()
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

// maxJournalLine bounds one entry (a key record with its versions and pending events).
const maxJournalLine = 64 << 20

// readJournal calls apply for each intact entry, in order, and returns the length of the
// intact prefix.
func readJournal(r io.Reader, apply func(journalEntry) error) (int64, error) {
	br := bufio.NewReaderSize(r, 1<<20)
	var good int64
	for {
		line, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			// Long line: gather it.
			full := append([]byte(nil), line...)
			for errors.Is(err, bufio.ErrBufferFull) && len(full) <= maxJournalLine {
				line, err = br.ReadSlice('\n')
				full = append(full, line...)
			}
			line = full
		}
		if err != nil {
			// io.EOF with a partial line, or a line too long: the intact prefix ends here.
			return good, nil
		}
		e, ok := parseJournalLine(line)
		if !ok {
			return good, nil
		}
		if err := apply(e); err != nil {
			return good, err
		}
		good += int64(len(line))
	}
}

func parseJournalLine(line []byte) (journalEntry, bool) {
	line = bytes.TrimSuffix(line, []byte("\n"))
	if len(line) < 10 || line[8] != ' ' {
		return journalEntry{}, false
	}
	want, err := hex.DecodeString(string(line[:8]))
	if err != nil {
		return journalEntry{}, false
	}
	raw := line[9:]
	c := crc32.ChecksumIEEE(raw)
	if want[0] != byte(c>>24) || want[1] != byte(c>>16) || want[2] != byte(c>>8) || want[3] != byte(c) {
		return journalEntry{}, false
	}
	var e journalEntry
	if err := json.Unmarshal(raw, &e); err != nil {
		return journalEntry{}, false
	}
	return e, true
}
