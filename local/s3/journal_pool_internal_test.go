package s3

import (
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestJournalEntriesConcurrent appends object writes' entries from many goroutines at once, each
// encoded into a pooled buffer, then reads the journal back: every entry must be there once, whole and
// as appended. A buffer given to another entry while the log still read it would show as an entry
// holding another's bytes (or a checksum that fails), and under -race as a data race.
func TestJournalEntriesConcurrent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "journal")
	j, err := openJournal(path, false, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	const workers, rounds = 6, 100
	at := time.Date(2026, 12, 6, 7, 8, 9, 0, time.UTC)
	entry := func(g, i int) journalEntry {
		key := fmt.Sprintf("k-%d-%d-%s", g, i, strings.Repeat("x", i*7)) // sizes vary, some past a buffer's growth
		return journalEntry{T: jRecord, Bucket: "bkt", Rec: &keyRecord{Key: key, Versions: []version{{
			Off: int64(i), Size: int64(g), ETag: key, LastModified: at, Sequencer: fmt.Sprintf("%016x", g*rounds+i)}}},
			Event: &pendingEvent{ID: key, Seq: uint64(g*rounds + i), Body: []byte(`{"key":"` + key + `"}`)}}
	}
	var wg sync.WaitGroup
	for g := range workers {
		wg.Go(func() {
			for i := range rounds {
				if err := j.appendEntry(entry(g, i)); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	if err := j.close(); err != nil {
		t.Fatal(err)
	}
	j, err = openJournal(path, false, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer j.close()
	got := map[string]journalEntry{}
	if err := j.replay(func(e journalEntry) error {
		if _, dup := got[e.Rec.Key]; dup {
			t.Errorf("entry for %s read twice", e.Rec.Key)
		}
		got[e.Rec.Key] = e
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if r := j.recovery(); r.TornBytes != 0 || len(r.Corrupt) != 0 || r.Records != workers*rounds {
		t.Errorf("recovery on reopening: %+v, want %d records and nothing torn or corrupt", r, workers*rounds)
	}
	for g := range workers {
		for i := range rounds {
			want := entry(g, i)
			if diff := cmp.Diff(got[want.Rec.Key], want, cmp.AllowUnexported(journalEntry{})); diff != "" {
				t.Errorf("entry %d/%d (-got +want):\n%s", g, i, diff)
			}
		}
	}
	if len(got) != workers*rounds {
		t.Errorf("%d entries read back, want %d", len(got), workers*rounds)
	}
}
