package process

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sluicehq/sluice/sample"
	"github.com/sluicehq/sluice/tasks/internal/s3test"
	"github.com/sluicehq/sluice/tasks/records"
	"github.com/sluicehq/sluice/tasks/schema"
)

// levelSource is an input of BenchmarkCompressionLevels: objects of one dataset, and how many bytes
// they hold.
type levelSource struct {
	name    string
	schema  *schema.Schema
	objects map[string][]byte // key (its extension gives the format) -> bytes
	size    int64
}

// BenchmarkCompressionLevels weighs the gzip levels on the lines the task makes, cut into the task's
// pieces and compressed with the task's compressor, for three inputs: the generated CSV of
// BenchmarkProcess256MiB (16 MiB of it: very regular rows), 16 MiB of orders with varied values on the
// sample schema (generated: customers, products, prices, times and notes drawn at random, closer to real
// data) and the repository's sample objects (sample/incoming/orders, a few KB: each is one piece). For
// each input and level it reports the output as a percentage of the input's bytes (out-%) and the MiB of
// input compressed per CPU second (MiB/cpu-s; one goroutine, so a busy machine slows it less than wall
// time). Run it with -benchtime 1x; the sample objects are too small for their speed to mean much.
func BenchmarkCompressionLevels(b *testing.B) {
	for _, src := range levelSources(b) {
		pieces := src.pieces(b)
		for _, level := range []int{1, 2, 3, 4, 5, 6, 7, 9} {
			b.Run(fmt.Sprintf("%s/level=%d", src.name, level), func(b *testing.B) {
				ws := (*compressorPool)(nil).get(level)
				var out int64
				var cpu time.Duration
				for b.Loop() {
					start := cpuTime()
					out = 0
					for _, object := range pieces {
						out += int64(len(gzipHeader(level)) + 8) // header and trailer
						for i, piece := range object {
							out += int64(len(compressPiece(ws, piece, i == len(object)-1)))
						}
					}
					cpu += cpuTime() - start
				}
				b.ReportMetric(100*float64(out)/float64(src.size), "out-%")
				b.ReportMetric(float64(src.size)/(1<<20)*float64(b.N)/cpu.Seconds(), "MiB/cpu-s")
			})
		}
	}
}

// compressPiece compresses one piece of lines as a worker does, into the worker's reused buffer.
func compressPiece(ws *worker, lines []byte, last bool) []byte {
	ws.sink.b = ws.sink.b[:0]
	ws.fw.Reset(&ws.sink)
	_, _ = ws.fw.Write(lines)
	if last {
		_ = ws.fw.Close()
	} else {
		_ = ws.fw.Flush()
	}
	return ws.sink.b
}

// pieces returns the lines of each object cut where the pipeline cuts them into chunks.
func (s *levelSource) pieces(b *testing.B) [][][]byte {
	var all [][][]byte
	for key, data := range s.objects {
		typ, err := records.Detect(key)
		if err != nil {
			b.Fatal(err)
		}
		enc := newEncoder(s.schema)
		var object [][]byte
		var lines []byte
		text, rows := 0, 0
		rd := records.NewReader(bytes.NewReader(data), typ, s.schema)
		for {
			rec, err := rd.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				b.Fatalf("%s: %v", key, err)
			}
			if text >= chunkText || rows >= chunkRows {
				object, lines, text, rows = append(object, lines), nil, 0, 0
			}
			if lines, err = enc.appendRecord(lines, rec); err != nil {
				b.Fatalf("%s: %v", key, err)
			}
			for _, v := range rec.Values {
				text += len(v.Text)
			}
			rows++
		}
		all = append(all, append(object, lines))
	}
	return all
}

func levelSources(b *testing.B) []levelSource {
	bench, err := schema.Parse([]byte(benchSchema))
	if err != nil {
		b.Fatal(err)
	}
	size, open := s3test.Rows(benchHeader, benchRows(16<<20), benchRow)
	generated, err := io.ReadAll(open())
	if err != nil {
		b.Fatal(err)
	}
	doc, err := fs.ReadFile(sample.FS, "schemas/orders.json")
	if err != nil {
		b.Fatal(err)
	}
	orders, err := schema.Parse(doc)
	if err != nil {
		b.Fatal(err)
	}
	varied := variedOrders(16 << 20)
	samples := map[string][]byte{}
	var sampleSize int64
	entries, err := fs.ReadDir(sample.FS, "incoming/orders")
	if err != nil {
		b.Fatal(err)
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "bad-") { // the objects validation refuses
			continue
		}
		data, err := fs.ReadFile(sample.FS, "incoming/orders/"+e.Name())
		if err != nil {
			b.Fatal(err)
		}
		samples[e.Name()] = data
		sampleSize += int64(len(data))
	}
	return []levelSource{
		{name: "bench-csv", schema: bench, objects: map[string][]byte{"bench.csv": generated}, size: size},
		{name: "varied-orders-csv", schema: orders, objects: map[string][]byte{"orders.csv": varied}, size: int64(len(varied))},
		{name: "sample-objects", schema: orders, objects: samples, size: sampleSize},
	}
}

// variedOrders generates about size bytes of CSV for the sample orders schema with values drawn at random
// (seeded, so always the same bytes): orders of one to four lines by customers of a few thousand email
// addresses, products of six families, prices, the three currencies, the four statuses, gifts and times
// that move forward by up to 40 s, a note on one line in four.
func variedOrders(size int) []byte {
	rng := rand.New(rand.NewPCG(1, 2))
	first := strings.Fields("ana john mei lukas priya tom sofia omar li fatima carlos emma noah olivia liam ava yuki ivan chen aisha pierre marta kofi sven lucia raj hana diego nora felix")
	last := strings.Fields("silva okafor wang becker sharma smith rossi haddad li khan garcia jones brown martin kim tanaka petrov zhang ali dubois nowak mensah larsen lopez patel sato fernandez berg weber novak")
	domains := strings.Fields("example.com example.org example.net mail.example.de example.in shop.example.co.uk example.fr example.jp")
	families := strings.Fields("TEA CUP POT MUG KET BOX")
	notes := []string{`"Leave at the door, please"`, `"Gift wrap: ""Happy birthday!"""`, "Customer changed their mind", "Call before delivery",
		"Fragile", "Deliver after 6pm", "Second attempt", "Address corrected by support"}
	out := []byte("order_id,line,customer_email,sku,quantity,unit_price,currency,status,gift,order_date,created_at,note\n")
	at := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	for order := 100001; len(out) < size; order++ {
		at = at.Add(time.Duration(rng.IntN(40)) * time.Second)
		email := first[rng.IntN(len(first))]
		if rng.IntN(2) == 0 {
			email += "." + last[rng.IntN(len(last))]
		} else {
			email += strconv.Itoa(rng.IntN(1000))
		}
		email += "@" + domains[rng.IntN(len(domains))]
		currency, status := [...]string{"EUR", "USD", "GBP"}[rng.IntN(3)], [...]string{"new", "paid", "shipped", "cancelled"}[rng.IntN(4)]
		gift := [...]string{"true", "false", ""}[rng.IntN(3)]
		for line := range 1 + rng.IntN(4) {
			out = fmt.Appendf(out, "ORD-%06d,%d,%s,%s-%04d,%d,%d.%02d,%s,%s,%s,%s,%s,", order%1000000, line+1, email,
				families[rng.IntN(len(families))], rng.IntN(2000), 1+rng.IntN(20), rng.IntN(200), rng.IntN(100),
				currency, status, gift, at.Format(time.DateOnly), at.Format(time.RFC3339))
			if rng.IntN(4) == 0 {
				out = append(out, notes[rng.IntN(len(notes))]...)
			}
			out = append(out, '\n')
		}
	}
	return out
}

// TestVariedOrdersAreValid checks that every generated order passes the sample schema, so that
// BenchmarkCompressionLevels measures what the task would stage.
func TestVariedOrdersAreValid(t *testing.T) {
	doc, err := fs.ReadFile(sample.FS, "schemas/orders.json")
	if err != nil {
		t.Fatal(err)
	}
	s, err := schema.Parse(doc)
	if err != nil {
		t.Fatal(err)
	}
	rd := records.NewReader(bytes.NewReader(variedOrders(64<<10)), records.Type{Format: records.CSV}, s)
	enc := newEncoder(s)
	n := 0
	for ; ; n++ {
		rec, err := rd.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if _, err := enc.appendRecord(nil, rec); err != nil {
			t.Fatalf("record %d: %v", n+1, err)
		}
	}
	if n < 500 {
		t.Errorf("got %d records from 64 KiB, want at least 500", n)
	}
}
