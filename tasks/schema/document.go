package schema

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
)

// node is one JSON value of a schema document with its byte offset, so that every problem can be given
// the line and column of the value (or member name) it is about. The document is already known to be
// valid JSON when it is read into nodes.
type node struct {
	kind    byte // '{', '[', '"', '0' (number), 't' (true or false), 'n' (null)
	off     int  // offset of the value's first byte
	members []member
	elems   []*node
}

type member struct {
	name   string
	keyOff int
	val    *node
}

func (n *node) describe() string {
	switch n.kind {
	case '{':
		return "a JSON object"
	case '[':
		return "a JSON array"
	case '"':
		return "a JSON string"
	case '0':
		return "a JSON number"
	case 't':
		return "a JSON boolean"
	}
	return "JSON null"
}

// readNodes reads the valid JSON document data into nodes.
func readNodes(data []byte) *node {
	r := nodeReader{data: data}
	return r.value()
}

type nodeReader struct {
	data []byte
	i    int
}

func (r *nodeReader) space() {
	for r.i < len(r.data) {
		switch r.data[r.i] {
		case ' ', '\t', '\r', '\n':
			r.i++
		default:
			return
		}
	}
}

func (r *nodeReader) value() *node {
	r.space()
	n := &node{off: r.i}
	if r.i >= len(r.data) {
		n.kind = 'n'
		return n
	}
	switch c := r.data[r.i]; c {
	case '{':
		n.kind = '{'
		r.i++
		for {
			r.space()
			if r.i >= len(r.data) || r.data[r.i] == '}' {
				r.i++
				return n
			}
			if r.data[r.i] == ',' {
				r.i++
				continue
			}
			keyOff := r.i
			name := r.str()
			r.space()
			r.i++ // ':'
			n.members = append(n.members, member{name: name, keyOff: keyOff, val: r.value()})
		}
	case '[':
		n.kind = '['
		r.i++
		for {
			r.space()
			if r.i >= len(r.data) || r.data[r.i] == ']' {
				r.i++
				return n
			}
			if r.data[r.i] == ',' {
				r.i++
				continue
			}
			n.elems = append(n.elems, r.value())
		}
	case '"':
		n.kind = '"'
		r.str()
	case 't', 'f':
		n.kind = 't'
		r.literal()
	case 'n':
		n.kind = 'n'
		r.literal()
	default:
		n.kind = '0'
		r.literal()
	}
	return n
}

// str reads a string and returns it decoded.
func (r *nodeReader) str() string {
	start := r.i
	r.i++ // opening quote
	for r.i < len(r.data) && r.data[r.i] != '"' {
		if r.data[r.i] == '\\' {
			r.i++
		}
		r.i++
	}
	r.i++ // closing quote
	var s string
	_ = json.Unmarshal(r.data[start:min(r.i, len(r.data))], &s)
	return s
}

func (r *nodeReader) literal() {
	for r.i < len(r.data) {
		switch r.data[r.i] {
		case ',', '}', ']', ' ', '\t', '\r', '\n':
			return
		}
		r.i++
	}
}

// locate finds the node a problem path ("columns[2].enum[0]") names, or its nearest ancestor; for a
// member that the document lacks it returns the enclosing object.
func (n *node) locate(path string) int {
	cur := n
	for _, seg := range splitPath(path) {
		var next *node
		switch {
		case seg.index >= 0 && cur.kind == '[' && seg.index < len(cur.elems):
			next = cur.elems[seg.index]
		case seg.index < 0 && cur.kind == '{':
			for i := len(cur.members) - 1; i >= 0; i-- { // the last of duplicates is the one decoded
				if cur.members[i].name == seg.name {
					next = cur.members[i].val
					break
				}
			}
		}
		if next == nil {
			return cur.off
		}
		cur = next
	}
	return cur.off
}

type pathSeg struct {
	name  string
	index int // -1 for a member
}

func splitPath(path string) []pathSeg {
	var segs []pathSeg
	for path != "" {
		switch {
		case path[0] == '.':
			path = path[1:]
		case path[0] == '[':
			end := strings.IndexByte(path, ']')
			if end < 0 {
				return segs
			}
			i, err := strconv.Atoi(path[1:end])
			if err != nil {
				return segs
			}
			segs = append(segs, pathSeg{index: i})
			path = path[end+1:]
		default:
			end := strings.IndexAny(path, ".[")
			if end < 0 {
				end = len(path)
			}
			segs = append(segs, pathSeg{name: path[:end], index: -1})
			path = path[end:]
		}
	}
	return segs
}

// problems collects the problems of one document, each with its location.
type problems struct {
	data  []byte
	root  *node
	list  []*ParseError
	offs  []int
	shape []string // paths with a shape problem: the semantic checks say nothing more about them
}

// add records a problem about the value at path.
func (ps *problems) add(path, msg string) {
	off := 0
	if ps.root != nil {
		off = ps.root.locate(path)
	}
	ps.addAt(path, off, msg)
}

func (ps *problems) addAt(path string, off int, msg string) {
	for _, s := range ps.shape {
		if path == s || strings.HasPrefix(path, s+".") || strings.HasPrefix(path, s+"[") {
			return
		}
	}
	line, col := position(ps.data, off)
	ps.list = append(ps.list, &ParseError{Path: path, Line: line, Col: col, Msg: msg})
	ps.offs = append(ps.offs, off)
}

func (ps *problems) err() error {
	if len(ps.list) == 0 {
		return nil
	}
	idx := make([]int, len(ps.list))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return ps.offs[idx[a]] < ps.offs[idx[b]] })
	out := make(Problems, len(idx))
	for i, j := range idx {
		out[i] = ps.list[j]
	}
	return out
}

// checkShape compares the document with the Go type it decodes into: objects, arrays, strings, numbers
// and booleans where the type has them, and no member the type lacks. It records the paths of what it
// reports, so that the semantic checks do not report the same value again.
func (ps *problems) checkShape(n *node, t reflect.Type, path string) {
	bad := func(msg string) {
		ps.addAt(path, n.off, msg)
		ps.shape = append(ps.shape, path)
	}
	if t == reflect.TypeFor[json.RawMessage]() {
		return // enum, min, max: their meaning depends on the column's type; checked later
	}
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Struct:
		if n.kind != '{' {
			bad("want a JSON object, got " + n.describe())
			return
		}
		fields := jsonFields(t)
		seen := map[string]bool{}
		for _, m := range n.members {
			p := joinPath(path, m.name)
			f, ok := fields[m.name]
			if !ok {
				ps.addAt(p, m.keyOff, fmt.Sprintf("unknown member %q (allowed: %s)", m.name, strings.Join(fieldNames(t), ", ")))
				ps.shape = append(ps.shape, p)
				continue
			}
			if seen[m.name] {
				ps.addAt(p, m.keyOff, fmt.Sprintf("member %q appears more than once", m.name))
			}
			seen[m.name] = true
			ps.checkShape(m.val, f.Type, p)
		}
	case reflect.Slice:
		if n.kind != '[' {
			bad("want a JSON array, got " + n.describe())
			return
		}
		for i, e := range n.elems {
			ps.checkShape(e, t.Elem(), fmt.Sprintf("%s[%d]", path, i))
		}
	case reflect.String:
		if n.kind != '"' {
			bad("want a JSON string, got " + n.describe())
		}
	case reflect.Bool:
		if n.kind != 't' {
			bad("want true or false, got " + n.describe())
		}
	case reflect.Int, reflect.Int64:
		if n.kind != '0' {
			bad("want an integer, got " + n.describe())
			return
		}
		text := string(ps.data[n.off:literalEnd(ps.data, n.off)])
		if _, err := strconv.ParseInt(text, 10, 64); err != nil {
			bad(fmt.Sprintf("want an integer, got %s", text))
		}
	}
}

func literalEnd(data []byte, off int) int {
	r := nodeReader{data: data, i: off}
	r.literal()
	return r.i
}

func joinPath(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// jsonFields maps the JSON member names of a struct type to their fields.
func jsonFields(t reflect.Type) map[string]reflect.StructField {
	out := map[string]reflect.StructField{}
	for i := range t.NumField() {
		f := t.Field(i)
		if name := jsonName(f); name != "" {
			out[name] = f
		}
	}
	return out
}

// fieldNames lists the JSON member names of a struct type in declaration order.
func fieldNames(t reflect.Type) []string {
	var out []string
	for i := range t.NumField() {
		if name := jsonName(t.Field(i)); name != "" {
			out = append(out, name)
		}
	}
	return out
}

func jsonName(f reflect.StructField) string {
	if !f.IsExported() {
		return ""
	}
	tag := f.Tag.Get("json")
	if tag == "-" {
		return ""
	}
	name, _, _ := strings.Cut(tag, ",")
	if name == "" {
		name = f.Name
	}
	return name
}

// oneOf lists allowed values for a message: "a, b, c".
func oneOf[T ~string](values []T) string {
	s := make([]string, len(values))
	for i, v := range values {
		s[i] = string(v)
	}
	return strings.Join(s, ", ")
}
