package sfn

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"reflect"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/s2"

	"github.com/sluicehq/sluice/asl/interp"
	"github.com/sluicehq/sluice/internal/jsonvalue"
)

// Saving a finished execution encodes its whole history, and encoding/json spent most of that time
// walking each event's three dozen detail fields by reflection, nearly all of them nil. appendBlob writes
// the same JSON document (encoding/json decodes it to the same historyBlob) with the events written by
// hand: their four common fields, and the one or two details an event has, the state events' directly
// and every other kind through encoding/json.

// detailField is one of HistoryEvent's details: its index and its JSON name, quoted, with the colon.
type detailField struct {
	index int
	key   string
}

// eventDetails lists HistoryEvent's detail fields (every field after the first four: pointers, omitted
// when nil). eventsByHand is false when HistoryEvent has a field that is not such a pointer, and the
// events are then encoded by encoding/json whole.
var eventDetails, eventsByHand = func() ([]detailField, bool) {
	t := reflect.TypeFor[interp.HistoryEvent]()
	common := []string{"ID", "PreviousEventID", "Timestamp", "Type"}
	var out []detailField
	for i := range t.NumField() {
		f := t.Field(i)
		if i < len(common) {
			if f.Name != common[i] {
				return nil, false
			}
			continue
		}
		name, opts, _ := cutTag(f.Tag.Get("json"))
		if f.Type.Kind() != reflect.Pointer || name == "" || name == "-" || opts != "omitempty" || !f.IsExported() {
			return nil, false
		}
		out = append(out, detailField{i, strconv.Quote(name) + ":"})
	}
	return out, true
}()

// stateDetailsByHand says whether the details blobWriter.details writes by hand have the fields it writes
// (and no other): if the engine adds one, they are encoded by encoding/json.
var stateDetailsByHand = fieldsAre[interp.StateEnteredEventDetails](`Name string json:"name"`, `Input string json:"input"`, `InputDetails interp.DataDetails json:"inputDetails"`) &&
	fieldsAre[interp.StateExitedEventDetails](`Name string json:"name"`, `Output string json:"output"`, `OutputDetails interp.DataDetails json:"outputDetails"`, `AssignedVariables map[string]string json:"assignedVariables,omitempty"`) &&
	fieldsAre[interp.OutputEventDetails](`Output string json:"output"`, `OutputDetails interp.DataDetails json:"outputDetails"`) &&
	fieldsAre[interp.DataDetails](`Truncated bool json:"truncated"`)

// startedByHand says whether the details of an execution's start have the fields blobWriter.details
// writes (and no other).
var startedByHand = fieldsAre[interp.ExecutionStartedEventDetails](`Input string json:"input"`, `InputDetails interp.DataDetails json:"inputDetails"`,
	`RoleArn string json:"roleArn,omitempty"`, `StateMachineVersionArn string json:"stateMachineVersionArn,omitempty"`,
	`StateMachineAliasArn string json:"stateMachineAliasArn,omitempty"`)

// fieldsAre reports whether T's fields are exactly these: "Name type tag".
func fieldsAre[T any](fields ...string) bool {
	t := reflect.TypeFor[T]()
	if t.NumField() != len(fields) {
		return false
	}
	for i, want := range fields {
		f := t.Field(i)
		if got := fmt.Sprintf("%s %s %s", f.Name, f.Type, f.Tag); got != want {
			return false
		}
	}
	return true
}

func cutTag(tag string) (name, opts string, ok bool) {
	for i := range len(tag) {
		if tag[i] == ',' {
			return tag[:i], tag[i+1:], true
		}
	}
	return tag, "", false
}

// A blob on disk is the JSON text of a historyBlob, compressed with S2 (the block format of
// github.com/klauspost/compress/s2, several times faster than gzip at its fastest level, for about a third
// more bytes) behind a header that holds a CRC-32C, which a read checks. Three kinds are read:
//
//   - blobMagicShared (written now, whenever the definition is not empty): the text
//     without the state machine's definition, which every execution of a machine repeats. The
//     definition is a record of its own (defMagic) in the same segment, written once per segment for
//     each distinct definition, before the first blob that refers to it. Header: the magic, the CRC-32C
//     of the rest of the header and then of the text without the definition, where the definition's
//     record is (offset, 8 bytes, and length, 4), where its JSON string goes in the text (4); all little
//     endian. A damaged definition record makes every blob that refers to it unreadable.
//   - blobMagic (written by earlier versions, and now for an empty definition): the whole text; header:
//     the magic and the CRC-32C of the text (4 bytes, little endian).
//   - gzip members (written by earlier versions still: they begin with 0x1f 0x8b, never with a magic).
const (
	blobMagic       = "\xffSJ1"
	blobMagicShared = "\xffSJ2"
	defMagic        = "\xffSD1"
	// sharedHeader is the length of a blobMagicShared header: magic, CRC, offset, length, splice.
	sharedHeader = 4 + 4 + 8 + 4 + 4
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// blobBuffer is the scratch space of encoding one blob: its text and the compressed blob.
type blobBuffer struct{ text, blob, index []byte }

// blobBuffers are reused, each kept up to maxKeptBlobBuffer bytes.
var blobBuffers = sync.Pool{New: func() any { return new(blobBuffer) }}

const maxKeptBlobBuffer = 1 << 20

// encodedBlob is a blob ready to write: whole, or (definition != "") without its definition, its header
// to be completed by refer once the definition's record has a place.
type encodedBlob struct {
	data       []byte
	definition string
	crc        uint32 // of the text without the definition
}

// encode returns b as a blob, in buf's space: valid until buf is used again.
func (buf *blobBuffer) encode(b *historyBlob) (encodedBlob, error) {
	shared := b.Execution.Definition != ""
	text, splice, err := appendBlobText(buf.text[:0], b, !shared)
	if err != nil {
		return encodedBlob{}, err
	}
	var out encodedBlob
	if shared {
		out = encodedBlob{definition: b.Execution.Definition, crc: crc32.Checksum(text, castagnoli)}
		out.data = compressSharedBlob(buf.blob[:0], text, splice)
	} else {
		out.data = compressBlob(buf.blob[:0], text)
	}
	if cap(text) <= maxKeptBlobBuffer {
		buf.text = text
	}
	if cap(out.data) <= maxKeptBlobBuffer {
		buf.blob = out.data
	}
	return out, nil
}

// compressBlob appends the blob of a text (blobMagic).
func compressBlob(dst, text []byte) []byte {
	dst = append(dst, blobMagic...)
	dst = binary.LittleEndian.AppendUint32(dst, crc32.Checksum(text, castagnoli))
	return appendS2(dst, text)
}

func appendS2(dst, text []byte) []byte {
	n := len(dst)
	dst = slices.Grow(dst, s2.MaxEncodedLen(len(text)))
	return append(dst[:n], s2.Encode(dst[n:cap(dst)], text)...)
}

// compressSharedBlob appends the blob of a text without its definition, whose JSON string goes at splice
// (blobMagicShared); its CRC and the place of the definition's record are left for refer.
func compressSharedBlob(dst, text []byte, splice int) []byte {
	dst = append(dst, blobMagicShared...)
	dst = append(dst, make([]byte, 4+8+4)...)
	dst = binary.LittleEndian.AppendUint32(dst, uint32(splice))
	return appendS2(dst, text)
}

// refer completes a shared blob's header with the place of its definition's record.
func (e encodedBlob) refer(off int64, size uint32) {
	h := e.data[:sharedHeader]
	binary.LittleEndian.PutUint64(h[8:], uint64(off))
	binary.LittleEndian.PutUint32(h[16:], size)
	binary.LittleEndian.PutUint32(h[4:], crc32.Update(e.crc, castagnoli, h[8:]))
}

// appendDefinitionRecord appends the record of a definition (defMagic): its JSON string, compressed.
func appendDefinitionRecord(dst []byte, definition string) []byte {
	text := jsonvalue.AppendStringJS(nil, definition)
	dst = append(dst, defMagic...)
	dst = binary.LittleEndian.AppendUint32(dst, crc32.Checksum(text, castagnoli))
	return appendS2(dst, text)
}

// definitionText returns the JSON string of a definition record, checked against its checksum.
func definitionText(rec []byte) ([]byte, error) {
	rest, ok := bytes.CutPrefix(rec, []byte(defMagic))
	if !ok || len(rest) < 4 {
		return nil, errors.New("not a definition record")
	}
	text, err := s2.Decode(nil, rest[4:])
	if err != nil {
		return nil, fmt.Errorf("definition record: %w", err)
	}
	if got, want := crc32.Checksum(text, castagnoli), binary.LittleEndian.Uint32(rest); got != want {
		return nil, fmt.Errorf("definition record checksum %08x, want %08x", got, want)
	}
	return text, nil
}

// definitionReader reads the JSON string of the definition record at off, size bytes long, in the segment
// of the blob being read.
type definitionReader func(off int64, size uint32) ([]byte, error)

// blobText returns the text of a blob, checked against its checksum; definition reads the definition of a
// shared blob (nil: such a blob is refused).
func blobText(blob []byte, definition definitionReader) ([]byte, error) {
	if bytes.HasPrefix(blob, []byte(blobMagicShared)) {
		if len(blob) < sharedHeader {
			return nil, errors.New("blob header cut short")
		}
		h := blob[:sharedHeader]
		rest, err := s2.Decode(nil, blob[sharedHeader:])
		if err != nil {
			return nil, err
		}
		if got, want := crc32.Update(crc32.Checksum(rest, castagnoli), castagnoli, h[8:]), binary.LittleEndian.Uint32(h[4:]); got != want {
			return nil, fmt.Errorf("blob checksum %08x, want %08x", got, want)
		}
		off, size, splice := int64(binary.LittleEndian.Uint64(h[8:])), binary.LittleEndian.Uint32(h[16:]), binary.LittleEndian.Uint32(h[20:])
		if int64(splice) > int64(len(rest)) || off < 0 {
			return nil, errors.New("blob header out of range")
		}
		if definition == nil {
			return nil, errors.New("blob refers to a definition record, and none can be read")
		}
		def, err := definition(off, size)
		if err != nil {
			return nil, err
		}
		text := make([]byte, 0, len(rest)+len(def))
		text = append(text, rest[:splice]...)
		text = append(text, def...)
		return append(text, rest[splice:]...), nil
	}
	if rest, ok := bytes.CutPrefix(blob, []byte(blobMagic)); ok {
		if len(rest) < 4 {
			return nil, errors.New("blob header cut short")
		}
		text, err := s2.Decode(nil, rest[4:])
		if err != nil {
			return nil, err
		}
		if got, want := crc32.Checksum(text, castagnoli), binary.LittleEndian.Uint32(rest); got != want {
			return nil, fmt.Errorf("blob checksum %08x, want %08x", got, want)
		}
		return text, nil
	}
	zr, err := gzip.NewReader(bytes.NewReader(blob))
	if err != nil {
		return nil, err
	}
	return io.ReadAll(zr) // to the end: gzip checks its CRC-32 and length there
}

// emptyDefinition is how encoding/json writes executionRecord's empty definition. Its quotes, unescaped,
// cannot be part of a string value: its first occurrence in the record is the member.
const emptyDefinition = `"definition":""`

// appendBlob appends b as JSON.
func appendBlob(dst []byte, b *historyBlob) ([]byte, error) {
	text, _, err := appendBlobText(dst, b, true)
	return text, err
}

// appendBlobText appends b as JSON, without the definition's JSON string unless withDefinition, and
// returns where in what it appended that string goes.
func appendBlobText(dst []byte, b *historyBlob, withDefinition bool) ([]byte, int, error) {
	base := len(dst)
	w := blobWriter{dst: dst}
	w.dst = append(w.dst, `{"ex":`...)
	splice, err := w.execution(&b.Execution, withDefinition)
	if err != nil {
		return nil, 0, err
	}
	splice -= base
	w.dst = append(w.dst, `,"end":`...)
	if err := w.end(&b.End); err != nil {
		return nil, 0, err
	}
	w.dst = append(w.dst, `,"evs":`...)
	if st := b.Stream; st != nil {
		if st.err != nil {
			return nil, 0, st.err
		}
		w.dst = append(w.dst, '[')
		w.dst = append(w.dst, st.w.dst...)
		w.dst = append(w.dst, ']')
	} else if !eventsByHand || b.Events == nil {
		evs, err := json.Marshal(b.Events)
		if err != nil {
			return nil, 0, err
		}
		w.dst = append(w.dst, evs...)
	} else {
		w.dst = append(w.dst, '[')
		from := 0
		if b.JournaledN > 0 && b.JournaledN <= len(b.Events) {
			w.dst = append(w.dst, b.Journaled...)
			from = b.JournaledN
		}
		for i := from; i < len(b.Events); i++ {
			if i > 0 {
				w.dst = append(w.dst, ',')
			}
			if err := w.event(&b.Events[i]); err != nil {
				return nil, 0, err
			}
		}
		w.dst = append(w.dst, ']')
	}
	if b.Redrive != nil {
		r, err := json.Marshal(b.Redrive)
		if err != nil {
			return nil, 0, err
		}
		w.dst = append(w.dst, `,"redrive":`...)
		w.dst = append(w.dst, r...)
	}
	return append(w.dst, '}', '\n'), splice, nil
}

// lastDefinition holds the definition of the last blob written, escaped: the executions of a state
// machine share its text.
var lastDefinition escapedCache

// escapedCache remembers one string as a JSON string. It is safe for concurrent use.
type escapedCache struct {
	mu      sync.Mutex
	s       string
	escaped []byte // read-only once stored
}

// append appends s as a JSON string, as jsonvalue.AppendStringJS does.
func (c *escapedCache) append(dst []byte, s string) []byte {
	c.mu.Lock()
	hit, escaped := c.s == s, c.escaped
	c.mu.Unlock()
	if hit && escaped != nil {
		return append(dst, escaped...)
	}
	from := len(dst)
	dst = jsonvalue.AppendStringJS(dst, s)
	escaped = bytes.Clone(dst[from:])
	c.mu.Lock()
	c.s, c.escaped = s, escaped
	c.mu.Unlock()
	return dst
}

// blobWriter appends a blob's parts to dst. A payload is often the one written just before (a state's
// input is the previous state's output, the execution's output the last state's): that one's text is
// copied rather than escaped again.
type blobWriter struct {
	dst      []byte
	last     string // the last payload written, at dst[from:to]
	from, to int
	// copyLast: the last payload is remembered as a copy in lastCopy, not as the string (which an
	// eventStream may not keep past the event)
	copyLast bool
	lastCopy []byte
	// the last UTC time written: its Unix second, and that second as YYYY-MM-DDTHH:MM:SS
	sec     int64
	secText [19]byte
	secSet  bool
}

// minPayloadMemo is the length from which a payload is compared with the last one.
const minPayloadMemo = 32

// payload appends a payload (a JSON text) as a JSON string.
func (w *blobWriter) payload(s string) {
	if len(s) >= minPayloadMemo && w.to > w.from && (w.copyLast && string(w.lastCopy) == s || !w.copyLast && s == w.last) {
		w.dst = append(w.dst, w.dst[w.from:w.to]...)
		return
	}
	from := len(w.dst)
	w.dst = jsonvalue.AppendStringJS(w.dst, s)
	if len(s) >= minPayloadMemo {
		if w.copyLast {
			w.lastCopy = append(w.lastCopy[:0], s...)
		} else {
			w.last = s
		}
		w.from, w.to = from, len(w.dst)
	}
}

// executionByHand says whether executionRecord has the fields execution writes (and no other).
var executionByHand = fieldsAre[executionRecord](`Arn string json:"arn"`, `Name string json:"name"`, `MachineArn string json:"machineArn"`,
	`Definition string json:"definition"`, `RoleArn string json:"roleArn"`, `Revision string json:"revision,omitempty"`, `Input string json:"input"`,
	`Start time.Time json:"start"`, `TestCase string json:"testCase,omitempty"`, `RedriveCount int json:"redriveCount,omitempty"`,
	`RedriveDate time.Time json:"redriveDate,omitzero"`, `RedriveTokens []sfn.redriveToken json:"redriveTokens,omitempty"`,
	`VersionArn string json:"versionArn,omitempty"`, `AliasArn string json:"aliasArn,omitempty"`, `MapRunArn string json:"mapRun,omitempty"`)

// execution appends an execution's record as encoding/json writes it (but for the escaping of "<", ">"
// and "&"), the definition's JSON string only if withDefinition, and returns where in dst that string
// goes.
func (w *blobWriter) execution(rec *executionRecord, withDefinition bool) (int, error) {
	if !executionByHand {
		// encoding/json writes the record, with an empty definition, which is replaced.
		r := *rec
		r.Definition = ""
		ex, err := json.Marshal(r)
		if err != nil {
			return 0, err
		}
		before, after, ok := bytes.Cut(ex, []byte(emptyDefinition))
		if !ok {
			return 0, fmt.Errorf("encode execution record: no %s in %s", emptyDefinition, ex)
		}
		w.dst = append(w.dst, before...)
		w.dst = append(w.dst, `"definition":`...)
		splice := len(w.dst)
		if withDefinition {
			w.dst = lastDefinition.append(w.dst, rec.Definition)
		}
		w.dst = append(w.dst, after...)
		return splice, nil
	}
	w.dst = append(w.dst, `{"arn":`...)
	w.dst = jsonvalue.AppendStringJS(w.dst, rec.Arn)
	w.dst = append(w.dst, `,"name":`...)
	w.dst = jsonvalue.AppendStringJS(w.dst, rec.Name)
	w.dst = append(w.dst, `,"machineArn":`...)
	w.dst = jsonvalue.AppendStringJS(w.dst, rec.MachineArn)
	w.dst = append(w.dst, `,"definition":`...)
	splice := len(w.dst)
	if withDefinition {
		w.dst = lastDefinition.append(w.dst, rec.Definition)
	}
	w.dst = append(w.dst, `,"roleArn":`...)
	w.dst = jsonvalue.AppendStringJS(w.dst, rec.RoleArn)
	w.optional(`,"revision":`, rec.Revision)
	w.dst = append(w.dst, `,"input":`...)
	w.payload(rec.Input)
	w.dst = append(w.dst, `,"start":`...)
	if err := w.time(rec.Start); err != nil {
		return 0, fmt.Errorf("encode execution record: %w", err)
	}
	w.optional(`,"testCase":`, rec.TestCase)
	if rec.RedriveCount != 0 {
		w.dst = append(w.dst, `,"redriveCount":`...)
		w.dst = strconv.AppendInt(w.dst, int64(rec.RedriveCount), 10)
	}
	if !rec.RedriveDate.IsZero() {
		w.dst = append(w.dst, `,"redriveDate":`...)
		if err := w.time(rec.RedriveDate); err != nil {
			return 0, fmt.Errorf("encode execution record: %w", err)
		}
	}
	if len(rec.RedriveTokens) > 0 {
		b, err := json.Marshal(rec.RedriveTokens)
		if err != nil {
			return 0, err
		}
		w.dst = append(w.dst, `,"redriveTokens":`...)
		w.dst = append(w.dst, b...)
	}
	w.optional(`,"versionArn":`, rec.VersionArn)
	w.optional(`,"aliasArn":`, rec.AliasArn)
	w.optional(`,"mapRun":`, rec.MapRunArn)
	w.dst = append(w.dst, '}')
	return splice, nil
}

// optional appends a string member unless it is empty (omitempty).
func (w *blobWriter) optional(key, v string) {
	if v != "" {
		w.dst = append(w.dst, key...)
		w.dst = jsonvalue.AppendStringJS(w.dst, v)
	}
}

// endByHand says whether endRecord has the fields end writes (and no other).
var endByHand = fieldsAre[endRecord](`Status string json:"status"`, `Output string json:"output,omitempty"`, `Error string json:"error,omitempty"`,
	`Cause string json:"cause,omitempty"`, `Stop time.Time json:"stop"`)

// end appends an execution's end as encoding/json writes it (but for the escaping of "<", ">" and "&").
func (w *blobWriter) end(e *endRecord) error {
	if !endByHand {
		b, err := json.Marshal(e)
		w.dst = append(w.dst, b...)
		return err
	}
	w.dst = append(w.dst, `{"status":`...)
	w.dst = jsonvalue.AppendStringJS(w.dst, e.Status)
	if e.Output != "" {
		w.dst = append(w.dst, `,"output":`...)
		w.payload(e.Output)
	}
	if e.Error != "" {
		w.dst = append(w.dst, `,"error":`...)
		w.dst = jsonvalue.AppendStringJS(w.dst, e.Error)
	}
	if e.Cause != "" {
		w.dst = append(w.dst, `,"cause":`...)
		w.dst = jsonvalue.AppendStringJS(w.dst, e.Cause)
	}
	w.dst = append(w.dst, `,"stop":`...)
	if err := w.time(e.Stop); err != nil {
		return fmt.Errorf("encode execution end: %w", err)
	}
	w.dst = append(w.dst, '}')
	return nil
}

// time appends t as encoding/json writes a time.Time. A history's events mostly fall in the same second:
// a UTC time's date and time of day, to the second, are remembered and copied for the next one. A time in
// another zone whose offset is zero (the system clock's times are in time.Local, which is UTC on most
// servers) is written as the same instant in UTC: RFC 3339 writes both the same way, with a Z.
func (w *blobWriter) time(t time.Time) error {
	utc := t.Location() == time.UTC
	if !utc {
		if _, offset := t.Zone(); offset == 0 {
			t, utc = t.UTC(), true
		}
	}
	if utc && w.secSet && t.Unix() == w.sec {
		w.dst = append(w.dst, '"')
		w.dst = append(w.dst, w.secText[:]...)
		w.dst = appendFraction(w.dst, t.Nanosecond())
		w.dst = append(w.dst, '"')
		return nil
	}
	if y := t.Year(); y < 0 || y > 9999 {
		return fmt.Errorf("timestamp %v out of range", t)
	}
	w.dst = append(w.dst, '"')
	from := len(w.dst)
	w.dst = appendTime(w.dst, t)
	if utc { // YYYY-MM-DDTHH:MM:SS, a year of four digits
		w.sec, w.secSet = t.Unix(), true
		copy(w.secText[:], w.dst[from:])
	}
	w.dst = append(w.dst, '"')
	return nil
}

// appendTime appends t as t.AppendFormat(time.RFC3339Nano) does, a UTC time (every time the engine
// stamps) by hand, for a year from 0 to 9999.
func appendTime(dst []byte, t time.Time) []byte {
	if t.Location() != time.UTC {
		return t.AppendFormat(dst, time.RFC3339Nano)
	}
	year, month, day := t.Date()
	hour, min, sec := t.Clock()
	dst = appendDigits(dst, year, 4)
	dst = append(dst, '-')
	dst = appendDigits(dst, int(month), 2)
	dst = append(dst, '-')
	dst = appendDigits(dst, day, 2)
	dst = append(dst, 'T')
	dst = appendDigits(dst, hour, 2)
	dst = append(dst, ':')
	dst = appendDigits(dst, min, 2)
	dst = append(dst, ':')
	dst = appendDigits(dst, sec, 2)
	return appendFraction(dst, t.Nanosecond())
}

// appendFraction appends a UTC time's fraction of a second (none for 0, without trailing zeros) and Z.
func appendFraction(dst []byte, ns int) []byte {
	if ns != 0 {
		digits := 9
		for ns%10 == 0 {
			ns /= 10
			digits--
		}
		dst = append(dst, '.')
		dst = appendDigits(dst, ns, digits)
	}
	return append(dst, 'Z')
}

// appendDigits appends v (0 <= v < 10^width) in width decimal digits.
func appendDigits(dst []byte, v, width int) []byte {
	for i := width - 1; i >= 0; i-- {
		dst = append(dst, 0)
	}
	for i := len(dst) - 1; width > 0; i, width = i-1, width-1 {
		dst[i] = byte('0' + v%10)
		v /= 10
	}
	return dst
}

// event appends ev as encoding/json writes it, but for the escaping of "<", ">" and "&" that decoding
// does not tell apart.
func (w *blobWriter) event(ev *interp.HistoryEvent) error {
	w.dst = append(w.dst, `{"id":`...)
	w.dst = strconv.AppendInt(w.dst, ev.ID, 10)
	w.dst = append(w.dst, `,"previousEventId":`...)
	w.dst = strconv.AppendInt(w.dst, ev.PreviousEventID, 10)
	w.dst = append(w.dst, `,"timestamp":`...)
	if err := w.time(ev.Timestamp); err != nil {
		return fmt.Errorf("encode history event %d: %w", ev.ID, err)
	}
	w.dst = append(w.dst, `,"type":`...)
	w.dst = jsonvalue.AppendStringJS(w.dst, string(ev.Type))
	if w.soleStateDetail(ev) || (eventsByHand && taskDetailsByHand && w.soleTaskDetail(ev)) { // a task's: journal_encode.go
		w.dst = append(w.dst, '}')
		return nil
	}
	return w.eventDetails(*ev)
}

// eventDetails appends an event's details, found by reflection, and closes it. It takes a copy of the
// event, which reflection puts on the heap, so that event's does not go there for the events written by
// hand (nearly all).
func (w *blobWriter) eventDetails(ev interp.HistoryEvent) error {
	v := reflect.ValueOf(&ev).Elem()
	for _, f := range eventDetails {
		fv := v.Field(f.index)
		if fv.IsNil() {
			continue
		}
		w.dst = append(w.dst, ',')
		w.dst = append(w.dst, f.key...)
		if stateDetailsByHand && w.details(fv.Interface()) {
			continue
		}
		b, err := json.Marshal(fv.Interface())
		if err != nil {
			return fmt.Errorf("encode history event %d: %w", ev.ID, err)
		}
		w.dst = append(w.dst, b...)
	}
	w.dst = append(w.dst, '}')
	return nil
}

// soleStateDetail appends, for an event whose only details are a state's entry or exit or an execution's
// start or success (nearly every event), the comma and those details, without the reflection that looks for the
// others: it compares the event with one holding only that detail. It reports false, having written
// nothing, for any other event. (This needs interp.HistoryEvent to stay comparable, as its fields are
// pointers to details.)
func (w *blobWriter) soleStateDetail(ev *interp.HistoryEvent) bool {
	if !eventsByHand || !stateDetailsByHand {
		return false
	}
	only := interp.HistoryEvent{ID: ev.ID, PreviousEventID: ev.PreviousEventID, Timestamp: ev.Timestamp, Type: ev.Type}
	var key string
	var d any
	switch {
	case ev.StateEnteredEventDetails != nil:
		only.StateEnteredEventDetails = ev.StateEnteredEventDetails
		key, d = `,"stateEnteredEventDetails":`, ev.StateEnteredEventDetails
	case ev.StateExitedEventDetails != nil:
		only.StateExitedEventDetails = ev.StateExitedEventDetails
		key, d = `,"stateExitedEventDetails":`, ev.StateExitedEventDetails
	case ev.ExecutionSucceededEventDetails != nil:
		only.ExecutionSucceededEventDetails = ev.ExecutionSucceededEventDetails
		key, d = `,"executionSucceededEventDetails":`, ev.ExecutionSucceededEventDetails
	case ev.ExecutionStartedEventDetails != nil:
		only.ExecutionStartedEventDetails = ev.ExecutionStartedEventDetails
		key, d = `,"executionStartedEventDetails":`, ev.ExecutionStartedEventDetails
	default:
		return false
	}
	if *ev != only {
		return false
	}
	mark := len(w.dst)
	w.dst = append(w.dst, key...)
	if !w.details(d) {
		w.dst = w.dst[:mark]
		return false
	}
	return true
}

// details appends the details of a state's entry or exit, an execution's start, or an output's, reporting false (having
// written nothing) for any other, or for a state's exit that assigned variables.
func (w *blobWriter) details(d any) bool {
	switch d := d.(type) {
	case *interp.StateEnteredEventDetails:
		w.dst = append(w.dst, `{"name":`...)
		w.dst = jsonvalue.AppendStringJS(w.dst, d.Name)
		w.dst = append(w.dst, `,"input":`...)
		w.payload(d.Input)
		w.dst = append(w.dst, `,"inputDetails":{"truncated":`...)
		w.dst = strconv.AppendBool(w.dst, d.InputDetails.Truncated)
		w.dst = append(w.dst, "}}"...)
		return true
	case *interp.StateExitedEventDetails:
		if len(d.AssignedVariables) > 0 {
			return false
		}
		w.dst = append(w.dst, `{"name":`...)
		w.dst = jsonvalue.AppendStringJS(w.dst, d.Name)
		w.dst = append(w.dst, `,"output":`...)
		w.payload(d.Output)
		w.dst = append(w.dst, `,"outputDetails":{"truncated":`...)
		w.dst = strconv.AppendBool(w.dst, d.OutputDetails.Truncated)
		w.dst = append(w.dst, "}}"...)
		return true
	case *interp.ExecutionStartedEventDetails:
		if !startedByHand {
			return false
		}
		w.dst = append(w.dst, `{"input":`...)
		w.payload(d.Input)
		w.dst = append(w.dst, `,"inputDetails":{"truncated":`...)
		w.dst = strconv.AppendBool(w.dst, d.InputDetails.Truncated)
		w.dst = append(w.dst, '}')
		w.optional(`,"roleArn":`, d.RoleArn)
		w.optional(`,"stateMachineVersionArn":`, d.StateMachineVersionArn)
		w.optional(`,"stateMachineAliasArn":`, d.StateMachineAliasArn)
		w.dst = append(w.dst, '}')
		return true
	case *interp.OutputEventDetails:
		w.dst = append(w.dst, `{"output":`...)
		w.payload(d.Output)
		w.dst = append(w.dst, `,"outputDetails":{"truncated":`...)
		w.dst = strconv.AppendBool(w.dst, d.OutputDetails.Truncated)
		w.dst = append(w.dst, "}}"...)
		return true
	}
	return false
}
