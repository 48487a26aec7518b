package process

import (
	"bytes"
	stdgzip "compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/klauspost/compress/gzip"

	"github.com/sluicehq/sluice/tasks"
	"github.com/sluicehq/sluice/tasks/records"
	"github.com/sluicehq/sluice/tasks/schema"
)

// orderRecords makes n records for the orders schema (testdata/orders.schema.json), all accepted, with
// varied values: spaces to trim, nulls and absent optional values, numbers with and without exponents,
// timestamps in several zones, notes in several scripts and some longer than the kept statistics prefix.
func orderRecords(rng *rand.Rand, n int) []records.Record {
	text := func(s string) schema.Raw { return schema.Raw{Kind: schema.RawText, Text: s} }
	notes := []string{"", "  ", "a note", "ünïcödé ✓", "日本語のメモ", `"quoted", with comma`, strings.Repeat("long ", 60)}
	zones := []string{"Z", "+01:00", "-0530", "", "+09"}
	recs := make([]records.Record, n)
	for i := range recs {
		gift := [...]schema.Raw{text("true"), text(" FALSE "), text(""), {Kind: schema.RawMissing}}[rng.IntN(4)]
		price := strconv.FormatFloat(float64(rng.IntN(100000))/100, 'f', -1, 64)
		if rng.IntN(10) == 0 {
			price = fmt.Sprintf("%de%d", rng.IntN(90)+1, rng.IntN(5))
		}
		recs[i] = records.Record{Line: int64(i + 2), Values: []schema.Raw{
			text(fmt.Sprintf(" ORD-%06d", rng.IntN(1000000))),
			text(strconv.Itoa(rng.IntN(500) + 1)),
			text(price),
			text([]string{"new", "paid", "shipped"}[rng.IntN(3)]),
			gift,
			text(fmt.Sprintf("2024-%02d-%02d", rng.IntN(12)+1, rng.IntN(28)+1)),
			text(fmt.Sprintf("2024-03-%02dT%02d:%02d:%02d.%03d%s", rng.IntN(28)+1, rng.IntN(24), rng.IntN(60), rng.IntN(60), rng.IntN(1000), zones[rng.IntN(len(zones))])),
			text(notes[rng.IntN(len(notes))] + strconv.Itoa(rng.IntN(100))),
		}}
	}
	return recs
}

// serial encodes recs one after the other with one encoder, as the task did before it had workers:
// the lines, the statistics, or the first error.
func serial(s *schema.Schema, recs []records.Record) ([]byte, []tasks.ColumnStats, error) {
	enc := newEncoder(s)
	var out []byte
	var err error
	for i := range recs {
		if out, err = enc.appendRecord(out, &recs[i]); err != nil {
			return nil, nil, err
		}
	}
	stats := make([]tasks.ColumnStats, len(s.Columns))
	for i, c := range s.Columns {
		stats[i] = enc.stats[i].result(c.Name)
	}
	return out, stats, nil
}

// testChunkRows is the chunk length of the tests' pipelines (but TestPipelineOnePieceIsWhatGzipWriterWrites):
// small, so that a few hundred records make many pieces.
const testChunkRows = 64

// newTestPipeline is newPipeline with chunks of testChunkRows records.
func newTestPipeline(w io.Writer, s *schema.Schema, level, workers int, pool *compressorPool) *pipeline {
	p := newPipeline(w, s, level, workers, pool, func(err error) error { return fmt.Errorf("write: %w", err) })
	p.chunkRows = testChunkRows
	return p
}

// run feeds recs through a test pipeline into w, as the task does, with tail as the error that ended
// the reading, and returns the pipeline (rows, stats) and its error.
func run(w io.Writer, s *schema.Schema, recs []records.Record, level, workers int, pool *compressorPool, tail error) (*pipeline, error) {
	p := newTestPipeline(w, s, level, workers, pool)
	defer p.abort()
	for i := range recs {
		if p.stopped() {
			break
		}
		p.add(&recs[i])
	}
	if err := p.end(tail); err != nil {
		return p, err
	}
	return p, p.finish()
}

func pipelineStats(p *pipeline, s *schema.Schema) []tasks.ColumnStats {
	out := make([]tasks.ColumnStats, len(s.Columns))
	for i, c := range s.Columns {
		out[i] = p.stats[i].result(c.Name)
	}
	return out
}

func gunzip(t *testing.T, b []byte) []byte {
	t.Helper()
	zr, err := stdgzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// The pipeline decodes to exactly the lines and statistics of the serial encoder, for objects of no
// record, one, a few chunks' worth (several pieces) and with any number of workers; and the bytes are
// the same whatever the number of workers.
func TestPipelineMatchesSerial(t *testing.T) {
	s := ordersSchema(t)
	rng := rand.New(rand.NewPCG(5, 6))
	cases := []struct{ rows, chunkRows int }{
		{0, testChunkRows}, {1, testChunkRows}, {testChunkRows, testChunkRows}, {testChunkRows + 1, testChunkRows},
		{1000, testChunkRows}, {1000, 1},
		{chunkRows + 1, chunkRows}, // the task's own chunks: two pieces
	}
	for _, tc := range cases {
		recs := orderRecords(rng, tc.rows)
		wantLines, wantStats, err := serial(s, recs)
		if err != nil {
			t.Fatal(err)
		}
		var first []byte
		for _, workers := range []int{1, 2, 3, 8} {
			t.Run(fmt.Sprintf("%d rows in chunks of %d/%d workers", tc.rows, tc.chunkRows, workers), func(t *testing.T) {
				var out bytes.Buffer
				p := newTestPipeline(&out, s, DefaultCompressionLevel, workers, nil)
				p.chunkRows = tc.chunkRows
				for i := range recs {
					p.add(&recs[i])
				}
				if err := p.end(nil); err != nil {
					t.Fatal(err)
				}
				if err := p.finish(); err != nil {
					t.Fatal(err)
				}
				if p.rows != int64(tc.rows) {
					t.Errorf("rows: got %d, want %d", p.rows, tc.rows)
				}
				if got := gunzip(t, out.Bytes()); !bytes.Equal(got, wantLines) {
					t.Errorf("decoded %d bytes differ from the serial encoder's %d", len(got), len(wantLines))
				}
				if diff := cmp.Diff(pipelineStats(p, s), wantStats); diff != "" {
					t.Errorf("stats (-got +want):\n%s", diff)
				}
				if first == nil {
					first = out.Bytes()
				} else if !bytes.Equal(out.Bytes(), first) {
					t.Errorf("%d workers staged other bytes than 1 worker", workers)
				}
			})
		}
	}
}

// An object that fits one chunk is one piece, and the member is the very bytes that the gzip writer of
// github.com/klauspost/compress (the task's compressor before it had workers) makes of the same lines.
func TestPipelineOnePieceIsWhatGzipWriterWrites(t *testing.T) {
	s := ordersSchema(t)
	recs := orderRecords(rand.New(rand.NewPCG(7, 8)), 200)
	lines, _, err := serial(s, recs)
	if err != nil {
		t.Fatal(err)
	}
	for _, level := range []int{gzip.HuffmanOnly, gzip.NoCompression, gzip.BestSpeed, gzip.DefaultCompression, gzip.BestCompression} {
		var out, want bytes.Buffer
		p := newPipeline(&out, s, level, 2, nil, func(err error) error { return err })
		for i := range recs {
			p.add(&recs[i])
		}
		if err := p.end(nil); err != nil {
			t.Fatal(err)
		}
		if err := p.finish(); err != nil {
			t.Fatal(err)
		}
		zw, err := gzip.NewWriterLevel(&want, level)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := zw.Write(lines); err != nil {
			t.Fatal(err)
		}
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(out.Bytes(), want.Bytes()) {
			t.Errorf("level %d: got %d bytes, want the gzip writer's %d", level, out.Len(), want.Len())
		}
	}
}

// The output is one standard gzip member (RFC 1952) whatever the level and however many pieces: the
// standard library's reader, reading one member only, and the gzip command (gzip -d, zcat) and Python's
// gzip module read back exactly the lines; the member is a single one with the uncompressed size in its
// trailer, as readers that do not follow concatenated members (some Hadoop codecs) expect.
func TestPipelineOutputReadByEveryGzipReader(t *testing.T) {
	s := ordersSchema(t)
	recs := orderRecords(rand.New(rand.NewPCG(9, 10)), 20*testChunkRows+5) // 21 pieces, 200 KB of lines
	lines, _, err := serial(s, recs)
	if err != nil {
		t.Fatal(err)
	}
	readers := map[string][]string{"gzip -d": {"gzip", "-d", "-c"}, "zcat": {"zcat"}, "python gzip": {"python3", "-c",
		"import gzip, sys; sys.stdout.buffer.write(gzip.decompress(sys.stdin.buffer.read()))"}}
	for _, level := range []int{gzip.HuffmanOnly, gzip.NoCompression, gzip.BestSpeed, gzip.DefaultCompression, gzip.BestCompression} {
		t.Run(strconv.Itoa(level), func(t *testing.T) {
			var out bytes.Buffer
			if _, err := run(&out, s, recs, level, 2, nil, nil); err != nil {
				t.Fatal(err)
			}
			src := bytes.NewReader(out.Bytes()) // an io.ByteReader: the gzip reader reads no further than it needs
			zr, err := stdgzip.NewReader(src)
			if err != nil {
				t.Fatal(err)
			}
			zr.Multistream(false) // one member holds everything
			got, err := io.ReadAll(zr)
			if err != nil {
				t.Fatalf("compress/gzip: %v", err)
			}
			if !bytes.Equal(got, lines) {
				t.Errorf("compress/gzip read %d bytes, want the %d lines", len(got), len(lines))
			}
			if src.Len() > 0 {
				t.Errorf("%d bytes follow the first gzip member", src.Len())
			}
			if size := binary.LittleEndian.Uint32(out.Bytes()[out.Len()-4:]); size != uint32(len(lines)) {
				t.Errorf("ISIZE in the trailer: got %d, want %d", size, len(lines))
			}
			for name, argv := range readers {
				if _, err := exec.LookPath(argv[0]); err != nil {
					t.Logf("%s: %v", name, err)
					continue
				}
				cmd := exec.CommandContext(t.Context(), argv[0], argv[1:]...)
				cmd.Stdin = bytes.NewReader(out.Bytes())
				var stderr bytes.Buffer
				cmd.Stderr = &stderr
				got, err := cmd.Output()
				if err != nil {
					t.Fatalf("%s: %v: %s", name, err, stderr.Bytes())
				}
				if !bytes.Equal(got, lines) {
					t.Errorf("%s read %d bytes, want the %d lines", name, len(got), len(lines))
				}
			}
		})
	}
}

// The first failure in record order is the result, as reading and encoding one record after the other
// gives it, wherever the failures fall among the chunks and however many workers race: a refused value in
// an early chunk wins over one in a later chunk and over the error that ended the reading.
func TestPipelineFirstFailureWins(t *testing.T) {
	s := ordersSchema(t)
	rng := rand.New(rand.NewPCG(11, 12))
	errEnd := errors.New("the reading ended")
	bad := func(recs []records.Record, i int) {
		recs[i].Values[1] = schema.Raw{Kind: schema.RawText, Text: "-" + strconv.Itoa(i)} // quantity below its minimum
	}
	cases := []struct {
		name string
		bad  []int // records refused
		tail error
	}{
		{name: "one in the last chunk", bad: []int{3*testChunkRows + 2}},
		{name: "early and late", bad: []int{testChunkRows + 5, 3*testChunkRows + 1}},
		{name: "late then early in one chunk", bad: []int{2*testChunkRows + 9, 2*testChunkRows + 3}},
		{name: "refused before the end of reading", bad: []int{2*testChunkRows + 30}, tail: errEnd},
		{name: "end of reading only", tail: errEnd},
	}
	for _, tc := range cases {
		for _, workers := range []int{1, 2, 4} {
			t.Run(fmt.Sprintf("%s/%d workers", tc.name, workers), func(t *testing.T) {
				recs := orderRecords(rng, 3*testChunkRows+10)
				for _, i := range tc.bad {
					bad(recs, i)
				}
				want := serialFailure(s, recs, tc.tail)
				var out bytes.Buffer
				_, err := run(&out, s, recs, DefaultCompressionLevel, workers, nil, tc.tail)
				var got, wantInvalid *tasks.InvalidObjectError
				switch {
				case errors.As(want, &wantInvalid):
					if !errors.As(err, &got) || *got != *wantInvalid {
						t.Errorf("got %v, want %v", err, want)
					}
				case !errors.Is(err, want):
					t.Errorf("got %v, want %v", err, want)
				}
			})
		}
	}
}

// serialFailure is the failure of serial, with the reading ended by tail after the records.
func serialFailure(s *schema.Schema, recs []records.Record, tail error) error {
	if _, _, err := serial(s, recs); err != nil {
		return err
	}
	return tail
}

// failingWriter accepts n bytes, then fails.
type failingWriter struct{ n int }

var errSink = errors.New("sink failed")

func (f *failingWriter) Write(p []byte) (int, error) {
	if len(p) > f.n {
		return 0, errSink
	}
	f.n -= len(p)
	return len(p), nil
}

// A failing output stops the pipeline with the mapped error, however many chunks are still coming.
func TestPipelineWriteFailureStops(t *testing.T) {
	s := ordersSchema(t)
	recs := orderRecords(rand.New(rand.NewPCG(13, 14)), 6*testChunkRows)
	for _, after := range []int{0, 5, 1000} {
		p, err := run(&failingWriter{n: after}, s, recs, gzip.NoCompression, 2, nil, nil)
		if !errors.Is(err, errSink) || !strings.HasPrefix(err.Error(), "write: ") {
			t.Errorf("after %d bytes: got %v, want the sink's error, mapped", after, err)
		}
		if !p.stopped() {
			t.Errorf("after %d bytes: the pipeline did not stop", after)
		}
	}
}

// An aborted pipeline leaves no complete gzip member.
func TestPipelineAbortWritesNoTrailer(t *testing.T) {
	s := ordersSchema(t)
	recs := orderRecords(rand.New(rand.NewPCG(15, 16)), 2*testChunkRows+1)
	var out bytes.Buffer
	p := newTestPipeline(&out, s, DefaultCompressionLevel, 2, nil)
	for i := range recs {
		p.add(&recs[i])
	}
	p.abort()
	p.abort() // twice is harmless
	zr, err := stdgzip.NewReader(bytes.NewReader(out.Bytes()))
	if err == nil {
		_, err = io.ReadAll(zr)
	}
	if err == nil {
		t.Error("an aborted pipeline's output reads as complete gzip data")
	}
}

// Pipelines sharing a pool reuse the compressors and buffers of the ones before, including those that
// were aborted or failed mid-stream, and still write exactly the bytes of a pipeline without a pool.
func TestPipelinePoolReuse(t *testing.T) {
	s := ordersSchema(t)
	recs := orderRecords(rand.New(rand.NewPCG(17, 18)), testChunkRows+300)
	var fresh bytes.Buffer
	if _, err := run(&fresh, s, recs, DefaultCompressionLevel, 2, nil, nil); err != nil {
		t.Fatal(err)
	}
	pool := &compressorPool{}
	steps := []struct {
		name  string
		sink  io.Writer
		abort bool
		level int
	}{
		{name: "first"},
		{name: "aborted", abort: true},
		{name: "after abort"},
		{name: "failed", sink: &failingWriter{n: 10}},
		{name: "after failure"},
		{name: "other level", level: gzip.BestSpeed},
		{name: "again"},
	}
	// Whether a compressor is reused is up to sync.Pool (the race detector drops some puts on purpose),
	// so the test checks what matters whichever way it goes: each output is right.
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			var out bytes.Buffer
			sink := st.sink
			if sink == nil {
				sink = &out
			}
			level := DefaultCompressionLevel
			if st.level != 0 {
				level = st.level
			}
			if st.abort {
				p := newTestPipeline(sink, s, level, 2, pool)
				for i := range recs[:testChunkRows+10] {
					p.add(&recs[i])
				}
				p.abort()
				return
			}
			_, err := run(sink, s, recs, level, 2, pool, nil)
			switch {
			case st.sink != nil:
				if !errors.Is(err, errSink) {
					t.Errorf("got %v, want the sink's error", err)
				}
			case err != nil:
				t.Fatal(err)
			case level == DefaultCompressionLevel && !bytes.Equal(out.Bytes(), fresh.Bytes()):
				t.Errorf("output: got %d bytes, want the %d bytes of a pipeline without a pool", out.Len(), fresh.Len())
			case !bytes.Equal(gunzip(t, out.Bytes()), gunzip(t, fresh.Bytes())):
				t.Errorf("level %d: the lines differ", level)
			}
		})
	}
}

// A chunk kept in the pool holds none of the reader's text: putChunk clears every value the chunk held
// since it was last cleared (also those beyond a shorter later use, which collect no longer clears) and
// its statistics, and a chunk taken again starts empty.
func TestPooledChunkHoldsNoText(t *testing.T) {
	s := ordersSchema(t)
	recs := orderRecords(rand.New(rand.NewPCG(3, 4)), 40)
	pool := &compressorPool{}
	p := newTestPipeline(io.Discard, s, DefaultCompressionLevel, 1, pool)
	defer p.abort()
	c := p.take()
	for i := range recs { // a first use with 40 records
		c.lines = append(c.lines, recs[i].Line)
		c.vals = append(c.vals, recs[i].Values...)
	}
	c.stats = make([]columnStats, len(s.Columns))
	for i := range c.stats {
		addOne(&c.stats[i], schema.Value{Kind: schema.KindString, Str: recs[0].Values[0].Text})
	}
	p.free <- c
	c = p.take() // a shorter second use: 3 records
	if len(c.vals) != 0 || len(c.lines) != 0 {
		t.Fatalf("taken again: %d values, %d lines, want none", len(c.vals), len(c.lines))
	}
	for i := range recs[:3] {
		c.vals = append(c.vals, recs[i].Values...)
	}
	pool.putChunk(c)
	for i, v := range c.vals[:cap(c.vals)] {
		if v != (schema.Raw{}) {
			t.Fatalf("value %d of the pooled chunk: got %+v, want it cleared", i, v)
		}
	}
	for i := range c.stats {
		if c.stats[i] != (columnStats{}) {
			t.Errorf("stats %d of the pooled chunk: got %+v, want them cleared", i, c.stats[i])
		}
	}
}
