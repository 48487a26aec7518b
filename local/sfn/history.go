package sfn

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sluicehq/sluice/asl/interp"
	"github.com/sluicehq/sluice/internal/jsonvalue"
)

// The history store keeps finished executions on disk, out of the heap and out of the journal:
//
//   - each finished execution is one compressed JSON blob (its start record, its end and every history
//     event; history_encode.go) appended to a segment file, history/NNNNNNNN.hist; its CRC-32C (gzip's
//     CRC-32 and length trailer, in blobs of earlier versions)
//     make a damaged blob detectable on read;
//   - a small entry per execution (machine, name, status, start and stop, where its blob is) goes to the
//     index, a durable log (history/index.log), after its blob is written and, with syncing on, synced;
//   - in memory: the entries of the executions that finished since the last seal (the tail, at most
//     sealEvery), and a few decoded blobs. Every sealEvery entries the tail is sealed into an immutable
//     run and the on-disk key hash, and index.log is compacted to what was not sealed (index.go), so the
//     heap holds nothing per execution that finished before.
//
// Segments roll over at segmentBytes. Retention works by segment: once every execution in a segment has
// been closed for longer than the retention period (90 days, as on AWS), the segment is forgotten (the
// entries that refer to it, in the tail, runs and key hash, are dead from then on), its file removed, and
// so is every run whose segments are all gone. Nothing else rewrites a finished execution.
type historyStore struct {
	dir   string    // "" keeps segments in memory (a service without a data directory)
	index recordLog // nil in memory
	sync  bool      // sync a segment before indexing the blobs written to it
	log   *slog.Logger

	imu sync.RWMutex // index appends (read), index compaction (write)

	sealEvery int        // tail entries that make a run (0: never, as without a data directory)
	keys      *keyHash   // nil in memory
	maint     sync.Mutex // seal and expire, one at a time
	sealMu    sync.Mutex // closed and sealWG.Add
	closed    bool
	sealing   atomic.Bool
	sealWG    sync.WaitGroup
	runsMu    sync.RWMutex // run files in use (read: a listing), closed (write)
	keysBad   atomic.Bool  // a damaged slot was read: the next seal rebuilds the key hash from the runs
	retryAt   atomic.Int64 // after a failed seal, the tail length at which to try again
	loss      Loss         // what opening found damaged (Corrupt and Bytes)

	mu         sync.RWMutex
	runs       []*run // sealed, by id
	nextRun    uint32
	entries    []finished // the tail; removed entries have name == ""
	byKey      map[finKey]int32
	machines   []string // machine ARN by id
	machineIDs map[string]int32
	quals      []string // executionQualifier values by id; 0 is "" (the unqualified machine)
	qualIDs    map[string]int32
	segs       map[uint32]*segment
	cache      segCache[*historyBlob]
	defCache   segCache[[]byte]
	recent     recentSummaries // of the executions that ended last (describe.go)

	wmu    sync.Mutex // segment writes
	cur    *segment
	nextID uint32
}

// finished is the in-memory index entry of a finished execution.
// Its fields are ordered so that it packs into 64 bytes; the date of the last redrive is read from the
// blob, for the few executions redriven.
type finished struct {
	name        string // "" once removed from the tail
	start, stop int64  // Unix milliseconds
	off         int64
	machine     int32
	seg         uint32
	size        uint32
	qual        int32 // what it started on: an index into quals (-1: from the key hash, not known)
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

// appendIndexEntry appends e as the JSON object encoding/json writes for it (but for the escaping of "<",
// ">" and "&", which decodes the same), without reflection: put writes one per finished execution.
func appendIndexEntry(dst []byte, e *indexEntry) []byte {
	dst = append(dst, `{"m":`...)
	dst = jsonvalue.AppendStringJS(dst, e.Machine)
	dst = append(dst, `,"n":`...)
	dst = jsonvalue.AppendStringJS(dst, e.Name)
	dst = append(dst, `,"s":`...)
	dst = jsonvalue.AppendStringJS(dst, e.Status)
	dst = append(dst, `,"a":`...)
	dst = strconv.AppendInt(dst, e.Start, 10)
	dst = append(dst, `,"b":`...)
	dst = strconv.AppendInt(dst, e.Stop, 10)
	dst = append(dst, `,"g":`...)
	dst = strconv.AppendUint(dst, uint64(e.Seg), 10)
	dst = append(dst, `,"o":`...)
	dst = strconv.AppendInt(dst, e.Off, 10)
	dst = append(dst, `,"l":`...)
	dst = strconv.AppendUint(dst, uint64(e.Size), 10)
	if e.Redrives != 0 {
		dst = append(dst, `,"r":`...)
		dst = strconv.AppendInt(dst, int64(e.Redrives), 10)
	}
	if e.Qual != "" {
		dst = append(dst, `,"q":`...)
		dst = jsonvalue.AppendStringJS(dst, e.Qual)
	}
	return append(dst, '}')
}

// historyBlob is everything kept of a finished execution.
type historyBlob struct {
	Execution executionRecord       `json:"ex"`
	End       endRecord             `json:"end"`
	Events    []interp.HistoryEvent `json:"evs"`
	// Redrive is where a redrive continues the execution from (nil: succeeded, or ended before redrive
	// points were kept).
	Redrive *interp.Snapshot `json:"redrive,omitempty"`
	// Stream, when not nil, holds the events, encoded (an execution run inline): Events is empty. It is
	// not part of the document (its events are).
	Stream *eventStream `json:"-"`
	// Journaled holds the first JournaledN of Events encoded as appendBlobText writes them, separated by
	// commas (the text of their journal records, executions.go); it is not part of the document.
	Journaled  []byte `json:"-"`
	JournaledN int    `json:"-"`
}

// eventCount is the number of the blob's history events.
func (b *historyBlob) eventCount() int {
	if b.Stream != nil {
		return b.Stream.n
	}
	return len(b.Events)
}

type segment struct {
	id      uint32
	f       *os.File // nil in memory
	mem     []byte
	size    int64
	maxStop int64
	count   int
	// the definitions written to it (while it is the one being written; wmu)
	defs     map[string]defRef
	defBytes int // the length of the definitions in defs
	lastDef  string
	lastRef  defRef

	// syncMu orders the segment's syncs (syncTo); synced is how much of it they made durable. After a
	// sync failed (broken), none is trusted again: what it had to write may be lost whatever a later
	// sync answers, so the segment refuses every later blob and the next write starts a new one.
	syncMu sync.Mutex
	synced int64
	broken atomic.Bool
}

const (
	historyDir   = "history"
	indexName    = "index.log"
	segmentExt   = ".hist"
	segmentBytes = 64 << 20
)

// defaultSealEvery is how many finished executions the tail holds before they are sealed into a run.
const defaultSealEvery = 8192

// openHistory opens the store in dir/history (in memory when dir is ""), with the index opened by open.
// Executions that closed before cutoff may have had their segment removed: their entries are dropped
// quietly, where a missing segment of a later one is reported as a loss.
func openHistory(dir string, open func(path string) (recordLog, error), syncOn bool, logger *slog.Logger, sealEvery int, cutoff time.Time) (*historyStore, error) {
	h := &historyStore{
		sync: syncOn, log: logger, byKey: map[finKey]int32{}, machineIDs: map[string]int32{},
		quals: []string{""}, qualIDs: map[string]int32{"": 0},
		segs: map[uint32]*segment{}, nextID: 1, nextRun: 1, cache: segCache[*historyBlob]{max: 8}, defCache: segCache[[]byte]{max: 8},
	}
	if dir == "" {
		return h, nil
	}
	h.sealEvery = sealEvery
	if h.sealEvery <= 0 {
		h.sealEvery = defaultSealEvery
	}
	h.dir = filepath.Join(dir, historyDir)
	if err := os.MkdirAll(h.dir, 0o755); err != nil {
		return nil, fmt.Errorf("create history dir: %w", err)
	}
	names, err := os.ReadDir(h.dir)
	if err != nil {
		return nil, fmt.Errorf("read history dir: %w", err)
	}
	if err := h.openRuns(names); err != nil {
		h.closeRuns()
		return nil, err
	}
	if err := h.openKeys(); err != nil {
		h.closeRuns()
		return nil, err
	}
	idx, err := open(filepath.Join(h.dir, indexName))
	if err != nil {
		h.closeRuns()
		h.keys.close()
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
		// An entry sealed already (a crash came between a seal and the compaction of the index).
		if got, ok, err := h.keys.get(keyOf(e.Machine, e.Name), func(uint32) bool { return true }); err == nil && ok &&
			!(runRec{seg: e.Seg, off: e.Off}).newer(got) {
			return nil
		}
		h.add(e)
		return nil
	})
	if err != nil {
		idx.Close()
		h.closeRuns()
		h.keys.close()
		return nil, fmt.Errorf("replay history index: %w", err)
	}
	// Segments no entry refers to are garbage: blobs of a write that failed before it was indexed, or
	// segments expired whose removal did not happen. The newest id is kept unused either way: a new
	// process starts a new segment.
	present := map[uint32]bool{}
	for _, de := range names {
		id, ok := segmentID(de.Name())
		if !ok {
			continue
		}
		present[id] = true
		h.nextID = max(h.nextID, id+1)
		if h.segs[id] == nil {
			if err := os.Remove(filepath.Join(h.dir, de.Name())); err != nil {
				logger.Warn("history: remove unreferenced segment", "segment", de.Name(), "err", err)
			}
		}
	}
	// Segments entries refer to that are gone: removed past retention (a crash came before the runs
	// that refer to them went too), or lost.
	for id, seg := range h.segs {
		if present[id] {
			continue
		}
		if seg.maxStop >= cutoff.UnixMilli() {
			logger.Error("history: segment missing; the closed executions in it are lost", "segment", h.segmentPath(id), "executions", seg.count)
			h.loss.Corrupt++
		}
		delete(h.segs, id)
	}
	return h, nil
}

// openRuns opens the sealed runs. A run whose footer is damaged is rewritten from the records before the
// first damaged one (the damaged file is kept beside it as .damaged) and the loss reported.
func (h *historyStore) openRuns(names []os.DirEntry) error {
	for _, de := range names {
		if strings.HasSuffix(de.Name(), ".tmp") {
			os.Remove(filepath.Join(h.dir, de.Name())) // a seal or a growth that did not finish
			continue
		}
		id, ok := runID(de.Name())
		if !ok {
			continue
		}
		h.nextRun = max(h.nextRun, id+1)
		path := h.runPath(id)
		r, err := openRun(path, id)
		if err != nil {
			if !errors.Is(err, errBadRecord) {
				return fmt.Errorf("open history run: %w", err)
			}
			r, err = h.salvage(path, id)
			if err != nil {
				return err
			}
		}
		// Every record is read once at open, so that a damaged one is reported now, not when a listing
		// comes to it (a listing leaves it out; the key hash was built before the damage).
		damaged := 0
		if _, err := r.all(func(i uint32, err error) {
			damaged++
			h.log.Error("history: run record damaged; the execution it lists is lost from listings", "run", path, "record", i, "err", err)
		}); err != nil {
			r.f.Close()
			return fmt.Errorf("read history run: %w", err)
		}
		if damaged > 0 {
			h.loss.Corrupt += damaged
		}
		h.runs = append(h.runs, r)
	}
	sort.Slice(h.runs, func(i, j int) bool { return h.runs[i].id < h.runs[j].id })
	// Runs merged into another whose removal a crash prevented.
	replaced := map[uint32]bool{}
	for _, r := range h.runs {
		for _, id := range r.meta.Replaces {
			replaced[id] = true
		}
	}
	runs := h.runs[:0]
	for _, r := range h.runs {
		if replaced[r.id] {
			r.f.Close()
			if err := os.Remove(h.runPath(r.id)); err != nil {
				h.log.Warn("history: remove merged run", "run", r.id, "err", err)
			}
			continue
		}
		runs = append(runs, r)
		for seg, st := range r.meta.Segs {
			s := h.segs[seg]
			if s == nil {
				s = &segment{id: seg}
				h.segs[seg] = s
			}
			s.count += st.Count
			s.maxStop = max(s.maxStop, st.MaxStop)
		}
	}
	h.runs = runs
	return nil
}

func (h *historyStore) salvage(path string, id uint32) (*run, error) {
	info, _ := os.Stat(path)
	recs, err := salvageRun(path)
	if err != nil && !errors.Is(err, errBadRecord) {
		return nil, fmt.Errorf("read damaged history run: %w", err)
	}
	h.log.Error("history: run damaged; its records up to the damage are kept, the others are lost",
		"run", path, "kept", len(recs))
	h.loss.Corrupt++
	if info != nil {
		h.loss.Bytes += info.Size()
	}
	if err := os.Rename(path, path+".damaged"); err != nil {
		return nil, fmt.Errorf("set damaged history run aside: %w", err)
	}
	if err := writeRun(path, recs, h.sync); err != nil {
		return nil, err
	}
	return openRun(path, id)
}

// openKeys opens the key hash and puts in it the runs it does not hold yet; missing or damaged, it is
// rebuilt from the runs.
func (h *historyStore) openKeys() error {
	k, ok, err := openKeyHash(filepath.Join(h.dir, keysName), h.sync)
	if err != nil {
		return err
	}
	h.keys = k
	if !ok && len(h.runs) > 0 {
		h.log.Warn("history: key hash missing or damaged; rebuilt from the runs", "dir", h.dir)
	}
	return h.applyRuns(k.applied)
}

// applyRuns puts the records of the runs after id in the key hash, in order.
func (h *historyStore) applyRuns(after uint32) error {
	h.mu.RLock()
	runs := append([]*run(nil), h.runs...)
	h.mu.RUnlock()
	for _, r := range runs {
		if r.id <= after {
			continue
		}
		recs, err := r.all(nil)
		if err != nil {
			return fmt.Errorf("read history run %d: %w", r.id, err)
		}
		if err := h.keys.apply(r.id, recs, h.segLive); err != nil {
			return fmt.Errorf("history key hash: %w", err)
		}
	}
	return nil
}

// rebuildKeys builds a new key hash from the runs, then puts it in place of the one in use (lookups go
// on meanwhile with the old one).
func (h *historyStore) rebuildKeys() error {
	nk := &keyHash{path: h.keys.path, sync: h.sync}
	h.mu.RLock()
	runs := append([]*run(nil), h.runs...)
	h.mu.RUnlock()
	for _, r := range runs {
		recs, err := r.all(nil)
		if err != nil {
			return fmt.Errorf("read history run %d: %w", r.id, err)
		}
		if err := nk.apply(r.id, recs, h.segLive); err != nil {
			nk.close()
			return fmt.Errorf("rebuild history key hash: %w", err)
		}
	}
	h.keys.replaceWith(nk)
	return nil
}

func (h *historyStore) closeRuns() {
	h.runsMu.Lock()
	defer h.runsMu.Unlock()
	for _, r := range h.runs {
		r.f.Close()
	}
	h.runs = nil
}

// segLive reports whether a segment is kept.
func (h *historyStore) segLive(seg uint32) bool {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return h.segs[seg] != nil
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

// add puts an entry in the tail (replacing one of the same execution) and counts it in its segment.
func (h *historyStore) add(e indexEntry) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.addLocked(e, true)
}

func (h *historyStore) addLocked(e indexEntry, count bool) {
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
	if !count {
		return
	}
	seg := h.segs[e.Seg]
	if seg == nil {
		seg = &segment{id: e.Seg}
		h.segs[e.Seg] = seg
	}
	seg.count++
	seg.maxStop = max(seg.maxStop, e.Stop)
}

// lookup finds a finished execution by its machine ARN and name: in the tail, then in the key hash.
func (h *historyStore) lookup(machineArn, name string) (finished, bool) {
	if f, ok := h.lookupTail(machineArn, name); ok {
		return f, true
	}
	if h.keys == nil {
		return finished{}, false
	}
	rec, ok, err := h.keys.get(keyOf(machineArn, name), h.segLive)
	if err != nil {
		h.log.Error("history: key hash damaged; the runs are searched instead, and it is rebuilt from them", "machine", machineArn, "name", name, "err", err)
		h.keysBad.Store(true)
		h.sealSoon()
		rec, ok = h.scanRuns(machineArn, name)
	}
	if !ok {
		return finished{}, false
	}
	f := rec.finished()
	f.name = name
	return f, true
}

// scanRuns finds an execution by reading the runs (its latest save), for when the key hash cannot say.
func (h *historyStore) scanRuns(machineArn, name string) (runRec, bool) {
	h.runsMu.RLock()
	defer h.runsMu.RUnlock()
	h.mu.RLock()
	runs := append([]*run(nil), h.runs...)
	h.mu.RUnlock()
	var found runRec
	ok := false
	for _, r := range runs {
		it, err := r.seek(machineArn, false, 0, "", nil)
		if err != nil {
			continue
		}
		for ; it.ok; it.next() {
			if it.cur.name == name && h.segLive(it.cur.seg) && (!ok || it.cur.newer(found)) {
				found, ok = it.cur, true
			}
		}
	}
	return found, ok
}

func (h *historyStore) lookupTail(machineArn, name string) (finished, bool) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	mid, ok := h.machineIDs[machineArn]
	if !ok {
		return finished{}, false
	}
	i, ok := h.byKey[finKey{mid, name}]
	if !ok || h.segs[h.entries[i].seg] == nil {
		return finished{}, false
	}
	return h.entries[i], true
}

// finishedName reports whether a finished execution of machineArn has this name (kept 90 days).
func (s *Service) finishedName(machineArn, name string) bool {
	_, done := s.history.lookup(machineArn, name)
	return done
}

// tailLen is the number of finished executions held in memory.
func (h *historyStore) tailLen() int {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return len(h.byKey)
}

// rec is a tail entry as a run keeps it; the caller holds mu.
func (h *historyStore) recLocked(f finished) runRec {
	return runRec{machine: h.machines[f.machine], name: f.name, qual: h.quals[f.qual], start: f.start, stop: f.stop,
		off: f.off, seg: f.seg, size: f.size, redrives: f.redrives, status: f.status}
}

// hasMachine reports whether any finished execution of a machine is kept.
func (h *historyStore) hasMachine(machineArn string) bool {
	h.mu.RLock()
	defer h.mu.RUnlock()
	if mid, ok := h.machineIDs[machineArn]; ok {
		for _, f := range h.entries {
			if f.machine == mid && f.name != "" {
				return true
			}
		}
	}
	for _, r := range h.runs {
		if _, ok := r.meta.Machines[machineArn]; ok {
			return true
		}
	}
	return false
}

// listCursor is where a listing resumes: after the execution that started at start named name.
type listCursor struct {
	set   bool
	start int64
	name  string
}

// list returns up to limit of a machine's finished executions that accept takes, newest first, after
// cur: the tail's and the runs' merged, each execution once (its latest save).
func (h *historyStore) list(machineArn string, cur listCursor, accept func(runRec) bool, limit int) ([]runRec, error) {
	after := func(start int64, name string) bool { return !cur.set || listBefore(cur.start, cur.name, start, name) }
	h.runsMu.RLock()
	defer h.runsMu.RUnlock()
	h.mu.RLock()
	var tail []runRec
	inTail := map[string]bool{}
	if mid, ok := h.machineIDs[machineArn]; ok {
		for _, f := range h.entries {
			if f.machine != mid || f.name == "" {
				continue
			}
			inTail[f.name] = true
			if h.segs[f.seg] != nil && after(f.start, f.name) {
				tail = append(tail, h.recLocked(f))
			}
		}
	}
	runs := append([]*run(nil), h.runs...)
	h.mu.RUnlock()
	sort.Slice(tail, func(i, j int) bool { return listBefore(tail[i].start, tail[i].name, tail[j].start, tail[j].name) })

	its := make([]*runIter, 0, len(runs))
	for _, r := range runs {
		it, err := r.seek(machineArn, cur.set, cur.start, cur.name, func(i uint32, err error) {
			h.log.Error("history: run record damaged; the execution it lists is left out", "run", h.runPath(r.id), "record", i, "err", err)
		})
		if err != nil {
			h.log.Error("history: run damaged", "run", h.runPath(r.id), "err", err)
			return nil, fmt.Errorf("run %d: %w (%w)", r.id, err, errDamaged)
		}
		its = append(its, it)
	}
	var out []runRec
	for len(out) < limit {
		best := -1 // -1: none, len(its): the tail
		var bs int64
		var bn string
		if len(tail) > 0 {
			best, bs, bn = len(its), tail[0].start, tail[0].name
		}
		for i, it := range its {
			if it.err != nil {
				h.log.Error("history: run damaged", "run", h.runPath(it.r.id), "err", it.err)
				return nil, fmt.Errorf("run %d: %w (%w)", it.r.id, it.err, errDamaged)
			}
			if it.ok && (best < 0 || listBefore(it.cur.start, it.cur.name, bs, bn)) {
				best, bs, bn = i, it.cur.start, it.cur.name
			}
		}
		if best < 0 {
			break
		}
		var rec runRec
		if best == len(its) {
			rec, tail = tail[0], tail[1:]
		} else {
			rec = its[best].cur
			its[best].next()
			if inTail[rec.name] || !h.segLive(rec.seg) {
				continue // the tail has its latest save, or it is past retention
			}
			got, ok, err := h.keys.get(keyOf(machineArn, rec.name), h.segLive)
			if err != nil {
				h.keysBad.Store(true)
				h.log.Error("history: key hash damaged; it is rebuilt from the runs at the next seal", "err", err)
			}
			if err == nil && (!ok || got.seg != rec.seg || got.off != rec.off) {
				continue // saved again since (redriven)
			}
		}
		if accept(rec) {
			out = append(out, rec)
		}
	}
	return out, nil
}

// put stores a finished execution: its blob first (synced when syncing), then its index entry. It returns
// once both are durable; on an error neither is visible.
// It keeps nothing of b's events: the caller reuses their slice (recycleEvents).
func (h *historyStore) put(ctx context.Context, b *historyBlob) error {
	bufs := blobBuffers.Get().(*blobBuffer)
	defer blobBuffers.Put(bufs)
	enc, err := bufs.encode(b)
	if err != nil {
		return fmt.Errorf("encode history: %w", err)
	}
	seg, off, err := h.write(enc)
	if err != nil {
		return err
	}
	blob := enc.data
	e := indexEntry{
		Machine: b.Execution.MachineArn, Name: b.Execution.Name, Status: b.End.Status,
		Start: b.Execution.Start.UnixMilli(), Stop: b.End.Stop.UnixMilli(), Seg: seg, Off: off, Size: uint32(len(blob)),
		Redrives: int32(b.Execution.RedriveCount), Qual: executionQualifier(b.Execution),
	}
	h.imu.RLock()
	defer h.imu.RUnlock()
	if h.index != nil {
		bufs.index = appendIndexEntry(bufs.index[:0], &e)
		if err := h.index.Append(ctx, bufs.index); err != nil {
			return fmt.Errorf("append history index: %w", err)
		}
	}
	h.add(e)
	h.recent.put(seg, off, b)
	h.sealSoon()
	return nil
}

// write appends a blob to the current segment and returns where it is; a blob without its definition
// comes after the definition's record, written first if the segment has none yet.
//
// The blob is durable when write returns (when syncing), but the sync is made outside wmu: blobs written
// while one sync runs are made durable together by the next (syncTo), instead of each waiting for the
// write lock and syncing alone.
func (h *historyStore) write(blob encodedBlob) (uint32, int64, error) {
	seg, off, err := h.writeLocked(blob)
	if err != nil {
		return 0, 0, err
	}
	if h.sync && h.dir != "" {
		if err := h.syncTo(seg, off+int64(len(blob.data))); err != nil {
			return 0, 0, err
		}
	}
	return seg.id, off, nil
}

// syncTo returns once seg is durable up to end: at once when a sync that began after those bytes were
// written has succeeded, else after syncing it (the bytes every writer wrote until then included).
func (h *historyStore) syncTo(seg *segment, end int64) error {
	seg.syncMu.Lock()
	defer seg.syncMu.Unlock()
	if seg.broken.Load() {
		return errors.New("sync history segment: an earlier sync of the segment failed")
	}
	if seg.synced >= end {
		return nil
	}
	h.wmu.Lock()
	size, f := seg.size, seg.f
	h.wmu.Unlock()
	if f == nil {
		return errors.New("sync history segment: the segment is closed")
	}
	if err := f.Sync(); err != nil {
		seg.broken.Store(true)
		return fmt.Errorf("sync history segment: %w", err)
	}
	seg.synced = size
	return nil
}

// writeLocked appends blob (and its definition's record) to the current segment under wmu.
func (h *historyStore) writeLocked(blob encodedBlob) (*segment, int64, error) {
	h.wmu.Lock()
	defer h.wmu.Unlock()
	if h.cur == nil || h.cur.broken.Load() || h.cur.size+int64(len(blob.data)) > segmentBytes && h.cur.size > 0 {
		if err := h.rollover(); err != nil {
			return nil, 0, err
		}
	}
	seg := h.cur
	if blob.definition != "" {
		ref, ok := seg.definition(blob.definition)
		if !ok {
			rec := appendDefinitionRecord(nil, blob.definition)
			off, err := h.append(seg, rec)
			if err != nil {
				return nil, 0, err
			}
			ref = defRef{off, uint32(len(rec))}
			seg.remember(blob.definition, ref)
		}
		blob.refer(ref.off, ref.size)
	}
	off, err := h.append(seg, blob.data)
	if err != nil {
		return nil, 0, err
	}
	return seg, off, nil
}

// append writes data at the end of a segment; the caller holds wmu.
func (h *historyStore) append(seg *segment, data []byte) (int64, error) {
	off := seg.size
	if h.dir == "" {
		seg.mem = append(seg.mem, data...)
		seg.size += int64(len(data))
		return off, nil
	}
	if _, err := seg.f.WriteAt(data, off); err != nil {
		// Whatever part was written is garbage no entry refers to; the next write goes after it.
		if st, serr := seg.f.Stat(); serr == nil {
			seg.size = st.Size()
		}
		return 0, fmt.Errorf("write history segment: %w", err)
	}
	seg.size += int64(len(data))
	return off, nil
}

// defRef is where a definition record is in its segment.
type defRef struct {
	off  int64
	size uint32
}

// maxSegmentDefinitions and maxSegmentDefinitionBytes bound the definitions a segment being written
// remembers (and so keeps from the garbage collector): past either, it forgets them all, and a definition
// is written again the next time a blob needs it.
const (
	maxSegmentDefinitions     = 256
	maxSegmentDefinitionBytes = 4 << 20
)

// definition finds the record of a definition in the segment; the caller holds wmu.
func (seg *segment) definition(def string) (defRef, bool) {
	if def == seg.lastDef { // the same machine's executions, one after another (the same string: no compare)
		return seg.lastRef, true
	}
	ref, ok := seg.defs[def]
	if ok {
		seg.lastDef, seg.lastRef = def, ref
	}
	return ref, ok
}

// remember records where a definition's record is; the caller holds wmu.
func (seg *segment) remember(def string, ref defRef) {
	if seg.defs == nil || len(seg.defs) >= maxSegmentDefinitions || seg.defBytes+len(def) > maxSegmentDefinitionBytes {
		seg.defs, seg.defBytes = map[string]defRef{}, 0
	}
	seg.defs[def] = ref
	seg.defBytes += len(def)
	seg.lastDef, seg.lastRef = def, ref
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
	h.mu.RLock()
	seg := h.segs[f.seg]
	h.mu.RUnlock()
	if seg == nil {
		return fmt.Errorf("segment %d: %w", f.seg, errDamaged)
	}
	data, err := h.readSegment(seg, f.off, f.size)
	if err != nil {
		return err
	}
	text, err := blobText(data, func(off int64, size uint32) ([]byte, error) { return h.definitionAt(seg, off, size) })
	if err != nil {
		return fmt.Errorf("segment %d at %d: %w (%w)", f.seg, f.off, err, errDamaged)
	}
	if err := json.Unmarshal(text, v); err != nil {
		return fmt.Errorf("segment %d at %d: %w (%w)", f.seg, f.off, err, errDamaged)
	}
	return nil
}

// readSegment reads size bytes of a segment at off.
func (h *historyStore) readSegment(seg *segment, off int64, size uint32) ([]byte, error) {
	data := make([]byte, size)
	if h.dir == "" {
		h.wmu.Lock()
		defer h.wmu.Unlock()
		if off < 0 || off+int64(size) > int64(len(seg.mem)) {
			return nil, fmt.Errorf("segment %d at %d: beyond its end (%w)", seg.id, off, errDamaged)
		}
		copy(data, seg.mem[off:off+int64(size)])
		return data, nil
	}
	r, err := h.reader(seg)
	if err != nil {
		return nil, err
	}
	if _, err := r.ReadAt(data, off); err != nil {
		return nil, fmt.Errorf("read history segment %d at %d: %w (%w)", seg.id, off, err, errDamaged)
	}
	return data, nil
}

// maxDefinitionRecord bounds the definition record a blob may refer to (a definition is at most 1 MiB
// of text; its JSON string, compressed, a few times that at worst): a damaged header cannot make a read
// allocate more.
const maxDefinitionRecord = 8 << 20

// definitionAt returns the JSON string of the definition record at off in a segment.
func (h *historyStore) definitionAt(seg *segment, off int64, size uint32) ([]byte, error) {
	if text := h.defCache.get(seg.id, off); text != nil {
		return text, nil
	}
	if size > maxDefinitionRecord {
		return nil, fmt.Errorf("definition record of %d bytes", size)
	}
	rec, err := h.readSegment(seg, off, size)
	if err != nil {
		return nil, err
	}
	text, err := definitionText(rec)
	if err != nil {
		return nil, err
	}
	h.defCache.put(seg.id, off, text)
	return text, nil
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

// sealSoon seals the tail in the background once it holds sealEvery entries.
func (h *historyStore) sealSoon() {
	if h.index == nil || h.tailLen() < max(h.sealEvery, int(h.retryAt.Load())) && !h.keysBad.Load() || !h.sealing.CompareAndSwap(false, true) {
		return
	}
	h.sealMu.Lock()
	defer h.sealMu.Unlock()
	if h.closed {
		h.sealing.Store(false)
		return
	}
	h.sealWG.Add(1)
	go func() {
		defer h.sealWG.Done()
		defer h.sealing.Store(false)
		// Entries keep coming while a seal runs: seal again until the tail is under the threshold.
		for first := true; first || h.tailLen() >= h.sealEvery; first = false {
			if err := h.seal(context.Background()); err != nil {
				// The tail stays in memory and in index.log, and is sealed with the next attempt, once
				// an eighth more has finished (a full disk is not retried on every end).
				h.retryAt.Store(int64(h.tailLen() + max(h.sealEvery/8, 1)))
				h.log.Error("history: seal finished executions", "err", err)
				return
			}
			h.retryAt.Store(0)
			h.sealMu.Lock()
			closed := h.closed
			h.sealMu.Unlock()
			if closed {
				return
			}
		}
	}()
}

// seal writes the tail as a run, puts it in the key hash, then drops it from memory and index.log. A
// crash at any point leaves each entry in index.log, in a run, or both (opening skips an entry of
// index.log that the key hash holds already).
func (h *historyStore) seal(ctx context.Context) error {
	h.maint.Lock()
	defer h.maint.Unlock()
	if h.keysBad.Load() {
		if err := h.rebuildKeys(); err != nil {
			return err
		}
		h.keysBad.Store(false)
		h.log.Warn("history: key hash rebuilt from the runs", "dir", h.dir)
	}
	h.mu.Lock()
	recs := make([]runRec, 0, len(h.byKey))
	for _, f := range h.entries {
		if f.name != "" && h.segs[f.seg] != nil {
			recs = append(recs, h.recLocked(f))
		}
	}
	id := h.nextRun // taken once the run is written (seals are one at a time)
	h.mu.Unlock()
	if len(recs) == 0 {
		return nil
	}
	sort.Slice(recs, func(i, j int) bool {
		a, b := recs[i], recs[j]
		if a.machine != b.machine {
			return a.machine < b.machine
		}
		return listBefore(a.start, a.name, b.start, b.name)
	})
	path := h.runPath(id)
	if err := writeRun(path, recs, h.sync); err != nil {
		return err
	}
	r, err := openRun(path, id)
	if err != nil {
		return fmt.Errorf("reopen history run: %w", err)
	}
	h.mu.Lock()
	h.runs = append(h.runs, r)
	h.nextRun = id + 1
	h.mu.Unlock()
	if err := h.keys.apply(id, recs, h.segLive); err != nil {
		// The run is kept (listings read it, and the tail's entries hide it); the next seal writes them
		// again in a later run, and the key hash takes the records of both.
		return fmt.Errorf("history key hash: %w", err)
	}

	// Drop what was sealed from the tail (not an entry saved again since) and from index.log.
	h.imu.Lock()
	defer h.imu.Unlock()
	sealed := make(map[finKey]runRec, len(recs))
	h.mu.RLock()
	for _, rec := range recs {
		sealed[finKey{h.machineIDs[rec.machine], rec.name}] = rec
	}
	var keep []indexEntry
	for _, f := range h.entries {
		if f.name == "" {
			continue
		}
		if rec, ok := sealed[finKey{f.machine, f.name}]; ok && rec.seg == f.seg && rec.off == f.off {
			continue
		}
		keep = append(keep, h.indexEntryLocked(f))
	}
	h.mu.RUnlock()
	if err := h.compactIndex(ctx, keep); err != nil {
		return err
	}
	h.resetTail(keep)
	for {
		merged, err := h.mergeRuns()
		if err != nil {
			// The runs stay as they are: listings read one more each.
			h.log.Error("history: merge runs", "err", err)
		}
		if !merged || err != nil {
			return nil
		}
	}
}

// Runs are merged mergeFanIn at a time, those of one level into one of the next, up to maxRunLevel: a
// store of N executions has at most (mergeFanIn-1) runs per level below the last, and N/(sealEvery ×
// mergeFanIn^maxRunLevel) of the last, so listings binary-search a few dozen runs, not N/sealEvery.
const (
	mergeFanIn  = 8
	maxRunLevel = 3
)

// mergeRuns merges the oldest mergeFanIn runs of the lowest level that has as many, leaving out records of
// segments past retention and every save of an execution but its latest. The merged run names those it
// replaces: opening removes them if a crash came before they were. The caller holds maint.
func (h *historyStore) mergeRuns() (bool, error) {
	h.mu.RLock()
	byLevel := map[int][]*run{}
	var in []*run
	for _, r := range h.runs {
		if l := r.meta.Level; l < maxRunLevel {
			byLevel[l] = append(byLevel[l], r)
		}
	}
	for l := 0; l < maxRunLevel; l++ {
		if len(byLevel[l]) >= mergeFanIn {
			in = byLevel[l][:mergeFanIn]
			break
		}
	}
	id := h.nextRun
	h.mu.RUnlock()
	if in == nil {
		return false, nil
	}
	meta := runMeta{Level: in[0].meta.Level + 1}
	its := make([]*runIter, len(in))
	for i, r := range in {
		meta.Replaces = append(meta.Replaces, r.id)
		its[i] = &runIter{r: r, end: r.count, damaged: func(i uint32, err error) {
			h.log.Error("history: run record damaged; left out of the merged run", "run", h.runPath(r.id), "record", i, "err", err)
		}}
		its[i].position()
		its[i].next()
	}
	first := func(a, b runRec) bool { // a comes first in a run
		if a.machine != b.machine {
			return a.machine < b.machine
		}
		return listBefore(a.start, a.name, b.start, b.name)
	}
	path := h.runPath(id)
	err := writeRunFrom(path, meta, func(yield func(runRec) error) error {
		for {
			best := -1
			for i, it := range its {
				if it.err != nil {
					return it.err
				}
				if it.ok && (best < 0 || first(it.cur, its[best].cur)) {
					best = i
				}
			}
			if best < 0 {
				return nil
			}
			rec := its[best].cur
			// The same execution in several runs (saved again after a redrive): the latest save.
			for _, it := range its {
				for it.ok && it.cur.machine == rec.machine && it.cur.start == rec.start && it.cur.name == rec.name {
					if it.cur.newer(rec) {
						rec = it.cur
					}
					it.next()
				}
			}
			if !h.segLive(rec.seg) {
				continue
			}
			if err := yield(rec); err != nil {
				return err
			}
		}
	}, h.sync)
	if err != nil {
		return false, err
	}
	r, err := openRun(path, id)
	if err != nil {
		return false, fmt.Errorf("reopen merged history run: %w", err)
	}
	gone := map[uint32]bool{}
	for _, x := range in {
		gone[x.id] = true
	}
	h.mu.Lock()
	runs := h.runs[:0:0]
	for _, x := range h.runs {
		if !gone[x.id] {
			runs = append(runs, x)
		}
	}
	h.runs = append(runs, r)
	h.nextRun = id + 1
	h.mu.Unlock()
	h.runsMu.Lock() // listings that read the merged runs are done
	for _, x := range in {
		x.f.Close()
	}
	h.runsMu.Unlock()
	for _, x := range in {
		if err := os.Remove(h.runPath(x.id)); err != nil && !os.IsNotExist(err) {
			h.log.Warn("history: remove merged run", "run", x.id, "err", err)
		}
	}
	return true, nil
}

func (h *historyStore) indexEntryLocked(f finished) indexEntry {
	return indexEntry{Machine: h.machines[f.machine], Name: f.name, Status: statuses[f.status],
		Start: f.start, Stop: f.stop, Seg: f.seg, Off: f.off, Size: f.size,
		Redrives: int32(f.redrives), Qual: h.quals[f.qual]}
}

// compactIndex rewrites index.log with entries; the caller holds imu for writing.
func (h *historyStore) compactIndex(ctx context.Context, entries []indexEntry) error {
	if h.index == nil {
		return nil
	}
	err := h.index.Compact(ctx, func(emit func([]byte) error) error {
		var b []byte
		for i := range entries {
			b = appendIndexEntry(b[:0], &entries[i])
			if err := emit(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("compact history index: %w", err)
	}
	return nil
}

// resetTail replaces the tail with entries (segment counts are left as they are); the caller holds imu.
func (h *historyStore) resetTail(entries []indexEntry) {
	h.mu.Lock()
	h.entries = h.entries[:0:0]
	h.byKey = map[finKey]int32{}
	for _, e := range entries {
		h.addLocked(e, false)
	}
	h.mu.Unlock()
}

// expire removes the segments whose executions all closed before cutoff (never the one being written):
// the tail's entries in them leave index.log, the segments are forgotten (entries of runs and key hash
// that refer to them are dead from then on), then their files and the runs that refer to no other
// segment are removed.
func (h *historyStore) expire(ctx context.Context, cutoff time.Time) (int, error) {
	limit := cutoff.UnixMilli()
	h.maint.Lock()
	defer h.maint.Unlock()
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
	h.mu.RLock()
	var keep []indexEntry
	tailDropped := false
	for _, f := range h.entries {
		if f.name == "" {
			continue
		}
		if drop[f.seg] {
			tailDropped = true
			continue
		}
		keep = append(keep, h.indexEntryLocked(f))
	}
	h.mu.RUnlock()
	if tailDropped {
		if err := h.compactIndex(ctx, keep); err != nil {
			h.imu.Unlock()
			return 0, err
		}
		h.resetTail(keep)
	}
	h.imu.Unlock()

	removed := 0
	var files []*segment
	h.mu.Lock()
	for id := range drop {
		removed += h.segs[id].count
		files = append(files, h.segs[id])
		delete(h.segs, id)
	}
	var gone []*run
	runs := h.runs[:0:0]
	for _, r := range h.runs {
		dead := true
		for seg := range r.meta.Segs {
			if h.segs[seg] != nil {
				dead = false
				break
			}
		}
		if dead {
			gone = append(gone, r)
		} else {
			runs = append(runs, r)
		}
	}
	h.runs = runs
	h.mu.Unlock()
	h.cache.clear()
	h.defCache.clear()
	h.recent.clear()
	h.runsMu.Lock()
	for _, r := range gone {
		r.f.Close()
	}
	h.runsMu.Unlock()
	for _, r := range gone {
		if err := os.Remove(h.runPath(r.id)); err != nil && !os.IsNotExist(err) {
			h.log.Warn("history: remove expired run", "run", r.id, "err", err)
		}
	}
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
	h.sealMu.Lock()
	h.closed = true
	h.sealMu.Unlock()
	h.sealWG.Wait()
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
	h.closeRuns()
	if h.keys != nil {
		errs = append(errs, h.keys.close())
	}
	return errors.Join(errs...)
}

// segCache keeps the last few values read at a place (segment, offset) of the history store: decoded
// blobs, so that paging through a long history decodes it once, and definition records. A value is
// read-only once kept.
type segCache[T any] struct {
	mu    sync.Mutex
	max   int
	items []segCached[T] // most recently used last
}

type segCached[T any] struct {
	seg uint32
	off int64
	v   T
}

// get returns the value kept for (seg, off), or T's zero value.
func (c *segCache[T]) get(seg uint32, off int64) T {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, it := range c.items {
		if it.seg == seg && it.off == off {
			copy(c.items[i:], c.items[i+1:])
			c.items[len(c.items)-1] = it
			return it.v
		}
	}
	var zero T
	return zero
}

func (c *segCache[T]) put(seg uint32, off int64, v T) {
	if c.max <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.items) == c.max {
		copy(c.items, c.items[1:])
		c.items = c.items[:len(c.items)-1]
	}
	c.items = append(c.items, segCached[T]{seg, off, v})
}

func (c *segCache[T]) clear() {
	c.mu.Lock()
	c.items = nil
	c.mu.Unlock()
}
