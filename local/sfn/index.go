package sfn

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"math/bits"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// The finished executions' index on disk. The history store (history.go) keeps in memory only the entries
// of the executions that finished since the last seal (the tail, at most sealEvery of them, also in
// index.log); every sealEvery entries it seals them:
//
//   - into a run, history/RRRRRRRR.run: the entries sorted as ListExecutions lists them (machine, then
//     newest start first, then name), each record with its own CRC-32, and a footer (the byte offset of
//     each record, which machines the run holds and where, and which segments its entries are in, with
//     their counts and latest stop) with a CRC-32 of its own. A run is written to a temporary file,
//     synced and renamed; it is never changed afterwards, only merged (mergeRuns: 8 runs of one level
//     into one of the next, up to level 3, so that a store holds a few dozen runs, not one per sealEvery
//     executions) or removed once every segment it refers to is past retention;
//   - then into the key hash, history/keys.hash: an open-addressing hash table on disk (linear probing,
//     64-byte slots, each with a CRC-32) from the 128-bit FNV-1a hash of machine ARN and name to where the
//     execution's blob is and what DescribeExecution needs without it (start, stop, status, redrives).
//     The header says which runs the table holds; past half full it grows to a quarter full (a new file
//     renamed over it). It
//     is derived from the runs: missing or damaged, it is rebuilt from them.
//
// Then index.log is compacted to the entries not sealed. So: finding an execution by ARN (StartExecution's
// name check, DescribeExecution, GetExecutionHistory, redrive) looks in the tail, then reads one or two
// pages of the key hash; ListExecutions merges the tail with a binary search in each run; and the heap
// holds, per finished execution, nothing once it is sealed. What stays in memory grows with the number of
// runs and segments (a few hundred bytes each; runs are merged, and a segment holds 64 MiB of history),
// not with the number of executions.
//
// A slot whose segment is gone (past retention) is a tombstone: lookups go past it and inserts reuse it.
// Versions of one execution (a redriven execution is saved again when it ends) are ordered by where their
// blob is (segment, offset): a later save is further on, and the later version wins everywhere.

const (
	runExt      = ".run"
	keysName    = "keys.hash"
	runMagic    = "SFNRUN01"
	runEndMagic = "SFNRUNE1"
	keysMagic   = "SFNKEYS1"

	slotSize      = 64
	keysHeader    = 4096    // the header's page; slots follow
	minKeySlots   = 1 << 16 // a sparse file of 4 MiB
	probeSlots    = 16      // slots read at once when probing
	runFooterSize = 8 + 4 + 4 + 8 + 4 + 4 + 8
)

var crcTable = crc32.MakeTable(crc32.Castagnoli)

// runRec is one finished execution as a run (and the tail) keeps it.
type runRec struct {
	machine, name, qual string
	start, stop, off    int64
	seg, size           uint32
	redrives            uint16
	status              uint8
}

// newer reports whether a is a later save than b (of the same execution).
func (a runRec) newer(b runRec) bool {
	return a.seg > b.seg || a.seg == b.seg && a.off > b.off
}

// listBefore reports whether a is listed before b: newest start first, then name descending.
func listBefore(aStart int64, aName string, bStart int64, bName string) bool {
	if aStart != bStart {
		return aStart > bStart
	}
	return aName > bName
}

func (r runRec) finished() finished {
	return finished{name: r.name, start: r.start, stop: r.stop, off: r.off, seg: r.seg, size: r.size, status: r.status, redrives: r.redrives, qual: -1}
}

func appendUvarintString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// encodeRunRec appends a record: u32 payload length, payload, u32 CRC-32C of the payload.
func encodeRunRec(dst []byte, r runRec) []byte {
	start := len(dst)
	dst = append(dst, 0, 0, 0, 0)
	dst = appendUvarintString(dst, r.machine)
	dst = appendUvarintString(dst, r.name)
	dst = appendUvarintString(dst, r.qual)
	dst = binary.LittleEndian.AppendUint64(dst, uint64(r.start))
	dst = binary.LittleEndian.AppendUint64(dst, uint64(r.stop))
	dst = binary.LittleEndian.AppendUint64(dst, uint64(r.off))
	dst = binary.LittleEndian.AppendUint32(dst, r.seg)
	dst = binary.LittleEndian.AppendUint32(dst, r.size)
	dst = binary.LittleEndian.AppendUint16(dst, r.redrives)
	dst = append(dst, r.status)
	payload := dst[start+4:]
	binary.LittleEndian.PutUint32(dst[start:], uint32(len(payload)))
	return binary.LittleEndian.AppendUint32(dst, crc32.Checksum(payload, crcTable))
}

var errBadRecord = errors.New("index record damaged")

func readString(p []byte) (string, []byte, bool) {
	n, k := binary.Uvarint(p)
	if k <= 0 || uint64(len(p)-k) < n {
		return "", nil, false
	}
	return string(p[k : k+int(n)]), p[k+int(n):], true
}

// decodeRunPayload decodes a record's payload (its CRC already checked).
func decodeRunPayload(p []byte) (runRec, error) {
	var r runRec
	var ok bool
	if r.machine, p, ok = readString(p); !ok {
		return r, errBadRecord
	}
	if r.name, p, ok = readString(p); !ok {
		return r, errBadRecord
	}
	if r.qual, p, ok = readString(p); !ok {
		return r, errBadRecord
	}
	if len(p) != 8+8+8+4+4+2+1 {
		return r, errBadRecord
	}
	le := binary.LittleEndian
	r.start, r.stop, r.off = int64(le.Uint64(p)), int64(le.Uint64(p[8:])), int64(le.Uint64(p[16:]))
	r.seg, r.size, r.redrives, r.status = le.Uint32(p[24:]), le.Uint32(p[28:]), le.Uint16(p[32:]), p[34]
	return r, nil
}

// readRunRec reads the record at the reader's position.
func readRunRec(br *bufio.Reader, buf []byte) (runRec, int, []byte, error) {
	var head [4]byte
	if _, err := io.ReadFull(br, head[:]); err != nil {
		return runRec{}, 0, buf, err
	}
	n := int(binary.LittleEndian.Uint32(head[:]))
	if n > 1<<20 {
		return runRec{}, 0, buf, errBadRecord
	}
	if cap(buf) < n+4 {
		buf = make([]byte, n+4)
	}
	buf = buf[:n+4]
	if _, err := io.ReadFull(br, buf); err != nil {
		return runRec{}, 0, buf, fmt.Errorf("%w: %w", errBadRecord, err)
	}
	if crc32.Checksum(buf[:n], crcTable) != binary.LittleEndian.Uint32(buf[n:]) {
		return runRec{}, 0, buf, errBadRecord
	}
	r, err := decodeRunPayload(buf[:n])
	return r, 4 + n + 4, buf, err
}

// runMeta is a run's footer content: which machines it holds (records [From, To)) and which segments.
type runMeta struct {
	Machines map[string][2]uint32 `json:"m"`
	Segs     map[uint32]segStat   `json:"s"`
	Level    int                  `json:"l,omitempty"` // 0 sealed from the tail, n+1 merged from runs of level n
	Replaces []uint32             `json:"r,omitempty"` // the runs merged into it
}

type segStat struct {
	Count   int   `json:"n"`
	MaxStop int64 `json:"t"`
}

// run is a sealed run, open for reading.
type run struct {
	id      uint32
	f       *os.File
	count   uint32
	offsOff int64 // where the record offsets are
	meta    runMeta
}

func (h *historyStore) runPath(id uint32) string {
	return filepath.Join(h.dir, fmt.Sprintf("%08d%s", id, runExt))
}

func runID(name string) (uint32, bool) {
	base, ok := strings.CutSuffix(name, runExt)
	if !ok {
		return 0, false
	}
	v, err := strconv.ParseUint(base, 10, 32)
	return uint32(v), err == nil
}

// writeRun writes recs (sorted as listed) as a run: to a temporary file, synced when syncOn, renamed.
func writeRun(path string, recs []runRec, syncOn bool) error {
	return writeRunFrom(path, runMeta{}, func(yield func(runRec) error) error {
		for _, r := range recs {
			if err := yield(r); err != nil {
				return err
			}
		}
		return nil
	}, syncOn)
}

// writeRunFrom writes the records each yields (sorted as listed) as a run with meta's Level and Replaces.
func writeRunFrom(path string, meta runMeta, each func(yield func(runRec) error) error, syncOn bool) error {
	meta.Machines, meta.Segs = map[string][2]uint32{}, map[uint32]segStat{}
	buf := make([]byte, 0, 64<<10)
	buf = append(buf, runMagic...)
	var offs []byte
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return fmt.Errorf("create run: %w", err)
	}
	fail := func(err error) error {
		f.Close()
		os.Remove(tmp)
		return fmt.Errorf("write run: %w", err)
	}
	var written int64
	i := 0
	err = each(func(r runRec) error {
		at := written + int64(len(buf))
		if at > math.MaxUint32 {
			return errors.New("run larger than 4 GiB")
		}
		offs = binary.LittleEndian.AppendUint32(offs, uint32(at))
		buf = encodeRunRec(buf, r)
		m := meta.Machines[r.machine]
		if m[1] == 0 {
			m[0] = uint32(i)
		}
		m[1] = uint32(i + 1)
		meta.Machines[r.machine] = m
		st := meta.Segs[r.seg]
		st.Count++
		st.MaxStop = max(st.MaxStop, r.stop)
		meta.Segs[r.seg] = st
		i++
		if len(buf) >= 60<<10 {
			if _, err := f.Write(buf); err != nil {
				return err
			}
			written += int64(len(buf))
			buf = buf[:0]
		}
		return nil
	})
	if err != nil {
		return fail(err)
	}
	metaJSON, err := json.Marshal(meta)
	if err != nil {
		return fail(err)
	}
	metaOff := written + int64(len(buf))
	buf = append(buf, metaJSON...)
	offsOff := metaOff + int64(len(metaJSON))
	buf = append(buf, offs...)
	le := binary.LittleEndian
	buf = le.AppendUint64(buf, uint64(metaOff))
	buf = le.AppendUint32(buf, uint32(len(metaJSON)))
	buf = le.AppendUint32(buf, crc32.Checksum(metaJSON, crcTable))
	buf = le.AppendUint64(buf, uint64(offsOff))
	buf = le.AppendUint32(buf, uint32(i))
	buf = le.AppendUint32(buf, crc32.Checksum(offs, crcTable))
	buf = append(buf, runEndMagic...)
	if _, err := f.Write(buf); err != nil {
		return fail(err)
	}
	if syncOn {
		if err := f.Sync(); err != nil {
			return fail(err)
		}
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write run: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write run: %w", err)
	}
	if syncOn {
		return syncDir(filepath.Dir(path))
	}
	return nil
}

// openRun opens a run and checks its footer, meta and offsets.
func openRun(path string, id uint32) (*run, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	r, err := readRunFooter(f, id)
	if err != nil {
		f.Close()
		return nil, err
	}
	return r, nil
}

func readRunFooter(f *os.File, id uint32) (*run, error) {
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	size := st.Size()
	if size < int64(len(runMagic))+runFooterSize {
		return nil, errBadRecord
	}
	var foot [runFooterSize]byte
	if _, err := f.ReadAt(foot[:], size-runFooterSize); err != nil {
		return nil, err
	}
	if string(foot[runFooterSize-8:]) != runEndMagic {
		return nil, errBadRecord
	}
	le := binary.LittleEndian
	metaOff, metaLen, metaCRC := int64(le.Uint64(foot[0:])), int64(le.Uint32(foot[8:])), le.Uint32(foot[12:])
	offsOff, count, offsCRC := int64(le.Uint64(foot[16:])), le.Uint32(foot[24:]), le.Uint32(foot[28:])
	if metaOff < int64(len(runMagic)) || metaOff+metaLen != offsOff || offsOff+4*int64(count) != size-runFooterSize {
		return nil, errBadRecord
	}
	body := make([]byte, metaLen+4*int64(count))
	if _, err := f.ReadAt(body, metaOff); err != nil {
		return nil, err
	}
	if crc32.Checksum(body[:metaLen], crcTable) != metaCRC || crc32.Checksum(body[metaLen:], crcTable) != offsCRC {
		return nil, errBadRecord
	}
	r := &run{id: id, f: f, count: count, offsOff: offsOff}
	if err := json.Unmarshal(body[:metaLen], &r.meta); err != nil {
		return nil, fmt.Errorf("%w: %w", errBadRecord, err)
	}
	return r, nil
}

// salvageRun reads the records of a run whose footer is damaged, in order, up to the first damaged one.
func salvageRun(path string) ([]runRec, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	br := bufio.NewReader(f)
	magic := make([]byte, len(runMagic))
	if _, err := io.ReadFull(br, magic); err != nil || string(magic) != runMagic {
		return nil, errBadRecord
	}
	var recs []runRec
	var buf []byte
	for {
		r, _, b, err := readRunRec(br, buf)
		buf = b
		if err != nil {
			return recs, nil
		}
		if len(recs) > 0 && r.machine < recs[len(recs)-1].machine {
			return recs, nil // the footer's bytes read as a record by chance
		}
		recs = append(recs, r)
	}
}

// offset returns the byte offset of record i.
func (r *run) offset(i uint32) (int64, error) {
	var b [4]byte
	if _, err := r.f.ReadAt(b[:], r.offsOff+4*int64(i)); err != nil {
		return 0, err
	}
	return int64(binary.LittleEndian.Uint32(b[:])), nil
}

// rec reads record i.
func (r *run) rec(i uint32) (runRec, error) {
	off, err := r.offset(i)
	if err != nil {
		return runRec{}, err
	}
	var head [4]byte
	if _, err := r.f.ReadAt(head[:], off); err != nil {
		return runRec{}, err
	}
	n := int64(binary.LittleEndian.Uint32(head[:]))
	if n > 1<<20 {
		return runRec{}, errBadRecord
	}
	buf := make([]byte, n+4)
	if _, err := r.f.ReadAt(buf, off+4); err != nil {
		return runRec{}, err
	}
	if crc32.Checksum(buf[:n], crcTable) != binary.LittleEndian.Uint32(buf[n:]) {
		return runRec{}, errBadRecord
	}
	return decodeRunPayload(buf[:n])
}

// all reads every record of a run, in order, but damaged ones (reported through damaged, which may be nil).
func (r *run) all(damaged func(uint32, error)) ([]runRec, error) {
	recs := make([]runRec, 0, r.count)
	it := &runIter{r: r, end: r.count, damaged: damaged}
	it.position()
	for it.next(); it.ok; it.next() {
		recs = append(recs, it.cur)
	}
	return recs, it.err
}

// runIter reads a run's records from one on, in order. A damaged record is reported through damaged and
// skipped: the offsets in the footer say where the next one is.
type runIter struct {
	r       *run
	i, end  uint32
	br      *bufio.Reader
	buf     []byte
	cur     runRec
	ok      bool
	err     error // reading the file failed
	damaged func(i uint32, err error)
}

// seek positions a run's iterator at the first record of machine listed after (start, name) (all of
// them when after is false).
func (r *run) seek(machine string, after bool, start int64, name string, damaged func(uint32, error)) (*runIter, error) {
	rng, ok := r.meta.Machines[machine]
	if !ok {
		return &runIter{}, nil
	}
	lo, hi := rng[0], rng[1]
	if after {
		var serr error
		i := sort.Search(int(hi-lo), func(k int) bool {
			if serr != nil {
				return true
			}
			rec, err := r.rec(lo + uint32(k))
			if err != nil {
				serr = err
				return true
			}
			return listBefore(start, name, rec.start, rec.name)
		})
		if serr != nil {
			return nil, serr
		}
		lo += uint32(i)
	}
	it := &runIter{r: r, i: lo, end: hi, damaged: damaged}
	it.position()
	it.next()
	return it, nil
}

// position points the reader at record i.
func (it *runIter) position() {
	it.br = nil
	if it.i >= it.end {
		return
	}
	off, err := it.r.offset(it.i)
	if err != nil {
		it.err = err
		return
	}
	it.br = bufio.NewReaderSize(io.NewSectionReader(it.r.f, off, 1<<62), 4096)
}

func (it *runIter) next() {
	it.ok = false
	for it.err == nil && it.br != nil && it.i < it.end {
		rec, _, buf, err := readRunRec(it.br, it.buf)
		it.buf = buf
		if err != nil {
			if !errors.Is(err, errBadRecord) && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
				it.err = err
				return
			}
			if it.damaged != nil {
				it.damaged(it.i, err)
			}
			it.i++
			it.position()
			continue
		}
		it.i++
		it.cur, it.ok = rec, true
		return
	}
}

// keyHash is the on-disk hash table from execution key to where it is.
type keyHash struct {
	path string
	sync bool

	mu      sync.RWMutex // reads (read), slot writes and the file's swap (write)
	f       *os.File
	cap     uint64 // slots, a power of two
	used    uint64 // slots not empty (tombstones included)
	applied uint32 // runs up to this id are in the table
}

// execKey is the 128-bit FNV-1a hash of a machine ARN and an execution name; never all zero.
type execKey [2]uint64

func keyOf(machine, name string) execKey {
	// FNV-1a, 128 bits (hash/fnv's New128a, without its allocations): hi, lo is the state.
	hi, lo := uint64(0x6c62272e07bb0142), uint64(0x62b821756295c58d)
	step := func(c byte) {
		lo ^= uint64(c)
		h, l := bits.Mul64(0x13b, lo) // the prime is 2^88 + 0x13b
		hi, lo = h+lo<<24+0x13b*hi, l
	}
	for i := 0; i < len(machine); i++ {
		step(machine[i])
	}
	step(0)
	for i := 0; i < len(name); i++ {
		step(name[i])
	}
	// As the little-endian halves of the big-endian sum hash/fnv writes.
	return execKey{bits.ReverseBytes64(hi) | 1, bits.ReverseBytes64(lo)}
}

// home is the key's first slot in a table of mask+1 slots: bits 32 and up of a Fibonacci hash of all the
// key (FNV-1a's low bits are weak: its lowest is the parity of the input's bytes).
func (k execKey) home(mask uint64) uint64 {
	return ((k[0] ^ k[1]) * 0x9E3779B97F4A7C15 >> 32) & mask
}

// slot is one key hash entry: the key and a finished execution's fixed fields.
type slot struct {
	key  execKey
	used bool
	rec  runRec // without machine, name and qual
}

func encodeSlot(b []byte, s slot) {
	le := binary.LittleEndian
	clear(b[:slotSize])
	le.PutUint64(b[0:], s.key[0])
	le.PutUint64(b[8:], s.key[1])
	le.PutUint64(b[16:], uint64(s.rec.start))
	le.PutUint64(b[24:], uint64(s.rec.stop))
	le.PutUint64(b[32:], uint64(s.rec.off))
	le.PutUint32(b[40:], s.rec.seg)
	le.PutUint32(b[44:], s.rec.size)
	le.PutUint16(b[48:], s.rec.redrives)
	b[50] = s.rec.status
	b[51] = 1
	le.PutUint32(b[60:], crc32.Checksum(b[:60], crcTable))
}

var errBadSlot = errors.New("key hash slot damaged")

func decodeSlot(b []byte) (slot, error) {
	if b[51] == 0 {
		if !bytes.Equal(b[:slotSize], zeroSlot[:]) {
			return slot{}, errBadSlot
		}
		return slot{}, nil
	}
	le := binary.LittleEndian
	if crc32.Checksum(b[:60], crcTable) != le.Uint32(b[60:]) || b[51] != 1 {
		return slot{}, errBadSlot
	}
	return slot{key: execKey{le.Uint64(b[0:]), le.Uint64(b[8:])}, used: true, rec: runRec{
		start: int64(le.Uint64(b[16:])), stop: int64(le.Uint64(b[24:])), off: int64(le.Uint64(b[32:])),
		seg: le.Uint32(b[40:]), size: le.Uint32(b[44:]), redrives: le.Uint16(b[48:]), status: b[50],
	}}, nil
}

var zeroSlot [slotSize]byte

// probeBufs hold the slots a probe reads (a buffer handed to ReadAt is on the heap).
var probeBufs = sync.Pool{New: func() any { return new([probeSlots * slotSize]byte) }}

// openKeyHash opens the key hash; ok is false when it is missing or its header is damaged (it must then
// be rebuilt from the runs).
func openKeyHash(path string, syncOn bool) (*keyHash, bool, error) {
	k := &keyHash{path: path, sync: syncOn}
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if errors.Is(err, os.ErrNotExist) {
		return k, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("open key hash: %w", err)
	}
	var head [32]byte
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, false, fmt.Errorf("open key hash: %w", err)
	}
	if _, err := f.ReadAt(head[:], 0); err != nil || string(head[:8]) != keysMagic ||
		crc32.Checksum(head[:28], crcTable) != binary.LittleEndian.Uint32(head[28:]) {
		f.Close()
		return k, false, nil
	}
	le := binary.LittleEndian
	k.cap, k.used, k.applied = le.Uint64(head[8:]), le.Uint64(head[16:]), le.Uint32(head[24:])
	if k.cap == 0 || k.cap&(k.cap-1) != 0 || st.Size() != keysHeader+int64(k.cap)*slotSize {
		f.Close()
		return &keyHash{path: path, sync: syncOn}, false, nil
	}
	k.f = f
	return k, true, nil
}

// create makes an empty table of n slots (the caller holds mu or owns k).
func (k *keyHash) create(path string, n uint64) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return nil, fmt.Errorf("create key hash: %w", err)
	}
	if err := f.Truncate(keysHeader + int64(n)*slotSize); err != nil {
		f.Close()
		return nil, fmt.Errorf("create key hash: %w", err)
	}
	return f, nil
}

// writeHeader records the table's size and the runs it holds.
func writeKeysHeader(f *os.File, capSlots, used uint64, applied uint32, syncOn bool) error {
	var head [32]byte
	copy(head[:], keysMagic)
	le := binary.LittleEndian
	le.PutUint64(head[8:], capSlots)
	le.PutUint64(head[16:], used)
	le.PutUint32(head[24:], applied)
	le.PutUint32(head[28:], crc32.Checksum(head[:28], crcTable))
	if syncOn {
		if err := f.Sync(); err != nil { // the slots before the header that names them
			return fmt.Errorf("sync key hash: %w", err)
		}
	}
	if _, err := f.WriteAt(head[:], 0); err != nil {
		return fmt.Errorf("write key hash header: %w", err)
	}
	if syncOn {
		if err := f.Sync(); err != nil {
			return fmt.Errorf("sync key hash: %w", err)
		}
	}
	return nil
}

// get finds a key; live tells whether a segment is still kept (a slot of a removed one is a tombstone).
func (k *keyHash) get(key execKey, live func(seg uint32) bool) (runRec, bool, error) {
	k.mu.RLock()
	defer k.mu.RUnlock()
	if k.f == nil {
		return runRec{}, false, nil
	}
	bp := probeBufs.Get().(*[probeSlots * slotSize]byte)
	defer probeBufs.Put(bp)
	buf := bp[:]
	mask := k.cap - 1
	i := key.home(mask)
	for n := uint64(0); n < k.cap; {
		m := min(probeSlots, k.cap-i)
		if _, err := k.f.ReadAt(buf[:m*slotSize], keysHeader+int64(i)*slotSize); err != nil {
			return runRec{}, false, fmt.Errorf("read key hash: %w", err)
		}
		for j := uint64(0); j < m; j++ {
			s, err := decodeSlot(buf[j*slotSize:])
			if err != nil {
				return runRec{}, false, fmt.Errorf("slot %d: %w", i+j, err)
			}
			if !s.used {
				return runRec{}, false, nil
			}
			if s.key == key && live(s.rec.seg) {
				return s.rec, true, nil
			}
		}
		n += m
		i = (i + m) & mask
	}
	return runRec{}, false, nil
}

// insert puts a record in f (a table of capSlots slots) unless a later save of it is there. It reports
// whether it took an empty slot.
func insertSlot(f *os.File, capSlots uint64, key execKey, rec runRec, live func(uint32) bool) (bool, error) {
	bp := probeBufs.Get().(*[probeSlots * slotSize]byte)
	defer probeBufs.Put(bp)
	return insertSlotIn(fileSlots{f, bp[:]}, capSlots, key, rec, live)
}

// slotTable is where insertSlotIn reads and writes a table's slots: the file itself (fileSlots) or pages
// of it held in memory (slotPages).
type slotTable interface {
	// slots returns the encoded slots from slot i on: at least one and at most m (which does not run past
	// the table's end), valid until the next call.
	slots(i, m uint64) ([]byte, error)
	put(at uint64, s slot) error
}

// insertSlotIn is insertSlot on a slotTable.
func insertSlotIn(t slotTable, capSlots uint64, key execKey, rec runRec, live func(uint32) bool) (bool, error) {
	mask := capSlots - 1
	i := key.home(mask)
	reuse := int64(-1)
	for n := uint64(0); n < capSlots; {
		buf, err := t.slots(i, min(probeSlots, capSlots-i))
		if err != nil {
			return false, err
		}
		m := uint64(len(buf) / slotSize)
		for j := uint64(0); j < m; j++ {
			at := int64((i + j) & mask)
			s, err := decodeSlot(buf[j*slotSize:])
			if err != nil {
				// A damaged slot is overwritten only by the key it held, which cannot be told: leave it.
				continue
			}
			if !s.used {
				target, fresh := at, true
				if reuse >= 0 {
					target, fresh = reuse, false
				}
				return fresh, t.put(uint64(target), slot{key: key, used: true, rec: rec})
			}
			if s.key == key {
				if live(s.rec.seg) && !rec.newer(s.rec) {
					return false, nil
				}
				return false, t.put(uint64(at), slot{key: key, used: true, rec: rec})
			}
			if reuse < 0 && !live(s.rec.seg) {
				reuse = at
			}
		}
		n += m
		i = (i + m) & mask
	}
	if reuse >= 0 {
		return false, t.put(uint64(reuse), slot{key: key, used: true, rec: rec})
	}
	return false, errors.New("key hash full")
}

// fileSlots reads and writes slots in the file, a read and a write for each: what a lone insert needs.
type fileSlots struct {
	f   *os.File
	buf []byte // probeSlots slots
}

func (t fileSlots) slots(i, m uint64) ([]byte, error) {
	b := t.buf[:m*slotSize]
	if _, err := t.f.ReadAt(b, keysHeader+int64(i)*slotSize); err != nil {
		return nil, fmt.Errorf("read key hash: %w", err)
	}
	return b, nil
}

func (t fileSlots) put(at uint64, s slot) error { return writeSlot(t.f, int64(at), s) }

// slotPages holds pages of a table's slots (pageSlots each) read from its file, changed in memory and
// written back when evicted or flushed: inserting many keys in the order of their home slots (apply), or
// in the order of a smaller table's slots (grow), reads and writes each page about once instead of
// reading and writing for every key when the keys are dense enough (pagedApplyRatio). At most maxPages pages are held; the least recently used goes
// first. Each write to the file holds mu, as a lone slot write does, so that a lookup reading the file
// meanwhile never reads a page half written.
type slotPages struct {
	f     *os.File
	cap   uint64 // slots
	mu    *sync.RWMutex
	pages map[uint64]*slotPage // by page number
	clock uint64
	spare []byte // the data of the page evicted last, for the next one read
}

type slotPage struct {
	data  []byte
	dirty bool
	used  uint64 // slotPages.clock when last used
}

const (
	pageSlots = 256 // slots in a page: 16 KiB
	maxPages  = 16
)

func newSlotPages(f *os.File, capSlots uint64, mu *sync.RWMutex) *slotPages {
	return &slotPages{f: f, cap: capSlots, mu: mu, pages: make(map[uint64]*slotPage, maxPages)}
}

func (t *slotPages) page(n uint64) (*slotPage, error) {
	t.clock++
	if p := t.pages[n]; p != nil {
		p.used = t.clock
		return p, nil
	}
	if len(t.pages) >= maxPages {
		var oldest uint64
		var victim *slotPage
		for k, p := range t.pages {
			if victim == nil || p.used < victim.used {
				oldest, victim = k, p
			}
		}
		if err := t.write(oldest, victim); err != nil {
			return nil, err
		}
		delete(t.pages, oldest)
		t.spare = victim.data
	}
	first := n * pageSlots
	size := min(pageSlots, t.cap-first) * slotSize
	p := &slotPage{used: t.clock}
	if cap(t.spare) >= int(size) {
		p.data, t.spare = t.spare[:size], nil
	} else {
		p.data = make([]byte, size)
	}
	if _, err := t.f.ReadAt(p.data, keysHeader+int64(first)*slotSize); err != nil {
		return nil, fmt.Errorf("read key hash: %w", err)
	}
	t.pages[n] = p
	return p, nil
}

func (t *slotPages) write(n uint64, p *slotPage) error {
	if !p.dirty {
		return nil
	}
	t.mu.Lock()
	_, err := t.f.WriteAt(p.data, keysHeader+int64(n*pageSlots)*slotSize)
	t.mu.Unlock()
	if err != nil {
		return fmt.Errorf("write key hash: %w", err)
	}
	p.dirty = false
	return nil
}

func (t *slotPages) slots(i, m uint64) ([]byte, error) {
	p, err := t.page(i / pageSlots)
	if err != nil {
		return nil, err
	}
	from := i % pageSlots
	m = min(m, uint64(len(p.data))/slotSize-from)
	return p.data[from*slotSize : (from+m)*slotSize], nil
}

func (t *slotPages) put(at uint64, s slot) error {
	p, err := t.page(at / pageSlots)
	if err != nil {
		return err
	}
	encodeSlot(p.data[at%pageSlots*slotSize:], s)
	p.dirty = true
	return nil
}

// flush writes back every changed page.
func (t *slotPages) flush() error {
	for n, p := range t.pages {
		if err := t.write(n, p); err != nil {
			return err
		}
	}
	return nil
}

func writeSlot(f *os.File, at int64, s slot) error {
	var b [slotSize]byte
	encodeSlot(b[:], s)
	if _, err := f.WriteAt(b[:], keysHeader+at*slotSize); err != nil {
		return fmt.Errorf("write key hash: %w", err)
	}
	return nil
}

// apply puts a run's records in the table (growing it first when they would fill it past half) and
// records that the table holds runs up to id.
func (k *keyHash) apply(id uint32, recs []runRec, live func(uint32) bool) error {
	if k.f == nil || (k.used+uint64(len(recs)))*2 > k.cap {
		if err := k.grow(uint64(len(recs)), live); err != nil {
			return err
		}
	}
	if k.cap > pagedApplyRatio*uint64(len(recs)) {
		// Too few records for the table's size to share its pages: each its own read and write.
		for _, r := range recs {
			k.mu.Lock() // per slot: lookups go on between writes
			fresh, err := insertSlot(k.f, k.cap, keyOf(r.machine, r.name), r, live)
			if fresh {
				k.used++
			}
			k.mu.Unlock()
			if err != nil {
				return err
			}
		}
		return k.finishApply(id)
	}
	// In the order of their home slots, the inserts go through the table's pages once, each page read
	// and written once; lookups go on meanwhile (the records are in the history's tail until applied).
	keyed := make([]homedRec, len(recs))
	mask := k.cap - 1
	for i := range recs {
		key := keyOf(recs[i].machine, recs[i].name)
		keyed[i] = homedRec{key: key, home: key.home(mask), rec: &recs[i]}
	}
	slices.SortStableFunc(keyed, func(a, b homedRec) int { return cmp.Compare(a.home, b.home) })
	pages := newSlotPages(k.f, k.cap, &k.mu)
	var fresh uint64
	err := func() error {
		for _, r := range keyed {
			took, err := insertSlotIn(pages, k.cap, r.key, *r.rec, live)
			if err != nil {
				return err
			}
			if took {
				fresh++
			}
		}
		return pages.flush()
	}()
	k.mu.Lock()
	k.used += fresh // on an error too: some may be written, and counting more only grows the table sooner
	k.mu.Unlock()
	if err != nil {
		return err
	}
	return k.finishApply(id)
}

// pagedApplyRatio is the most slots per record for which apply goes through pages: a run's records then
// share a page (pageSlots) by the dozen or more, and reading and writing each page once costs less than a
// read and a write per record; in a sparser table a page would be read for a record or two.
const pagedApplyRatio = 64

// finishApply records that the table holds runs up to id.
func (k *keyHash) finishApply(id uint32) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if err := writeKeysHeader(k.f, k.cap, k.used, id, k.sync); err != nil {
		return err
	}
	k.applied = id
	return nil
}

// homedRec is a record to insert, with its key and home slot.
type homedRec struct {
	key  execKey
	home uint64
	rec  *runRec
}

// grow rewrites the table with room for extra more keys (a quarter full), without its tombstones, to a
// new file renamed over the old one.
func (k *keyHash) grow(extra uint64, live func(uint32) bool) error {
	k.mu.RLock()
	old, oldCap := k.f, k.cap
	k.mu.RUnlock()
	var liveKeys uint64
	scan := func(fn func(s slot) error) error {
		if old == nil {
			return nil
		}
		br := bufio.NewReaderSize(io.NewSectionReader(old, keysHeader, int64(oldCap)*slotSize), 64<<10)
		var b [slotSize]byte
		for i := uint64(0); i < oldCap; i++ {
			if _, err := io.ReadFull(br, b[:]); err != nil {
				return fmt.Errorf("read key hash: %w", err)
			}
			s, err := decodeSlot(b[:])
			if err != nil || !s.used || !live(s.rec.seg) {
				continue // a damaged slot is dropped: the caller rebuilds from the runs when it matters
			}
			if err := fn(s); err != nil {
				return err
			}
		}
		return nil
	}
	if err := scan(func(slot) error { liveKeys++; return nil }); err != nil {
		return err
	}
	// A quarter full: it grows again once the keys have doubled (apply grows it past half full), so
	// that every key is read and written again about once over the table's life.
	n := uint64(minKeySlots)
	for n < 4*(liveKeys+extra) {
		n *= 2
	}
	tmp := k.path + ".tmp"
	f, err := k.create(tmp, n)
	if err != nil {
		return err
	}
	var used uint64
	// The old table's slots come in the order of their home slots there, which in the new table is that
	// of a few runs of home slots side by side: pages held in memory serve each.
	pages := newSlotPages(f, n, new(sync.RWMutex))
	err = scan(func(s slot) error {
		fresh, err := insertSlotIn(pages, n, s.key, s.rec, live)
		if fresh {
			used++
		}
		return err
	})
	if err == nil {
		err = pages.flush()
	}
	if err == nil {
		err = writeKeysHeader(f, n, used, k.applied, k.sync)
	}
	if err == nil {
		err = os.Rename(tmp, k.path)
	}
	if err == nil && k.sync {
		err = syncDir(filepath.Dir(k.path))
	}
	if err != nil {
		f.Close()
		os.Remove(tmp)
		return err
	}
	k.mu.Lock()
	k.f, k.cap, k.used = f, n, used
	k.mu.Unlock()
	if old != nil {
		old.Close()
	}
	return nil
}

// replaceWith takes the table of nk (built from the runs) in place of its own.
func (k *keyHash) replaceWith(nk *keyHash) {
	nk.mu.Lock()
	f, c, used, applied := nk.f, nk.cap, nk.used, nk.applied
	nk.f = nil
	nk.mu.Unlock()
	k.mu.Lock()
	old := k.f
	k.f, k.cap, k.used, k.applied = f, c, used, applied
	k.mu.Unlock()
	if old != nil {
		old.Close()
	}
}

func (k *keyHash) close() error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.f == nil {
		return nil
	}
	err := k.f.Close()
	k.f = nil
	return err
}
