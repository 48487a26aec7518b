package validate

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"testing/iotest"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/sluicehq/sluice/tasks"
	"github.com/sluicehq/sluice/tasks/records"
	"github.com/sluicehq/sluice/tasks/schema"
)

// checkBoth checks body as a plain CSV object with the CSV path (chunks of chunk bytes) and with the
// records reader alone, the definition, and returns both reports. size is what the response announces
// (-1: unknown).
func checkBoth(t testing.TB, doc string, body []byte, size int64, chunk int, maxRecord int64, workers int) (got, want tasks.Report) {
	t.Helper()
	got, want, _ = checkBothCount(t, doc, body, size, chunk, maxRecord, workers)
	return got, want
}

// checkBothCount is checkBoth, also returning how many times the records reader took over on the CSV path.
func checkBothCount(t testing.TB, doc string, body []byte, size int64, chunk int, maxRecord int64, workers int) (got, want tasks.Report, handOvers int64) {
	t.Helper()
	sch, err := schema.Parse([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	typ := records.Type{Format: records.CSV}
	run := func(h *Handler) tasks.Report {
		m := newMeter(iotest.HalfReader(bytes.NewReader(body)), sch.Limits.MaxBytes, size)
		defer m.close()
		var rep report
		rd := records.NewReader(m, typ, sch, records.WithMaxRecordBytes(h.maxRecordBytes))
		ref := tasks.ObjectRef{Bucket: bucket, Key: "incoming/t/a.csv"}
		if h.recordsOnly {
			err = h.scan(ref, m, rd, sch, &rep, resume{})
		} else {
			err = h.scanCSV(ref, m, typ, sch, &rep)
		}
		if err != nil {
			t.Fatalf("check (records only %v): %v", h.recordsOnly, err)
		}
		return rep.done()
	}
	fast := New(nil, WithWorkers(workers), WithMaxRecordBytes(maxRecord))
	fast.chunkBytes = chunk
	old := New(nil, WithWorkers(workers), WithMaxRecordBytes(maxRecord))
	old.recordsOnly = true
	got, want = run(fast), run(old)
	if max := sch.Limits.MaxRows; max > 0 && want.Rows == max && want.SHA256 == "" {
		// Stopped at maxRows (or maxBytes): the bytes read before stopping at maxRows depend on how far
		// each path reads ahead.
		got.Bytes, want.Bytes = 0, 0
	}
	return got, want, fast.handOvers.Load()
}

// diffSchema has a column of each kind of check, one column left out of most headers, and limits.
const diffSchema = `{"name":"t","limits":{"maxBytes":%d,"maxRows":%d},"csv":{"delimiter":%q},"columns":[
	{"name":"id","type":"string","required":true,"pattern":"[a-z]+"},
	{"name":"n","type":"integer","nullable":true,"min":0,"max":10},
	{"name":"kind","type":"string","nullable":true,"enum":["x","y"]},
	{"name":"at","type":"timestamp","nullable":true},
	{"name":"price","type":"number","nullable":true},
	{"name":"note","type":"string","nullable":true,"maxLength":8}]}`

// csvPieces are the rows (after a header id,n,kind,at,price or a permutation) random objects are made of:
// valid and invalid values, blank lines, line breaks of both kinds, quotes well and badly placed, bad
// UTF-8, a wrong number of fields.
var csvPieces = []string{
	"a,1,x,2024-01-01T00:00:00Z,1.5\n",
	"b,,,,\n",
	"abc,10,y,,-0.25\r\n",
	"A,1,x,,\n",
	"a,11,z,2024-13-01,x\n",
	",1,,,\n",
	"a,1,x\n",
	"a,1,x,,,,\n",
	"\n",
	"\r\n",
	"  \n",
	"a , 2 , x ,  , 3\n",
	"a,1,x,,\r\r\n",
	"\"a\",1,x,,\n",
	"\"a\nb\",1,,,\n",
	"\"a\"\"b\",1,,,\n",
	"a\"b,1,,,\n",
	"\"a\"b,1,,,\n",
	"\"unterminated,1,,,\n",
	"a,\xe2\x28\xa1,,,\n",
	"\xc3\xa9,1,,,\n",
	"é,1,,,\n",
	"a,1,x,,1e3\n",
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa,1,,,\n",
	"a,1,x,,",
}

// quotedPieces are well-formed rows with quotes.
var quotedPieces = []string{
	"\"a\",1,x,,\n",
	"\"a\nb\",1,,,\n",
	"\"a\r\n\nb\",1,,,\r\n",
	"\"a\"\"b\",\"1\",,,\n",
	"a,\"\",\"x\",,\"2.5\"\n",
	"\"a,b\",1,,,\n",
	"\"A\",11,,,\n",
	"\"\"\"\",,,,\n",
}

// randomCSV makes an object of n pieces, mostly the first (valid) ones, with rare others; with quoted,
// a third of them well-formed rows with quotes.
func randomCSV(r *rand.Rand, delim string, n int, quoted bool) []byte {
	var b strings.Builder
	headers := []string{"id,n,kind,at,price\n", "at,kind,id,price,n\n", "id,n,kind,at,price\r\n", "\xef\xbb\xbfid,n,kind,at,price\n", "\nid, n ,kind,at,price\n", "id,n,kind,at,price,note\n"}
	h := headers[r.IntN(len(headers))]
	if r.IntN(4) > 0 {
		h = headers[0]
	}
	b.WriteString(strings.ReplaceAll(h, ",", delim))
	for range n {
		p := csvPieces[r.IntN(4)]
		if quoted && r.IntN(3) == 0 {
			p = quotedPieces[r.IntN(len(quotedPieces))]
		}
		if r.IntN(20) == 0 {
			p = csvPieces[r.IntN(len(csvPieces))]
		}
		b.WriteString(strings.ReplaceAll(p, ",", delim))
	}
	return []byte(b.String())
}

// TestCSVPathMatchesRecordsReader compares the CSV path's reports with the records reader's on random
// objects, with chunks small enough to cut most objects many times and record limits near the rows'
// length.
func TestCSVPathMatchesRecordsReader(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	n := 600
	if testing.Short() {
		n = 150
	}
	for i := range n {
		delim := []string{",", ";", "\t", "|"}[r.IntN(4)]
		body := randomCSV(r, delim, r.IntN(200), i%2 == 1)
		maxBytes := []int64{0, 0, int64(len(body)), int64(len(body)) - 1, int64(r.IntN(len(body) + 1))}[r.IntN(5)]
		maxRows := []int64{0, 0, 1, int64(r.IntN(100))}[r.IntN(4)]
		doc := fmt.Sprintf(diffSchema, maxBytes, maxRows, delim)
		chunk := []int{1, 7, 64, 100, 333, 4096, chunkBytes}[r.IntN(7)]
		maxRecord := []int64{records.DefaultMaxRecordBytes, 40, 60, 95, 200}[r.IntN(5)]
		size := []int64{int64(len(body)), -1}[r.IntN(2)]
		workers := 1 + r.IntN(3)
		got, want := checkBoth(t, doc, body, size, chunk, maxRecord, workers)
		if diff := cmp.Diff(got, want); diff != "" {
			t.Fatalf("object %d (delimiter %q, maxBytes %d, maxRows %d, chunk %d, maxRecord %d, size %d, workers %d) %q:\nreport (-got +want):\n%s",
				i, delim, maxBytes, maxRows, chunk, maxRecord, size, workers, body, diff)
		}
	}
}

// TestCSVPathCases compares the two paths on objects that put each rule at a chunk's edge.
func TestCSVPathCases(t *testing.T) {
	rows := strings.Repeat("a,1,x,,\n", 40)
	tests := []struct {
		name string
		body string
	}{
		{"valid", "id,n,kind,at,price\n" + rows},
		{"no final line feed", "id,n,kind,at,price\n" + rows + "b,2,y,,"},
		{"final carriage return", "id,n,kind,at,price\n" + rows + "b,2,y,,\r"},
		{"blank lines everywhere", "\n\r\nid,n,kind,at,price\n\n\n" + strings.ReplaceAll(rows, "\n", "\n\n\r\n") + "\n\n"},
		{"quote late", "id,n,kind,at,price\n" + rows + "\"q\",1,,,\n" + rows},
		{"quoted line break late", "id,n,kind,at,price\n" + rows + "\"q\nr\",1,,,\n" + rows},
		{"bad quote late", "id,n,kind,at,price\n" + rows + "q\"r,1,,,\n" + rows},
		{"bad utf8 late", "id,n,kind,at,price\n" + rows + "q\xff,1,,,\n" + rows},
		{"truncated utf8 at the end", "id,n,kind,at,price\n" + rows + "q\xe2\x82"},
		{"long row late", "id,n,kind,at,price\n" + rows + strings.Repeat("a", 300) + ",1,,,\n" + rows},
		{"columns", "id,n,kind,at,price\n" + rows + "a,1\n" + rows},
		{"values", "id,n,kind,at,price\n" + strings.Repeat("A,11,z,x,y\n", 60)},
		{"header only", "id,n,kind,at,price\n"},
		{"header without line feed", "id,n,kind,at,price"},
		{"empty", ""},
		{"bad header", "id,zz\n" + rows},
		{"quoted header", "\"id\",n,kind,at,price\n" + rows},
		{"byte order mark", "\xef\xbb\xbfid,n,kind,at,price\n" + rows},
	}
	for _, tt := range tests {
		for _, chunk := range []int{1, 16, 100, 4096} {
			for _, maxRecord := range []int64{200, records.DefaultMaxRecordBytes} {
				for _, maxRows := range []int{0, 39, 40, 41} {
					for _, maxBytes := range []int{0, len(tt.body) - 1, len(tt.body)} {
						name := fmt.Sprintf("%s/chunk %d/maxRecord %d/maxRows %d/maxBytes %d", tt.name, chunk, maxRecord, maxRows, maxBytes)
						doc := fmt.Sprintf(diffSchema, max(maxBytes, 0), maxRows, ",")
						got, want := checkBoth(t, doc, []byte(tt.body), int64(len(tt.body)), chunk, maxRecord, 2)
						if diff := cmp.Diff(got, want); diff != "" {
							t.Errorf("%s: report (-got +want):\n%s", name, diff)
						}
					}
				}
			}
		}
	}
}

// FuzzCSVPath compares the CSV path with the records reader on any object.
func FuzzCSVPath(f *testing.F) {
	r := rand.New(rand.NewPCG(3, 4))
	for range 20 {
		f.Add(randomCSV(r, ",", r.IntN(30), true), uint16(r.IntN(200)), uint16(40+r.IntN(200)), uint8(r.IntN(30)), uint16(0))
	}
	f.Add([]byte("id,n,kind,at,price\na,1,x,,\n\"b\nc\",2,,,\n"), uint16(8), uint16(100), uint8(0), uint16(0))
	f.Add([]byte("id,n,kind,at,price\na,1,x,,\nb\xff,2,,,\n"), uint16(3), uint16(100), uint8(0), uint16(30))
	f.Fuzz(func(t *testing.T, body []byte, chunk, maxRecord uint16, maxRows uint8, maxBytes uint16) {
		doc := fmt.Sprintf(diffSchema, maxBytes, maxRows, ",")
		got, want := checkBoth(t, doc, body, int64(len(body)), max(int(chunk), 1), max(int64(maxRecord), 1), 2)
		if diff := cmp.Diff(got, want); diff != "" {
			t.Errorf("%q: report (-got +want):\n%s", body, diff)
		}
	})
}

// TestCSVPathRecordLimit puts the record size limit at, below and above the length of rows, with and
// without blank lines before them (which count toward the next record), at every chunk size.
func TestCSVPathRecordLimit(t *testing.T) {
	row := "abcdefghi\n" // 10 bytes
	bodies := []string{
		"id\n" + strings.Repeat(row, 30),
		"id\n" + strings.Repeat(row, 20) + "\n" + strings.Repeat(row, 10),
		"id\n" + strings.Repeat(row, 20) + "\r\n\n" + strings.Repeat(row, 10),
		"id\n" + strings.Repeat(row+"\n", 30),
		"id\n" + strings.Repeat(row, 29) + strings.TrimSuffix(row, "\n"),
		"id\n" + strings.Repeat("abcdefgh\r\n", 30),
	}
	for i, body := range bodies {
		for chunk := 1; chunk <= 64; chunk++ {
			for maxRecord := int64(9); maxRecord <= 13; maxRecord++ {
				doc := fmt.Sprintf(diffSchema, 0, 0, ",")
				got, want := checkBoth(t, doc, []byte(body), int64(len(body)), chunk, maxRecord+10, 2)
				if diff := cmp.Diff(got, want); diff != "" {
					t.Fatalf("body %d, chunk %d, maxRecord %d: report (-got +want):\n%s", i, chunk, maxRecord, diff)
				}
				got, want = checkBoth(t, doc, []byte(body), int64(len(body)), chunk, maxRecord, 2)
				if diff := cmp.Diff(got, want); diff != "" {
					t.Fatalf("body %d, chunk %d, maxRecord %d: report (-got +want):\n%s", i, chunk, maxRecord, diff)
				}
			}
		}
	}
}

// TestCSVPathKeepsGoing checks that quoted rows, cut across many chunks, are checked on the CSV path
// without handing the object to the records reader, and that a malformed one hands it over once.
func TestCSVPathKeepsGoing(t *testing.T) {
	doc := fmt.Sprintf(diffSchema, 0, 0, ",")
	rows := strings.Repeat("a,1,x,,\n\"b\nc\",2,,,\n\"d,\"\"e\",3,y,,\n\"\",,,,\n", 50)
	tests := []struct {
		name      string
		body      string
		handOvers int64
	}{
		{"quoted rows", "id,n,kind,at,price\n" + rows, 0},
		{"a bare quote", "id,n,kind,at,price\n" + rows + "a\"b,1,,,\n" + rows, 1},
		{"a quoted header", "\"id\",n,kind,at,price\n" + rows, 1},
	}
	for _, tt := range tests {
		for _, chunk := range []int{16, 100, 1000} {
			got, want, handOvers := checkBothCount(t, doc, []byte(tt.body), int64(len(tt.body)), chunk, records.DefaultMaxRecordBytes, 2)
			if diff := cmp.Diff(got, want); diff != "" {
				t.Errorf("%s, chunk %d: report (-got +want):\n%s", tt.name, chunk, diff)
			}
			if handOvers != tt.handOvers {
				t.Errorf("%s, chunk %d: the records reader took over %d times, want %d", tt.name, chunk, handOvers, tt.handOvers)
			}
		}
	}
}

// FuzzSplit compares the rows split eight bytes at a time (split) and with their quotes (splitQuoted,
// for rows it accepts) with bytes.Split.
func FuzzSplit(f *testing.F) {
	f.Add([]byte("a,b,,c"), byte(','))
	f.Add([]byte("ORD-00000001,001,TEA-0001,001,0001.01,USD,false,2024-03-02"), byte(','))
	f.Add([]byte(",,,,,,,,,,,,,,,,,"), byte(','))
	f.Add([]byte("a\tb\t-\t\x01,\x2d"), byte('\t'))
	f.Add([]byte("\"a,b\",\"c\"\"d\",e"), byte(','))
	f.Fuzz(func(t *testing.T, row []byte, d byte) {
		if d == '"' || d == '\n' || d == '\r' || d >= utf8.RuneSelf {
			return
		}
		want := bytes.Split(row, []byte{d})
		c := &csvScan{delim: d}
		for i := range len(want) + 1 { // one field more than the row has: left untouched
			c.colOf = append(c.colOf, i)
		}
		w := &csvWorker{values: make([]schema.Raw, len(c.colOf))}
		var n int
		if bytes.IndexByte(row, '"') < 0 {
			n = c.split(row, w.values)
		} else {
			var ok bool
			if n, ok = c.splitQuoted(row, w); !ok {
				return
			}
			want = unquote(row, d)
		}
		var got, wantText []string
		for _, v := range w.values[:n] {
			got = append(got, v.Text)
		}
		for _, f := range want {
			wantText = append(wantText, string(f))
		}
		if diff := cmp.Diff(got, wantText); diff != "" || w.values[n] != (schema.Raw{}) {
			t.Errorf("%q split at %q: fields (-got +want):\n%s", row, d, diff)
		}
	})
}

// unquote splits a row whose quoted fields are well formed, the slow way.
func unquote(row []byte, d byte) [][]byte {
	var fields [][]byte
	var f []byte
	inQuotes := false
	for i := 0; i < len(row); i++ {
		switch c := row[i]; {
		case inQuotes && c == '"' && i+1 < len(row) && row[i+1] == '"':
			f = append(f, '"')
			i++
		case c == '"':
			inQuotes = !inQuotes
		case !inQuotes && c == d:
			fields = append(fields, f)
			f = nil
		default:
			f = append(f, c)
		}
	}
	return append(fields, f)
}
