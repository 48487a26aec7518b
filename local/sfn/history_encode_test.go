package sfn

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/klauspost/compress/gzip"

	"github.com/sluicehq/sluice/asl/interp"
	"github.com/sluicehq/sluice/internal/jsonvalue"
)

// chainDefinition is the definition of sfnload's chainN: n Pass states with Parameters and ResultPath.
func chainDefinition(tb testing.TB, n int) []byte {
	tb.Helper()
	states := map[string]any{}
	for i := range n {
		st := map[string]any{"Type": "Pass", "ResultPath": "$.acc", "Parameters": map[string]any{
			"step": i, "prev.$": "$.acc.step", "id.$": "$.id", "tags.$": "$.tags", "const": fmt.Sprint("s", i),
			"nested": map[string]any{"who.$": "$.user.name"}, "execName.$": "$$.Execution.Name"}}
		if i == n-1 {
			st["End"] = true
		} else {
			st["Next"] = fmt.Sprintf("Step%02d", i+1)
		}
		states[fmt.Sprintf("Step%02d", i)] = st
	}
	def, err := json.Marshal(map[string]any{"StartAt": "Step00", "States": states})
	if err != nil {
		tb.Fatal(err)
	}
	return def
}

// chainBlob runs a chain of n Pass states (as ../shared/bench/sfnload's chainN) and returns its blob.
func chainBlob(tb testing.TB, n int) *historyBlob {
	tb.Helper()
	def := chainDefinition(tb, n)
	s, err := New()
	if err != nil {
		tb.Fatal(err)
	}
	defer s.Close()
	ctx := tb.Context()
	if _, err := s.createStateMachine(ctx, fmt.Appendf(nil, `{"name":"chain","definition":%q,"roleArn":"arn:aws:iam::000000000000:role/r"}`, def)); err != nil {
		tb.Fatal(err)
	}
	const machine = "arn:aws:states:us-east-1:000000000000:stateMachine:chain"
	arn, err := s.Start(ctx, machine, "e1", `{"id":"order-1","user":{"name":"ada <&> \u2028"},"tags":["a","b","c"],"acc":{"step":-1}}`)
	if err != nil {
		tb.Fatal(err)
	}
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if _, err := s.Wait(wctx, arn); err != nil {
		tb.Fatal(err)
	}
	f, ok := s.history.lookup(machine, "e1")
	if !ok {
		tb.Fatal("the execution is not in the history store")
	}
	b, err := s.history.load(f)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// tricky is a string with every kind of character a JSON encoder treats apart.
const tricky = "q\"b\\n\nr\rt\tc\x01\x1f<>&\u2028\u2029\u00e9\U0001F600 bad\xff\xfe end"

// fill sets every field of the value v points to, strings to tricky, recursively (pointers, slices and
// maps get one element).
func fill(v reflect.Value, depth int) {
	if depth > 6 {
		return
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(tricky)
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(7)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(7)
	case reflect.Float32, reflect.Float64:
		v.SetFloat(1.5)
	case reflect.Pointer:
		p := reflect.New(v.Type().Elem())
		fill(p.Elem(), depth+1)
		v.Set(p)
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			v.Set(reflect.ValueOf(time.Date(2024, 3, 1, 12, 0, 0, 123456789, time.UTC)))
			return
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(v.Field(i), depth+1)
			}
		}
	case reflect.Slice:
		s := reflect.MakeSlice(v.Type(), 1, 1)
		fill(s.Index(0), depth+1)
		v.Set(s)
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
		fill(k, depth+1)
		fill(e, depth+1)
		m.SetMapIndex(k, e)
		v.Set(m)
	}
}

// everyDetail is a blob with an event for each kind of details (the state events once without and once
// with assigned variables), and one event with two details, every field set.
func everyDetail() *historyBlob {
	b := &historyBlob{}
	fill(reflect.ValueOf(&b.Execution).Elem(), 0)
	fill(reflect.ValueOf(&b.End).Elem(), 0)
	b.Redrive = &interp.Snapshot{State: "S", StateInput: map[string]any{"k": tricky}, Variables: map[string]any{"v": json.Number("1")}}
	ts := time.Date(2024, 3, 1, 12, 0, 0, 120000000, time.UTC)
	for i, f := range eventDetails {
		ev := interp.HistoryEvent{ID: int64(i + 1), PreviousEventID: int64(i), Timestamp: ts.Add(time.Duration(i) * time.Millisecond), Type: interp.EventType(tricky)}
		fill(reflect.ValueOf(&ev).Elem().Field(f.index), 0)
		b.Events = append(b.Events, ev)
	}
	plain := interp.HistoryEvent{ID: 100, Timestamp: ts, Type: interp.PassStateExited,
		StateEnteredEventDetails: &interp.StateEnteredEventDetails{Name: "n", Input: `{"a":"<b>"}`},
		StateExitedEventDetails:  &interp.StateExitedEventDetails{Name: "n", Output: `{}`}}
	started := interp.HistoryEvent{ID: 102, Timestamp: ts, Type: interp.ExecutionStarted, // the optional members left out
		ExecutionStartedEventDetails: &interp.ExecutionStartedEventDetails{Input: `{"a":"<b>"}`}}
	return b.withEvents(plain, started, interp.HistoryEvent{ID: 101, Timestamp: time.Date(2024, 3, 1, 12, 0, 0, 0, time.FixedZone("x", 3600)), Type: interp.PassStateEntered,
		StateEnteredEventDetails: &interp.StateEnteredEventDetails{Name: "m", InputDetails: interp.DataDetails{Truncated: true}}})
}

// payloads is a blob whose payloads repeat, or not, as blobWriter.payload tells apart: the same text
// twice, another of the same length, the first again, and short ones.
func payloads() *historyBlob {
	a := `{"a":"` + strings.Repeat("x<\"y", 20) + `"}`
	b := strings.Replace(a, "x", "z", 1)
	ts := time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)
	entered := func(id int64, in string) interp.HistoryEvent {
		return interp.HistoryEvent{ID: id, Timestamp: ts, Type: interp.PassStateEntered, StateEnteredEventDetails: &interp.StateEnteredEventDetails{Name: "s", Input: in}}
	}
	exited := func(id int64, out string) interp.HistoryEvent {
		return interp.HistoryEvent{ID: id, Timestamp: ts, Type: interp.PassStateExited, StateExitedEventDetails: &interp.StateExitedEventDetails{Name: "s", Output: out}}
	}
	return &historyBlob{
		End: endRecord{Status: "SUCCEEDED", Output: a, Stop: ts},
		Events: []interp.HistoryEvent{entered(1, a), exited(2, a), entered(3, b), exited(4, a), entered(5, "{}"), exited(6, "{}"), entered(7, a[:31]), exited(8, a[:31]),
			{ID: 9, Timestamp: ts, Type: interp.ExecutionSucceeded, ExecutionSucceededEventDetails: &interp.OutputEventDetails{Output: a}}},
	}
}

func (b *historyBlob) withEvents(evs ...interp.HistoryEvent) *historyBlob {
	b.Events = append(b.Events, evs...)
	return b
}

// TestAppendBlob: appendBlob's text decodes to what encoding/json's does, both as a historyBlob and as
// any JSON value (the same members, with the same values).
func TestAppendBlob(t *testing.T) {
	if !eventsByHand || !stateDetailsByHand || !startedByHand || !endByHand || !executionByHand {
		t.Fatalf("interp.HistoryEvent, its details, endRecord or executionRecord changed shape (eventsByHand %v, stateDetailsByHand %v, startedByHand %v, endByHand %v, executionByHand %v): update blobWriter",
			eventsByHand, stateDetailsByHand, startedByHand, endByHand, executionByHand)
	}
	tests := []struct {
		name string
		blob *historyBlob
	}{
		{"chain20", chainBlob(t, 20)},
		{"every detail", everyDetail()},
		{"payloads repeated", payloads()},
		{"no events", &historyBlob{End: endRecord{Status: "SUCCEEDED"}}},
		{"redriven, on an alias", &historyBlob{Execution: executionRecord{Arn: "a", Definition: "{}", Input: `{"x":"<&>"}`, Start: time.Date(2024, 3, 1, 12, 0, 0, 5, time.UTC),
			RedriveCount: 2, RedriveDate: time.Date(2024, 3, 2, 0, 0, 0, 0, time.FixedZone("x", -3600)), RedriveTokens: []redriveToken{{Token: "t"}}, AliasArn: "arn:alias"},
			End: endRecord{Status: "FAILED", Error: "E", Cause: "c"}}},
		{"empty events", &historyBlob{Events: []interp.HistoryEvent{}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := appendBlob(nil, tt.blob)
			if err != nil {
				t.Fatal(err)
			}
			want, err := json.Marshal(tt.blob)
			if err != nil {
				t.Fatal(err)
			}
			var gotAny, wantAny any
			if err := json.Unmarshal(got, &gotAny); err != nil {
				t.Fatalf("appendBlob wrote invalid JSON: %v\n%s", err, got)
			}
			if err := json.Unmarshal(want, &wantAny); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(gotAny, wantAny); diff != "" {
				t.Errorf("appendBlob as JSON (-got +want):\n%s", diff)
			}
			var gotBlob, wantBlob historyBlob
			if err := json.Unmarshal(got, &gotBlob); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(want, &wantBlob); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(gotBlob, wantBlob); diff != "" {
				t.Errorf("appendBlob as a historyBlob (-got +want):\n%s", diff)
			}
		})
	}
}

func TestAppendBlobRefusesOutOfRangeTimestamp(t *testing.T) {
	far := time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, b := range []*historyBlob{
		{Events: []interp.HistoryEvent{{ID: 1, Timestamp: far}}},
		{Execution: executionRecord{Start: far}},
		{Execution: executionRecord{RedriveDate: far}},
		{End: endRecord{Stop: far}},
	} {
		_, gotErr := appendBlob(nil, b)
		_, wantErr := json.Marshal(b)
		if gotErr == nil || wantErr == nil {
			t.Errorf("appendBlob error %v, encoding/json's %v: want both", gotErr, wantErr)
		}
	}
}

// FuzzAppendString: jsonvalue.AppendStringJS writes valid JSON that decodes to what encoding/json's text does.
func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "plain", tricky, "\x00", "\u2028", "\xed\xa0\x80", `{"a":[1,"<&>"]}`, "\xf0\x9f\x98"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := jsonvalue.AppendStringJS(nil, s)
		want, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		var g, w string
		if err := json.Unmarshal(got, &g); err != nil {
			t.Fatalf("jsonvalue.AppendStringJS(%q) = %s: invalid JSON: %v", s, got, err)
		}
		if err := json.Unmarshal(want, &w); err != nil {
			t.Fatal(err)
		}
		if g != w {
			t.Errorf("jsonvalue.AppendStringJS(%q) decodes to %q, encoding/json's text to %q", s, g, w)
		}
	})
}

// BenchmarkHistoryBlob measures encoding a finished chain20 execution: its text (encoding/json, as earlier
// versions did, and appendBlob) and compressing it.
func BenchmarkHistoryBlob(b *testing.B) {
	blob := chainBlob(b, 20)
	raw, err := json.Marshal(blob)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("encoding-json", func(b *testing.B) {
		b.SetBytes(int64(len(raw)))
		for b.Loop() {
			if _, err := json.Marshal(blob); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("appendBlob", func(b *testing.B) {
		b.SetBytes(int64(len(raw)))
		var buf []byte
		for b.Loop() {
			if buf, err = appendBlob(buf[:0], blob); err != nil {
				b.Fatal(err)
			}
		}
	})
	// Compressing the text: gzip at its fastest level, as earlier versions did, and compressBlob.
	b.Run("gzip", func(b *testing.B) {
		var buf bytes.Buffer
		zw, err := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
		if err != nil {
			b.Fatal(err)
		}
		b.SetBytes(int64(len(raw)))
		for b.Loop() {
			buf.Reset()
			zw.Reset(&buf)
			zw.Write(raw)
			zw.Close()
		}
		b.ReportMetric(float64(buf.Len()), "blob-bytes")
	})
	b.Run("compressBlob", func(b *testing.B) {
		b.SetBytes(int64(len(raw)))
		var out []byte
		for b.Loop() {
			out = compressBlob(out[:0], raw)
		}
		b.ReportMetric(float64(len(out)), "blob-bytes")
	})
}

// gzipBlob is a blob as versions before S2 wrote it: encoding/json's text, gzipped.
func gzipBlob(tb testing.TB, b *historyBlob) []byte {
	tb.Helper()
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
	if err != nil {
		tb.Fatal(err)
	}
	if err := json.NewEncoder(zw).Encode(b); err != nil {
		tb.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

func TestBlobText(t *testing.T) {
	text := []byte(`{"ex":{"name":"` + strings.Repeat("abc", 100) + `"}}` + "\n")
	s2Blob := compressBlob(nil, text)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(text)
	zw.Close()
	flip := func(b []byte, i int) []byte {
		c := bytes.Clone(b)
		c[i] ^= 0x40
		return c
	}
	tests := []struct {
		name    string
		blob    []byte
		wantErr bool
	}{
		{"s2", s2Blob, false},
		{"gzip, as earlier versions wrote", gz.Bytes(), false},
		{"s2, checksum damaged", flip(s2Blob, len(blobMagic)+1), true},
		{"s2, data damaged", flip(s2Blob, len(s2Blob)-3), true},
		{"s2, cut short", s2Blob[:len(s2Blob)-5], true},
		{"s2, header only", []byte(blobMagic + "\x01\x02"), true},
		{"gzip, data damaged", flip(gz.Bytes(), gz.Len()-12), true},
		{"gzip, cut short", gz.Bytes()[:gz.Len()-4], true},
		{"neither", []byte("plain text"), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := blobText(tt.blob, nil)
			if tt.wantErr {
				if err == nil {
					t.Errorf("blobText: got %q and no error, want an error", got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(string(got), string(text)); diff != "" {
				t.Errorf("blobText (-got +want):\n%s", diff)
			}
		})
	}
}

// FuzzBlobText: blobText never panics, and what it accepts of a blob in an S2 format matches its
// checksum; so does definitionText.
func FuzzBlobText(f *testing.F) {
	f.Add(compressBlob(nil, []byte(`{"ex":{}}`)), []byte(nil))
	f.Add([]byte(blobMagic), []byte(nil))
	f.Add([]byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff}, []byte(nil))
	def := appendDefinitionRecord(nil, `{"StartAt":"A"}`)
	shared := sharedBlob(f, `{"ex":{"definition":}}`, len(`{"ex":{"definition":`), 0, uint32(len(def)))
	f.Add(shared, def)
	f.Add(shared[:sharedHeader], def[:len(defMagic)+4])
	f.Fuzz(func(t *testing.T, blob, defRec []byte) {
		var defText []byte
		text, err := blobText(blob, func(off int64, size uint32) ([]byte, error) {
			dt, err := definitionText(defRec)
			defText = dt
			return dt, err
		})
		if dt, err := definitionText(defRec); err == nil && crc32.Checksum(dt, castagnoli) != binary.LittleEndian.Uint32(defRec[len(defMagic):]) {
			t.Errorf("definitionText accepted a record whose text does not match its checksum")
		}
		switch {
		case err != nil:
		case bytes.HasPrefix(blob, []byte(blobMagicShared)):
			splice := binary.LittleEndian.Uint32(blob[20:])
			rest := slices.Concat(text[:splice], text[int(splice)+len(defText):])
			if !bytes.Equal(text[splice:int(splice)+len(defText)], defText) {
				t.Errorf("blobText did not put the definition at %d", splice)
			}
			if crc32.Update(crc32.Checksum(rest, castagnoli), castagnoli, blob[8:sharedHeader]) != binary.LittleEndian.Uint32(blob[4:]) {
				t.Errorf("blobText accepted a shared blob whose text does not match its checksum")
			}
		case bytes.HasPrefix(blob, []byte(blobMagic)):
			if crc32.Checksum(text, castagnoli) != binary.LittleEndian.Uint32(blob[len(blobMagic):]) {
				t.Errorf("blobText accepted a blob whose text does not match its checksum")
			}
		}
	})
}

// sharedBlob returns the shared blob of a text without its definition, referring to a definition record
// at off.
func sharedBlob(tb testing.TB, rest string, splice int, off int64, size uint32) []byte {
	tb.Helper()
	e := encodedBlob{data: compressSharedBlob(nil, []byte(rest), splice), definition: "x", crc: crc32.Checksum([]byte(rest), castagnoli)}
	e.refer(off, size)
	return e.data
}

// TestSharedBlobText: a blob written without its definition reads back whole, with the definition from
// its record; damage to the blob, its header or the record is an error.
func TestSharedBlobText(t *testing.T) {
	def := `{"StartAt":"A","Comment":"` + strings.Repeat("<&>\"", 50) + `"}`
	b := &historyBlob{Execution: executionRecord{Name: "e1", Definition: def}}
	text, splice, err := appendBlobText(nil, b, false)
	if err != nil {
		t.Fatal(err)
	}
	full, err := appendBlob(nil, b)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(slices.Concat(text[:splice], jsonvalue.AppendStringJS(nil, def), text[splice:])), string(full)); diff != "" {
		t.Fatalf("text without the definition, spliced (-got +want):\n%s", diff)
	}
	rec := appendDefinitionRecord(nil, def)
	const recOff = 100
	blob := sharedBlob(t, string(text), splice, recOff, uint32(len(rec)))
	read := func(rec []byte) definitionReader {
		return func(off int64, size uint32) ([]byte, error) {
			if off != recOff || size != uint32(len(rec)) {
				return nil, fmt.Errorf("definition record asked at %d+%d, want %d+%d", off, size, recOff, len(rec))
			}
			return definitionText(rec)
		}
	}
	flip := func(b []byte, i int) []byte {
		c := bytes.Clone(b)
		c[i] ^= 0x40
		return c
	}
	tests := []struct {
		name    string
		blob    []byte
		rec     []byte
		wantErr bool
	}{
		{"whole", blob, rec, false},
		{"checksum damaged", flip(blob, 5), rec, true},
		{"record offset damaged", flip(blob, 9), rec, true},
		{"splice damaged", flip(blob, 20), rec, true},
		{"data damaged", flip(blob, len(blob)-3), rec, true},
		{"cut short", blob[:len(blob)-5], rec, true},
		{"header only", blob[:sharedHeader], rec, true},
		{"header cut short", blob[:sharedHeader-1], rec, true},
		{"record damaged", blob, flip(rec, len(rec)-3), true},
		{"record checksum damaged", blob, flip(rec, len(defMagic)+1), true},
		{"record cut short", blob, rec[:len(rec)-2], true},
		{"not a record", blob, append([]byte("\xffSJ1"), rec[4:]...), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := blobText(tt.blob, read(tt.rec))
			if tt.wantErr {
				if err == nil {
					t.Errorf("blobText: got %q and no error, want an error", got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(string(got), string(full)); diff != "" {
				t.Errorf("blobText (-got +want):\n%s", diff)
			}
		})
	}
	if _, err := blobText(blob, nil); err == nil {
		t.Errorf("blobText of a shared blob without a definition reader: no error")
	}
}

// TestGzipBlobsOfEarlierVersionsLoad: a data directory whose history holds blobs written by earlier
// versions (gzip, and S2 with the definition in every blob) beside new ones reads all back, across a
// restart.
func TestGzipBlobsOfEarlierVersionsLoad(t *testing.T) {
	dir := t.TempDir()
	ctx := t.Context()
	const machine = "arn:aws:states:us-east-1:000000000000:stateMachine:greeter"
	s1, err := New(WithDataDir(dir))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s1.createStateMachine(ctx, []byte(`{"name":"greeter","roleArn":"arn:aws:iam::000000000000:role/r","definition":"{\"StartAt\":\"A\",\"States\":{\"A\":{\"Type\":\"Pass\",\"Result\":\"hi\",\"End\":true}}}"}`)); err != nil {
		t.Fatal(err)
	}
	arn, err := s1.Start(ctx, machine, "new", `{"a":1}`)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s1.Wait(ctx, arn); err != nil {
		t.Fatal(err)
	}
	f, ok := s1.history.lookup(machine, "new")
	if !ok {
		t.Fatal("no new execution")
	}
	b, err := s1.history.load(f)
	if err != nil {
		t.Fatal(err)
	}
	// The same execution under other names, stored as earlier versions stored it: gzip, and S2 with the
	// definition in every blob.
	for _, name := range []string{"old", "s2whole"} {
		old := *b
		old.Execution.Name, old.Execution.Arn = name, strings.Replace(b.Execution.Arn, ":new", ":"+name, 1)
		blob := gzipBlob(t, &old)
		if name == "s2whole" {
			text, err := appendBlob(nil, &old)
			if err != nil {
				t.Fatal(err)
			}
			blob = compressBlob(nil, text)
		}
		seg, off, err := s1.history.write(encodedBlob{data: blob})
		if err != nil {
			t.Fatal(err)
		}
		e := indexEntry{Machine: machine, Name: name, Status: old.End.Status, Start: old.Execution.Start.UnixMilli(), Stop: old.End.Stop.UnixMilli(),
			Seg: seg, Off: off, Size: uint32(len(blob))}
		rec, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		if err := s1.history.index.Append(ctx, rec); err != nil {
			t.Fatal(err)
		}
	}
	if err := s1.Close(); err != nil {
		t.Fatal(err)
	}

	s2, err := New(WithDataDir(dir))
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	for _, name := range []string{"new", "old", "s2whole"} {
		v, err := s2.view(strings.Replace(b.Execution.Arn, ":new", ":"+name, 1), true)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if diff := cmp.Diff(v.events, b.Events); diff != "" {
			t.Errorf("%s: history after a restart (-got +want):\n%s", name, diff)
		}
		if v.rec.Definition != b.Execution.Definition || v.rec.Definition == "" {
			t.Errorf("%s: definition %q, want %q", name, v.rec.Definition, b.Execution.Definition)
		}
		if v.end.Output != `"hi"` || v.rec.Name != name {
			t.Errorf("%s: got name %s output %s, want output \"hi\"", name, v.rec.Name, v.end.Output)
		}
	}
}

// FuzzAppendTime holds appendTime to time.Time's RFC 3339 format with nanoseconds.
func FuzzAppendTime(f *testing.F) {
	f.Add(int64(0), int64(0))
	f.Add(int64(1733466472), int64(783218559))
	f.Add(int64(1733466472), int64(120000000))
	f.Add(int64(-62135596800), int64(1))         // year 1
	f.Add(int64(253402300799), int64(999999999)) // the last second of 9999
	f.Fuzz(func(t *testing.T, sec, nsec int64) {
		tm := time.Unix(sec, nsec%1e9).UTC()
		if y := tm.Year(); y < 0 || y > 9999 {
			return
		}
		if got, want := string(appendTime(nil, tm)), tm.Format(time.RFC3339Nano); got != want {
			t.Errorf("appendTime(%v) = %s, want %s", tm, got, want)
		}
		local := tm.In(time.FixedZone("x", 5400))
		if got, want := string(appendTime(nil, local)), local.Format(time.RFC3339Nano); got != want {
			t.Errorf("appendTime(%v) = %s, want %s", local, got, want)
		}
	})
}

func TestEscapedCache(t *testing.T) {
	var c escapedCache
	for _, s := range []string{tricky, tricky, "other", "", "", tricky} {
		if got, want := string(c.append([]byte("x"), s)), "x"+string(jsonvalue.AppendStringJS(nil, s)); got != want {
			t.Errorf("append(%q) = %s, want %s", s, got, want)
		}
	}
}

// FuzzExecutionRecord: an execution's record written by hand decodes to what encoding/json's text does,
// and the text without the definition, with the definition's JSON string put at the place returned, is
// the text with it.
func FuzzExecutionRecord(f *testing.F) {
	f.Add("arn", "e1", `{"StartAt":"A"}`, `{"a":"<&>"}`, "", "", int64(1733466472783218559), int64(0), 0)
	f.Add("\xff", "\u2028", "", "", "rev\"1", "arn:alias", int64(-1), int64(1), 1000)
	f.Fuzz(func(t *testing.T, arn, name, def, input, revision, alias string, start, redriven int64, count int) {
		b := &historyBlob{Execution: executionRecord{Arn: arn, Name: name, Definition: def, Input: input, Revision: revision, AliasArn: alias,
			Start: time.Unix(0, start).UTC(), RedriveCount: count}}
		if redriven != 0 {
			b.Execution.RedriveDate = time.Unix(0, redriven).UTC()
		}
		got, err := appendBlob(nil, b)
		want, wantErr := json.Marshal(b)
		if (err == nil) != (wantErr == nil) {
			t.Fatalf("appendBlob error %v, encoding/json's %v", err, wantErr)
		}
		if err != nil {
			return
		}
		var gotBlob, wantBlob historyBlob
		if err := json.Unmarshal(got, &gotBlob); err != nil {
			t.Fatalf("%s: %v", got, err)
		}
		if err := json.Unmarshal(want, &wantBlob); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(gotBlob, wantBlob); diff != "" {
			t.Errorf("(-got +want):\n%s", diff)
		}
		rest, splice, err := appendBlobText([]byte("prefix"), b, false)
		if err != nil {
			t.Fatal(err)
		}
		rest = rest[len("prefix"):]
		if spliced := slices.Concat(rest[:splice], jsonvalue.AppendStringJS(nil, def), rest[splice:]); !bytes.Equal(spliced, got) {
			t.Errorf("spliced:\n%s\nwant\n%s", spliced, got)
		}
	})
}

// FuzzBlobWriterTime: times written one after another (the same second again, another zone, another
// second, one out of range, zones of offset zero other than UTC, the local zone) are each what encoding/json writes, or an error where it has one.
func FuzzBlobWriterTime(f *testing.F) {
	f.Add(int64(1733466472), int64(783218559), int64(120000000), int64(0))
	f.Add(int64(1733466472), int64(0), int64(999999999), int64(1))
	f.Add(int64(253402300799), int64(5), int64(0), int64(1)) // then the first second of 10000
	f.Add(int64(-62135596800), int64(1), int64(2), int64(-1))
	f.Fuzz(func(t *testing.T, sec, ns1, ns2, delta int64) {
		t1 := time.Unix(sec, ns1%1e9).UTC()
		times := []time.Time{t1, t1.In(time.FixedZone("x", -5400)), time.Unix(t1.Unix(), ns2%1e9).UTC(), t1.Add(time.Duration(delta) * time.Second), t1,
			t1.In(time.FixedZone("GMT", 0)), time.Unix(t1.Unix(), ns2%1e9).In(time.Local), t1.In(time.Local), t1}
		var w blobWriter
		for i, tm := range times {
			from := len(w.dst)
			err := w.time(tm)
			want, wantErr := json.Marshal(tm)
			if (err == nil) != (wantErr == nil) {
				t.Fatalf("time %d (%v): error %v, encoding/json's %v", i, tm, err, wantErr)
			}
			if err != nil {
				w.dst = w.dst[:from]
				continue
			}
			if got := string(w.dst[from:]); got != string(want) {
				t.Errorf("time %d (%v): got %s, want %s", i, tm, got, want)
			}
		}
	})
}
