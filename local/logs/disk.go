package logs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"github.com/sluicehq/sluice/internal/durablelog"
	"github.com/sluicehq/sluice/internal/jsonvalue"
)

// On disk, a data directory holds:
//
//	journal.log           the durable log (internal/durablelog) of every change: groups, retention,
//	                      streams, and one index record per batch (segment, offset, length, CRC, time span)
//	segments/<id>.seg     the batches' events, appended; a segment is deleted once no batch in it is live
//
// A batch's events are written to the current segment first and its index record appended to the journal
// after; PutLogEvents answers once the journal append returns, so an acknowledged batch is always complete
// in its segment. Bytes a crash left in a segment without an index record are never read.
const (
	journalFile    = "journal.log"
	segmentDir     = "segments"
	segmentSuffix  = ".seg"
	maxSegmentSize = 8 << 20
	// compactAt: the journal is compacted when it has grown past this and past twice its size after the
	// last compaction.
	compactAt = 4 << 20
)

// Journal record kinds.
const (
	recGroup        = "g"
	recGroupDelete  = "gd"
	recStream       = "s"
	recStreamDelete = "sd"
	recBatch        = "b"
)

// journalRecord is one change in the journal.
type journalRecord struct {
	Kind      string       `json:"k"`
	Group     string       `json:"g"`
	Stream    string       `json:"s,omitempty"`
	Created   int64        `json:"c,omitempty"`
	Retention int          `json:"r,omitempty"`
	Batch     *batchRecord `json:"b,omitempty"`
}

type batchRecord struct {
	Seq    uint64 `json:"q"`
	Seg    uint64 `json:"f"`
	Off    int64  `json:"o"`
	N      int64  `json:"n"`
	CRC    uint32 `json:"x"`
	Min    int64  `json:"lo"`
	Max    int64  `json:"hi"`
	Ingest int64  `json:"i"`
	Count  int    `json:"m"`
	Size   int64  `json:"z"`
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// disk is a service's storage. writeBatches, release and compact run under the service's writeMu;
// readBatch runs under its read lock, concurrently.
type disk struct {
	s             *Service
	dir           string
	journal       *durablelog.Log
	lastCompacted int64

	cur     *os.File
	curID   uint64
	curSize int64
	refs    map[uint64]int // live batches per segment

	readMu  sync.Mutex
	readers map[uint64]*os.File

	// events, record and records are writeBatches' buffers for a run's bytes and its journal records,
	// reused under writeMu (a buffer grown past maxKeptBuffer is let go).
	events, record []byte
	records        [][]byte
}

const maxKeptBuffer = 256 << 10

// appendBatchRecord appends b's journal record to dst: the JSON of journalRecord{Kind: recBatch, ...} as
// encoding/json writes it (TestBatchRecordAsEncodingJSON), without its reflection, since every
// PutLogEvents batch has one.
func appendBatchRecord(dst []byte, b *batch) []byte {
	dst = append(dst, `{"k":"b","g":`...)
	dst = jsonvalue.AppendString(dst, b.stream.group.name)
	if b.stream.name != "" {
		dst = append(dst, `,"s":`...)
		dst = jsonvalue.AppendString(dst, b.stream.name)
	}
	dst = append(dst, `,"b":{"q":`...)
	dst = strconv.AppendUint(dst, b.seq, 10)
	dst = append(dst, `,"f":`...)
	dst = strconv.AppendUint(dst, b.seg, 10)
	dst = append(dst, `,"o":`...)
	dst = strconv.AppendInt(dst, b.off, 10)
	dst = append(dst, `,"n":`...)
	dst = strconv.AppendInt(dst, b.n, 10)
	dst = append(dst, `,"x":`...)
	dst = strconv.AppendUint(dst, uint64(b.crc), 10)
	dst = append(dst, `,"lo":`...)
	dst = strconv.AppendInt(dst, b.minTs, 10)
	dst = append(dst, `,"hi":`...)
	dst = strconv.AppendInt(dst, b.maxTs, 10)
	dst = append(dst, `,"i":`...)
	dst = strconv.AppendInt(dst, b.ingest, 10)
	dst = append(dst, `,"m":`...)
	dst = strconv.AppendInt(dst, int64(b.count), 10)
	dst = append(dst, `,"z":`...)
	dst = strconv.AppendInt(dst, b.size, 10)
	return append(dst, "}}"...)
}

// journal appends a record when the service is durable.
func (s *Service) journal(ctx context.Context, rec journalRecord) error {
	if s.disk == nil {
		return nil
	}
	b, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	if err := s.disk.journal.Append(ctx, b); err != nil {
		return unavailable(err)
	}
	return nil
}

// unavailable turns a storage failure into the error AWS answers when it cannot take a request.
func unavailable(err error) error {
	return fmt.Errorf("%w: %w", &apiError{code: CodeServiceUnavailable, message: "The service cannot complete the request."}, err)
}

func openDisk(s *Service) (*disk, error) {
	d := &disk{s: s, dir: s.dataDir, refs: map[uint64]int{}, readers: map[uint64]*os.File{}}
	if err := os.MkdirAll(filepath.Join(d.dir, segmentDir), 0o755); err != nil {
		return nil, fmt.Errorf("logs: %w", err)
	}
	policy := durablelog.SyncNone
	if s.sync {
		policy = durablelog.SyncGroup
	}
	j, err := durablelog.Open(filepath.Join(d.dir, journalFile), durablelog.Options{Sync: policy, Logger: s.log, WrapFile: s.wrapJournal})
	if err != nil {
		return nil, fmt.Errorf("logs: open journal: %w", err)
	}
	d.journal = j
	if err := d.recover(); err != nil {
		j.Close()
		return nil, err
	}
	return d, nil
}

// recover rebuilds the index from the journal and reconciles it with the segments on disk.
func (d *disk) recover() error {
	s := d.s
	s.mu.Lock()
	defer s.mu.Unlock()
	err := d.journal.Replay(func(raw []byte) error {
		var rec journalRecord
		if err := json.Unmarshal(raw, &rec); err != nil {
			return fmt.Errorf("logs: journal record: %w", err)
		}
		switch rec.Kind {
		case recGroup:
			s.applyGroup(rec)
		case recGroupDelete:
			s.applyGroupDelete(rec)
		case recStream:
			s.applyStream(rec)
		case recStreamDelete:
			s.applyStreamDelete(rec)
		case recBatch:
			g := s.groups[rec.Group]
			if g == nil || g.streams[rec.Stream] == nil || rec.Batch == nil {
				return nil // its group or stream was deleted later
			}
			r := rec.Batch
			s.applyBatch(&batch{seq: r.Seq, stream: g.streams[rec.Stream], minTs: r.Min, maxTs: r.Max, ingest: r.Ingest,
				count: r.Count, size: r.Size, seg: r.Seg, off: r.Off, n: r.N, crc: r.CRC})
		default:
			return fmt.Errorf("logs: unknown journal record %q", rec.Kind)
		}
		return nil
	})
	if err != nil {
		return err
	}
	// Segments on disk and their sizes; batches whose bytes are missing are dropped (they cannot be, short
	// of someone deleting files, since the segment write precedes the journal record).
	sizes := map[uint64]int64{}
	entries, err := os.ReadDir(filepath.Join(d.dir, segmentDir))
	if err != nil {
		return fmt.Errorf("logs: %w", err)
	}
	for _, e := range entries {
		id, ok := segmentID(e.Name())
		if !ok {
			continue
		}
		info, err := e.Info()
		if err != nil {
			return fmt.Errorf("logs: %w", err)
		}
		sizes[id] = info.Size()
		d.curID = max(d.curID, id)
	}
	lost := 0
	for _, g := range s.groups {
		missing := func(b *batch) bool {
			size, ok := sizes[b.seg]
			return !ok || b.off+b.n > size
		}
		for _, b := range g.batches {
			if missing(b) {
				lost++
			} else {
				d.refs[b.seg]++
			}
		}
		g.batches = removeBatches(g.batches, missing)
		for _, st := range g.streams {
			st.batches = removeBatches(st.batches, missing)
		}
	}
	if lost > 0 {
		s.log.Error("logs: batches whose segment bytes are missing were dropped", "batches", lost)
	}
	for id := range sizes {
		if d.refs[id] == 0 {
			if err := os.Remove(d.segmentPath(id)); err != nil {
				return fmt.Errorf("logs: %w", err)
			}
		}
	}
	d.lastCompacted = d.journal.Size()
	return nil
}

func segmentID(name string) (uint64, bool) {
	base, ok := strings.CutSuffix(name, segmentSuffix)
	if !ok {
		return 0, false
	}
	id, err := strconv.ParseUint(base, 16, 64)
	return id, err == nil
}

func (d *disk) segmentPath(id uint64) string {
	return filepath.Join(d.dir, segmentDir, fmt.Sprintf("%016x%s", id, segmentSuffix))
}

// writeBatches makes batches durable: their events (evs[i] for bs[i]) appended to the current segment,
// their index records to the journal. The batches go in runs, as many as fit in the current segment: one
// segment write and one journal append (one frame: its records all there after a crash, or none) per run.
// It returns how many of bs are durable, in order: all of them, or those of the runs before the one that
// failed, with its error. A failed run's bytes are cut from the segment.
func (d *disk) writeBatches(ctx context.Context, bs []*batch, evs [][]wireEvent) (int, error) {
	done := 0
	for done < len(bs) {
		if d.cur == nil {
			if err := d.rotate(); err != nil {
				return done, unavailable(err)
			}
		}
		d.events, d.record, d.records = d.events[:0], d.record[:0], d.records[:0]
		n := done
		for ; n < len(bs); n++ {
			start := len(d.events)
			d.events = appendEvents(d.events, evs[n])
			// A batch that does not fit starts the next run in a new segment, unless the segment is empty
			// and the batch would be the run's first: a segment takes any one batch.
			if d.curSize+int64(len(d.events)) > maxSegmentSize && (d.curSize > 0 || n > done) {
				d.events = d.events[:start]
				break
			}
			b := bs[n]
			b.seg, b.off, b.n, b.crc = d.curID, d.curSize+int64(start), int64(len(d.events)-start), crc32.Checksum(d.events[start:], castagnoli)
			end := len(d.record)
			d.record = appendBatchRecord(d.record, b)
			d.records = append(d.records, d.record[end:])
		}
		if n == done { // the next batch does not fit in what is left of the segment
			if err := d.rotate(); err != nil {
				return done, unavailable(err)
			}
			continue
		}
		// appendBatchRecord may have moved d.record while it grew: cut the records from where it is now.
		end := 0
		for i, r := range d.records {
			d.records[i] = d.record[end : end+len(r) : end+len(r)]
			end += len(r)
		}
		if err := d.writeRun(ctx); err != nil {
			return done, err
		}
		for _, b := range bs[done:n] {
			d.refs[b.seg]++
		}
		done = n
	}
	if cap(d.events) > maxKeptBuffer {
		d.events = nil
	}
	if cap(d.record) > maxKeptBuffer {
		d.record, d.records = nil, nil
	}
	if size := d.journal.Size(); size > compactAt && size > 2*d.lastCompacted {
		if err := d.compact(ctx); err != nil {
			d.s.log.Warn("logs: compact", "err", err)
		}
	}
	return done, nil
}

// writeRun writes a run's events (d.events) to the current segment and appends its records (d.records) to
// the journal; on error the segment is cut back to where the run began.
func (d *disk) writeRun(ctx context.Context) error {
	if _, err := d.cur.Write(d.events); err != nil {
		_ = d.cur.Truncate(d.curSize)
		return unavailable(err)
	}
	if d.s.sync {
		if err := d.cur.Sync(); err != nil {
			_ = d.cur.Truncate(d.curSize)
			return unavailable(err)
		}
	}
	if err := d.journal.Append(ctx, d.records...); err != nil {
		_ = d.cur.Truncate(d.curSize)
		return unavailable(err)
	}
	d.curSize += int64(len(d.events))
	return nil
}

// rotate starts a new segment.
func (d *disk) rotate() error {
	if d.cur != nil {
		if err := d.cur.Close(); err != nil {
			return err
		}
		if d.refs[d.curID] == 0 {
			_ = os.Remove(d.segmentPath(d.curID))
		}
	}
	d.curID++
	f, err := os.OpenFile(d.segmentPath(d.curID), os.O_CREATE|os.O_EXCL|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	d.cur, d.curSize = f, 0
	return nil
}

var errChecksum = errors.New("logs: segment checksum mismatch")

// readBatch reads a batch's bytes back and checks them.
func (d *disk) readBatch(b *batch) ([]byte, error) {
	d.readMu.Lock()
	f := d.readers[b.seg]
	if f == nil {
		var err error
		if f, err = os.Open(d.segmentPath(b.seg)); err != nil {
			d.readMu.Unlock()
			return nil, err
		}
		d.readers[b.seg] = f
	}
	d.readMu.Unlock()
	buf := make([]byte, b.n)
	if _, err := f.ReadAt(buf, b.off); err != nil {
		return nil, fmt.Errorf("logs: read segment %d: %w", b.seg, err)
	}
	if crc32.Checksum(buf, castagnoli) != b.crc {
		return nil, fmt.Errorf("%w: segment %d offset %d", errChecksum, b.seg, b.off)
	}
	return buf, nil
}

// release drops batches that left the index and deletes segments nothing refers to any more.
func (d *disk) release(dropped []*batch) {
	for _, b := range dropped {
		if b.data != nil {
			continue
		}
		d.refs[b.seg]--
		if d.refs[b.seg] > 0 || b.seg == d.curID && d.cur != nil {
			continue
		}
		delete(d.refs, b.seg)
		d.readMu.Lock()
		if f := d.readers[b.seg]; f != nil {
			f.Close()
			delete(d.readers, b.seg)
		}
		d.readMu.Unlock()
		if err := os.Remove(d.segmentPath(b.seg)); err != nil && !os.IsNotExist(err) {
			d.s.log.Warn("logs: remove segment", "segment", b.seg, "err", err)
		}
	}
}

// compact rewrites the journal as the current state: groups, streams and live batches.
func (d *disk) compact(ctx context.Context) error {
	s := d.s
	err := d.journal.Compact(ctx, func(emit func([]byte) error) error {
		s.mu.RLock()
		defer s.mu.RUnlock()
		put := func(rec journalRecord) error {
			b, err := json.Marshal(rec)
			if err != nil {
				return err
			}
			return emit(b)
		}
		for _, name := range sortedNames(s.groups) {
			g := s.groups[name]
			if err := put(journalRecord{Kind: recGroup, Group: name, Created: g.created, Retention: g.retention}); err != nil {
				return err
			}
			for _, sn := range sortedNames(g.streams) {
				if err := put(journalRecord{Kind: recStream, Group: name, Stream: sn, Created: g.streams[sn].created}); err != nil {
					return err
				}
			}
			for _, b := range g.batches {
				if err := put(journalRecord{Kind: recBatch, Group: name, Stream: b.stream.name, Batch: &batchRecord{
					Seq: b.seq, Seg: b.seg, Off: b.off, N: b.n, CRC: b.crc, Min: b.minTs, Max: b.maxTs, Ingest: b.ingest,
					Count: b.count, Size: b.size}}); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	d.lastCompacted = d.journal.Size()
	return nil
}

func (d *disk) close() error {
	var errs []error
	if d.cur != nil {
		errs = append(errs, d.cur.Close())
	}
	d.readMu.Lock()
	for id, f := range d.readers {
		errs = append(errs, f.Close())
		delete(d.readers, id)
	}
	d.readMu.Unlock()
	errs = append(errs, d.journal.Close())
	return errors.Join(errs...)
}
