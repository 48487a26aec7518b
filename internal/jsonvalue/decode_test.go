package jsonvalue

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// decodeStd is the reference: json.Valid decides acceptance (one value,
// nothing after it), a Decoder with UseNumber the value.
func decodeStd(data []byte) (any, bool) {
	if !json.Valid(data) {
		return nil, false
	}
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, false
	}
	return v, true
}

func TestDecode(t *testing.T) {
	tests := []struct {
		in   string
		want any
	}{
		{` {"a":[1,-2.5e+3,"x",true,false,null],"b":{}} `, map[string]any{
			"a": []any{json.Number("1"), json.Number("-2.5e+3"), "x", true, false, nil}, "b": map[string]any{}}},
		{`[]`, []any{}},
		{`"é"`, "é"},
		{`{"a":1,"a":2}`, map[string]any{"a": json.Number("2")}}, // the last wins
		{`1.50`, json.Number("1.50")},                            // kept as written
		{`-0`, json.Number("-0")},
		{`"\u00e9\ud83d\ude00\n\"\\\/\b\f\r\t"`, "é😀\n\"\\/\b\f\r\t"},
		{`"\ud83d"`, "\ufffd"},
		{`"\ud83dx"`, "\ufffdx"},
		{`"\ud83d\u0041"`, "\ufffdA"},
		{`"\udc00\ud83d\ude00"`, "\ufffd😀"},
		{"\"\xff\"", "\ufffd"},
		{"\"a\xffb\\n\xe9\"", "a\ufffdb\n\ufffd"},
		{"{\"\xff\":1}", map[string]any{"\ufffd": json.Number("1")}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := Decode([]byte(tt.in))
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if diff := cmp.Diff(got, tt.want); diff != "" {
				t.Errorf("Decode (-got +want):\n%s", diff)
			}
			if std, _ := decodeStd([]byte(tt.in)); !cmp.Equal(got, std) {
				t.Errorf("Decode = %#v, encoding/json %#v", got, std)
			}
		})
	}
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		in     string
		offset int
	}{
		{``, 0}, {` `, 1}, {`{`, 1}, {`{"a"}`, 4}, {`{"a":1,}`, 7}, {`[1,]`, 3}, {`[1 2]`, 3}, {`[1}`, 2},
		{`{,}`, 1}, {`01`, 1}, {`1.`, 2}, {`1e`, 2}, {`-`, 1}, {`"\x"`, 2}, {"\"\x01\"", 1}, {`"\u12"`, 3},
		{`tru`, 3}, {`trux`, 3}, {`nul`, 3}, {`{} x`, 3}, {`{"a":1}}`, 7}, {`{} ]`, 3}, {`"abc`, 4}, {`x`, 0},
		{`NaN`, 0}, {`Infinity`, 0}, {`[-Infinity]`, 2}, {`{"a":1 "b":2}`, 7},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			_, err := Decode([]byte(tt.in))
			var serr *SyntaxError
			if !errors.As(err, &serr) {
				t.Fatalf("Decode error = %v, want a *SyntaxError", err)
			}
			if serr.Offset != tt.offset {
				t.Errorf("offset = %d, want %d (%v)", serr.Offset, tt.offset, err)
			}
			if _, ok := decodeStd([]byte(tt.in)); ok {
				t.Errorf("encoding/json accepts %q", tt.in)
			}
		})
	}
}

func TestDecodeDepth(t *testing.T) {
	ok := strings.Repeat("[", MaxDepth) + strings.Repeat("]", MaxDepth)
	if _, err := Decode([]byte(ok)); err != nil {
		t.Errorf("Decode(%d levels): %v", MaxDepth, err)
	}
	deep := "[" + ok + "]"
	if _, err := Decode([]byte(deep)); err == nil {
		t.Errorf("Decode(%d levels) accepted", MaxDepth+1)
	}
	var s Scanner
	s.Reset([]byte(deep))
	if err := s.Skip(); err == nil {
		t.Errorf("Skip(%d levels) accepted", MaxDepth+1)
	}
}

func TestDecoderDuplicate(t *testing.T) {
	var got []string
	d := Decoder{Duplicate: func(path []Segment, key string) {
		var b strings.Builder
		for _, s := range path {
			if s.Index >= 0 {
				b.WriteString("[" + string(rune('0'+s.Index)) + "]")
			} else {
				b.WriteString("/" + s.Key)
			}
		}
		got = append(got, b.String()+"/"+key)
	}}
	v, err := d.Decode([]byte(`{"a":[{"x":1},{"x":1,"x":2}],"b":{"c":{"k":1,"k":2,"k":3}},"a":0}`))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"/a[1]/x", "/b/c/k", "/b/c/k", "/a"}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("duplicates (-got +want):\n%s", diff)
	}
	if diff := cmp.Diff(v, map[string]any{"a": json.Number("0"), "b": map[string]any{"c": map[string]any{"k": json.Number("3")}}}); diff != "" {
		t.Errorf("value (-got +want):\n%s", diff)
	}
}

func TestPosition(t *testing.T) {
	data := []byte("{\n  \"a\": x\n}")
	_, err := Decode(data)
	var serr *SyntaxError
	if !errors.As(err, &serr) {
		t.Fatalf("Decode error = %v", err)
	}
	line, col := Position(data, serr.Offset)
	if line != 2 || col != 8 {
		t.Errorf("Position = %d:%d, want 2:8", line, col)
	}
}

// TestScannerViews checks what String and Number return: views of the
// input when nothing needs decoding, dst otherwise.
func TestScannerViews(t *testing.T) {
	tests := []struct {
		in       string
		want     string
		wantView bool
	}{
		{`"plain"`, "plain", true},
		{`"é"`, "é", true},
		{`"a\n"`, "a\n", false},
		{"\"\xff\"", "\ufffd", false},
	}
	for _, tt := range tests {
		var s Scanner
		s.Reset([]byte(tt.in))
		if k := s.Peek(); k != String {
			t.Fatalf("Peek(%q) = %v", tt.in, k)
		}
		got, view, err := s.String([]byte("dst:"))
		if err != nil {
			t.Fatal(err)
		}
		want := tt.want
		if !tt.wantView {
			want = "dst:" + want
		}
		if string(got) != want || view != tt.wantView {
			t.Errorf("String(%q) = %q, %v, want %q, %v", tt.in, got, view, want, tt.wantView)
		}
	}
	var s Scanner
	s.Reset([]byte(` -1.5e+3 `))
	if s.Peek() != Number {
		t.Fatal("Peek: not a number")
	}
	if n, err := s.Number(); err != nil || string(n) != "-1.5e+3" || s.End() != nil {
		t.Errorf("Number = %q, %v", n, err)
	}
}
