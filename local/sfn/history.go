package sfn

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/klauspost/compress/gzip"

	"github.com/sluicehq/sluice/asl/interp"
)

// The history store keeps finished executions on disk, out of the heap and out of the journal:
//
//   - each finished execution is one gzip-compressed JSON blob (its start record, its end and every
//     history event) appended to a segment file, history/NNNNNNNN.hist; gzip's CRC-32 and length trailer
//     make a damaged blob detectable on read;
//   - a small entry per execution (machine, name, status, start and stop, where its blob is) goes to the
//     index, a durable log (history/index.log), after its blob is written and, with syncing on, synced;
//   - in memory: the entries only (tens of bytes each, plus the name), and a few decoded blobs.
//
// Segments roll over at segmentBytes. Retention works by segment: once every execution in a segment has
// been closed for longer than the retention period (90 days, as on AWS), the index is compacted without
// its entries and the file is removed. Nothing else rewrites a finished execution.
type historyStore struct {
	dir   string    // "" keeps segments in memory (a service without a data directory)
	index recordLog // nil in memory
	sync  bool      // sync a segment before indexing the blobs written to it
	log   *slog.Logger

	imu sync.RWMutex // index appends (read), index compaction (write)

	mu         sync.RWMutex
	entries    []finished // removed entries have name == ""
	byKey      map[finKey]int32
	machines   []string // machine ARN by id
	machineIDs map[string]int32
	quals      []string // executionQualifier values by id; 0 is "" (the unqualified machine)
	qualIDs    map[string]int32
	segs       map[uint32]*segment
	cache      blobCache
	recent     recentSummaries // of the executions that ended last (describe.go)

	wmu    sync.Mutex // segment writes
	cur    *segment
	nextID uint32
}

// finished is the in-memory index entry of a finished execution.
// Its fields are ordered so that it packs into 64 bytes; the date of the last redrive is read from the
// blob, for the few executions redriven.
type finished struct {
	name        string
	start, stop int64 // Unix milliseconds
	off         int64
	machine     int32
	seg         uint32
	size        uint32
	qual        int32 // what it started on: an index into quals
	status      uint8
	redrives    uint16 // times redriven (at most 1,000)
}

type finKey struct {
	machine int32
	name    string
}

// statuses interns the closed statuses of executions (index 0 is unused).
var statuses = []string{"", string(interp.StatusSucceeded), string(interp.StatusFailed), string(interp.StatusTimedOut), string(interp.StatusAborted)}

func statusCode(s string) uint8 {
	for i, v := range statuses {
		if i > 0 && v == s {
			return uint8(i)
		}
	}
	return 0
}

// indexEntry is the index log's record of a finished execution.
type indexEntry struct {
	Machine  string `json:"m"`
	Name     string `json:"n"`
	Status   string `json:"s"`
	Start    int64  `json:"a"`
	Stop     int64  `json:"b"`
	Seg      uint32 `json:"g"`
	Off      int64  `json:"o"`
	Size     uint32 `json:"l"`
	Redrives int32  `json:"r,omitempty"`
	Qual     string `json:"q,omitempty"` // what it started on (executionQualifier)
}

// historyBlob is everything kept of a finished execution.
type historyBlob struct {
	Execution executionRecord       `json:"ex"`
	End       endRecord             `json:"end"`
	Events    []interp.HistoryEvent `json:"evs"`
	// Redrive is where a redrive continues the execution from (nil: succeeded, or ended before redrive
	// points were kept).
	Redrive *interp.Snapshot `json:"redrive,omitempty"`
}

type segment struct {
	id      uint32
	f       *os.File // nil in memory
	mem     []byte
	size    int64
	maxStop int64
	count   int
}

const (
	historyDir   = "history"
	indexName    = "index.log"
	segmentExt   = ".hist"
	segmentBytes = 64 << 20
)

// openHistory opens the store in dir/history (in memory when dir is ""), with the index opened by open.
func openHistory(dir string, open func(path string) (recordLog, error), syncOn bool, logger *slog.Logger) (*historyStore, error) {
	h := &historyStore{
		sync: syncOn, log: logger, byKey: map[finKey]int32{}, machineIDs: map[string]int32{},
		quals: []string{""}, qualIDs: map[string]int32{"": 0},
		segs: map[uint32]*segment{}, nextID: 1, cache: blobCache{max: 8},
	}
	if dir == "" {
		return h, nil
	}
	h.dir = filepath.Join(dir, historyDir)
	if err := os.MkdirAll(h.dir, 0o755); err != nil {
		return nil, fmt.Errorf("create history dir: %w", err)
	}
	idx, err := open(filepath.Join(h.dir, indexName))
	if err != nil {
		return nil, fmt.Errorf("open history index: %w", err)
	}
	h.index = idx
	err = idx.Replay(func(rec []byte) error {
		var e indexEntry
		if err := json.Unmarshal(rec, &e); err != nil {
			// A record that passed its checksum but is not an entry: written by something else.
			logger.Error("history index: record is not an index entry", "err", err)
			return nil
		}
		h.add(e)
		return nil
	})
	if err != nil {
		idx.Close()
		return nil, fmt.Errorf("replay history index: %w", err)
	}
	// Segments no entry refers to are garbage: blobs of a write that failed before it was indexed, or
	// segments expired by an index compaction whose removal did not happen. The newest id is kept
	// unused either way: a new process starts a new segment.
	names, err := os.ReadDir(h.dir)
	if err != nil {
		idx.Close()
		return nil, fmt.Errorf("read history dir: %w", err)
	}
	for _, de := range names {
		id, ok := segmentID(de.Name())
		if !ok {
			continue
		}
		h.nextID = max(h.nextID, id+1)
		if h.segs[id] == nil {
			if err := os.Remove(filepath.Join(h.dir, de.Name())); err != nil {
				logger.Warn("history: remove unreferenced segment", "segment", de.Name(), "err", err)
			}
		}
	}
	return h, nil
}

func segmentID(name string) (uint32, bool) {
	base, ok := strings.CutSuffix(name, segmentExt)
	if !ok {
		return 0, false
	}
	v, err := strconv.ParseUint(base, 10, 32)
	return uint32(v), err == nil
}

func (h *historyStore) segmentPath(id uint32) string {
	return filepath.Join(h.dir, fmt.Sprintf("%08d%s", id, segmentExt))
}

// add puts an entry in the in-memory index (replacing one of the same execution).
func (h *historyStore) add(e indexEntry) {
	h.mu.Lock()
	defer h.mu.Unlock()
	mid, ok := h.machineIDs[e.Machine]
	if !ok {
		mid = int32(len(h.machines))
		h.machines = append(h.machines, e.Machine)
		h.machineIDs[e.Machine] = mid
	}
	qid, ok := h.qualIDs[e.Qual]
	if !ok {
		qid = int32(len(h.quals))
		h.quals = append(h.quals, e.Qual)
		h.qualIDs[e.Qual] = qid
	}
	f := finished{name: e.Name, machine: mid, status: statusCode(e.Status), start: e.Start, stop: e.Stop, seg: e.Seg, off: e.Off, size: e.Size,
		redrives: uint16(min(max(e.Redrives, 0), maxRedrives)), qual: qid}
	key := finKey{mid, e.Name}
	if i, ok := h.byKey[key]; ok {
		h.entries[i] = f
	} else {
		h.byKey[key] = int32(len(h.entries))
		h.entries = append(h.entries, f)
	}
	seg := h.segs[e.Seg]
	if seg == nil {
		seg = &segment{id: e.Seg}
		h.segs[e.Seg] = seg
	}
	seg.count++
	seg.maxStop = max(seg.maxStop, e.Stop)
}

// lookup finds a finished execution by its machine ARN and name.
func (h *historyStore) lookup(machineArn, name string) (finished, bool) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	mid, ok := h.machineIDs[machineArn]
	if !ok {
		return finished{}, false
	}
	i, ok := h.byKey[finKey{mid, name}]
	if !ok {
		return finished{}, false
	}
	return h.entries[i], true
}

// machineArn returns the ARN of a machine id.
func (h *historyStore) machineArn(id int32) string {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return h.machines[id]
}

// qualifier returns the executionQualifier of an entry.
func (h *historyStore) qualifier(f finished) string {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return h.quals[f.qual]
}

// ofMachine returns the entries of a machine's finished executions.
func (h *historyStore) ofMachine(machineArn string) []finished {
	h.mu.RLock()
	defer h.mu.RUnlock()
	mid, ok := h.machineIDs[machineArn]
	if !ok {
		return nil
	}
	var out []finished
	for _, f := range h.entries {
		if f.machine == mid && f.name != "" {
			out = append(out, f)
		}
	}
	return out
}

// count is the number of finished executions held.
func (h *historyStore) count() int {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return len(h.byKey)
}

// put stores a finished execution: its blob first (synced when syncing), then its index entry. It returns
// once both are durable; on an error neither is visible.
func (h *historyStore) put(ctx context.Context, b *historyBlob) error {
	var buf bytes.Buffer
	zw := gzipWriters.Get().(*gzip.Writer)
	defer gzipWriters.Put(zw)
	zw.Reset(&buf)
	raw := blobBuffers.Get().(*[]byte)
	defer blobBuffers.Put(raw)
	text, err := appendBlob((*raw)[:0], b)
	if err != nil {
		return fmt.Errorf("encode history: %w", err)
	}
	if cap(text) <= maxKeptBlobBuffer {
		*raw = text
	}
	if _, err := zw.Write(text); err != nil {
		return fmt.Errorf("compress history: %w", err)
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("compress history: %w", err)
	}
	seg, off, err := h.write(buf.Bytes())
	if err != nil {
		return err
	}
	e := indexEntry{
		Machine: b.Execution.MachineArn, Name: b.Execution.Name, Status: b.End.Status,
		Start: b.Execution.Start.UnixMilli(), Stop: b.End.Stop.UnixMilli(), Seg: seg, Off: off, Size: uint32(buf.Len()),
		Redrives: int32(b.Execution.RedriveCount), Qual: executionQualifier(b.Execution),
	}
	h.imu.RLock()
	defer h.imu.RUnlock()
	if h.index != nil {
		rec, err := json.Marshal(e)
		if err != nil {
			return fmt.Errorf("encode history index entry: %w", err)
		}
		if err := h.index.Append(ctx, rec); err != nil {
			return fmt.Errorf("append history index: %w", err)
		}
	}
	h.add(e)
	h.recent.put(seg, off, b)
	return nil
}

// gzipWriters are reused: a compressor's tables are large to make for every blob.
var gzipWriters = sync.Pool{New: func() any {
	zw, err := gzip.NewWriterLevel(io.Discard, gzip.BestSpeed)
	if err != nil {
		panic(err) // only for an invalid level
	}
	return zw
}}

// write appends a blob to the current segment and returns where it is.
func (h *historyStore) write(blob []byte) (uint32, int64, error) {
	h.wmu.Lock()
	defer h.wmu.Unlock()
	if h.cur == nil || h.cur.size+int64(len(blob)) > segmentBytes && h.cur.size > 0 {
		if err := h.rollover(); err != nil {
			return 0, 0, err
		}
	}
	seg := h.cur
	off := seg.size
	if h.dir == "" {
		seg.mem = append(seg.mem, blob...)
		seg.size += int64(len(blob))
		return seg.id, off, nil
	}
	if _, err := seg.f.WriteAt(blob, off); err != nil {
		// Whatever part was written is garbage no entry refers to; the next blob goes after it.
		if st, serr := seg.f.Stat(); serr == nil {
			seg.size = st.Size()
		}
		return 0, 0, fmt.Errorf("write history segment: %w", err)
	}
	seg.size += int64(len(blob))
	if h.sync {
		if err := seg.f.Sync(); err != nil {
			return 0, 0, fmt.Errorf("sync history segment: %w", err)
		}
	}
	return seg.id, off, nil
}

// rollover starts a new segment; the caller holds wmu.
func (h *historyStore) rollover() error {
	id := h.nextID
	seg := &segment{id: id}
	if h.dir != "" {
		f, err := os.OpenFile(h.segmentPath(id), os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o644)
		if err != nil {
			return fmt.Errorf("create history segment: %w", err)
		}
		if h.sync {
			if err := syncDir(h.dir); err != nil {
				f.Close()
				return err
			}
		}
		seg.f = f
	}
	h.nextID++
	h.mu.Lock()
	if old := h.segs[id]; old != nil {
		seg.count, seg.maxStop = old.count, old.maxStop
	}
	h.segs[id] = seg
	h.mu.Unlock()
	h.cur = seg
	return nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}

// errDamaged says a finished execution's blob could not be read back intact.
var errDamaged = errors.New("history blob damaged")

// load reads a finished execution's blob.
func (h *historyStore) load(f finished) (*historyBlob, error) {
	if b := h.cache.get(f.seg, f.off); b != nil {
		return b, nil
	}
	var b historyBlob
	if err := h.decode(f, &b); err != nil {
		return nil, err
	}
	h.cache.put(f.seg, f.off, &b)
	return &b, nil
}

// decode reads a finished execution's blob into v.
func (h *historyStore) decode(f finished, v any) error {
	data := make([]byte, f.size)
	h.mu.RLock()
	seg := h.segs[f.seg]
	h.mu.RUnlock()
	if seg == nil {
		return fmt.Errorf("segment %d: %w", f.seg, errDamaged)
	}
	if h.dir == "" {
		h.wmu.Lock()
		copy(data, seg.mem[f.off:f.off+int64(f.size)])
		h.wmu.Unlock()
	} else {
		r, err := h.reader(seg)
		if err != nil {
			return err
		}
		if _, err := r.ReadAt(data, f.off); err != nil {
			return fmt.Errorf("read history segment %d at %d: %w (%w)", f.seg, f.off, err, errDamaged)
		}
	}
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return fmt.Errorf("segment %d at %d: %w (%w)", f.seg, f.off, err, errDamaged)
	}
	if err := json.NewDecoder(zr).Decode(v); err != nil {
		return fmt.Errorf("segment %d at %d: %w (%w)", f.seg, f.off, err, errDamaged)
	}
	// The decoder stops after the value: read to the end so that gzip checks its CRC-32 and length.
	if _, err := io.Copy(io.Discard, zr); err != nil {
		return fmt.Errorf("segment %d at %d: %w (%w)", f.seg, f.off, err, errDamaged)
	}
	return nil
}

// reader returns a file to read a segment from, opening it once.
func (h *historyStore) reader(seg *segment) (*os.File, error) {
	h.wmu.Lock()
	defer h.wmu.Unlock()
	if seg.f != nil {
		return seg.f, nil
	}
	f, err := os.Open(h.segmentPath(seg.id))
	if err != nil {
		return nil, fmt.Errorf("open history segment: %w (%w)", err, errDamaged)
	}
	seg.f = f
	return f, nil
}

// expire removes the segments whose executions all closed before cutoff (never the one being written):
// the index is compacted without their entries, then their files are removed.
func (h *historyStore) expire(ctx context.Context, cutoff time.Time) (int, error) {
	limit := cutoff.UnixMilli()
	h.wmu.Lock()
	cur := uint32(0)
	if h.cur != nil {
		cur = h.cur.id
	}
	h.wmu.Unlock()
	h.mu.RLock()
	drop := map[uint32]bool{}
	for id, seg := range h.segs {
		if id != cur && seg.maxStop < limit {
			drop[id] = true
		}
	}
	h.mu.RUnlock()
	if len(drop) == 0 {
		return 0, nil
	}

	h.imu.Lock()
	defer h.imu.Unlock()
	// The new in-memory index, built before the log is compacted and installed after.
	h.mu.RLock()
	var keep []indexEntry
	removed := 0
	for _, f := range h.entries {
		if f.name == "" {
			continue
		}
		if drop[f.seg] {
			removed++
			continue
		}
		keep = append(keep, indexEntry{Machine: h.machines[f.machine], Name: f.name, Status: statuses[f.status],
			Start: f.start, Stop: f.stop, Seg: f.seg, Off: f.off, Size: f.size,
			Redrives: int32(f.redrives), Qual: h.quals[f.qual]})
	}
	h.mu.RUnlock()
	if h.index != nil {
		err := h.index.Compact(ctx, func(emit func([]byte) error) error {
			for _, e := range keep {
				b, err := json.Marshal(e)
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
			return 0, fmt.Errorf("compact history index: %w", err)
		}
	}
	h.mu.Lock()
	h.entries = h.entries[:0:0]
	h.byKey = map[finKey]int32{}
	var files []*segment
	for id := range drop {
		files = append(files, h.segs[id])
		delete(h.segs, id)
	}
	for _, seg := range h.segs {
		seg.count, seg.maxStop = 0, 0
	}
	h.mu.Unlock()
	for _, e := range keep {
		h.add(e)
	}
	h.cache.clear()
	h.recent.clear()
	for _, seg := range files {
		h.wmu.Lock()
		if seg.f != nil {
			seg.f.Close()
			seg.f = nil
		}
		h.wmu.Unlock()
		if h.dir != "" {
			if err := os.Remove(h.segmentPath(seg.id)); err != nil && !os.IsNotExist(err) {
				h.log.Warn("history: remove expired segment", "segment", seg.id, "err", err)
			}
		}
	}
	return removed, nil
}

func (h *historyStore) close() error {
	h.wmu.Lock()
	var errs []error
	for _, seg := range h.segs {
		if seg.f != nil {
			errs = append(errs, seg.f.Close())
			seg.f = nil
		}
	}
	h.wmu.Unlock()
	if h.index != nil {
		h.imu.Lock()
		errs = append(errs, h.index.Close())
		h.imu.Unlock()
	}
	return errors.Join(errs...)
}

// blobCache keeps the last few decoded blobs, so that paging through a long history decodes it once.
type blobCache struct {
	mu    sync.Mutex
	max   int
	items []cached // most recent last
}

type cached struct {
	seg  uint32
	off  int64
	blob *historyBlob
}

func (c *blobCache) get(seg uint32, off int64) *historyBlob {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, it := range c.items {
		if it.seg == seg && it.off == off {
			c.items = append(append(c.items[:i:i], c.items[i+1:]...), it)
			return it.blob
		}
	}
	return nil
}

func (c *blobCache) put(seg uint32, off int64, b *historyBlob) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.items) == c.max {
		c.items = append(c.items[:0:0], c.items[1:]...)
	}
	c.items = append(c.items, cached{seg, off, b})
}

func (c *blobCache) clear() {
	c.mu.Lock()
	c.items = nil
	c.mu.Unlock()
}
