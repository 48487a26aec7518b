package console

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/sluicehq/sluice/tasks"
)

const (
	previewRows  = 100      // rows of a JSON Lines or CSV object shown as a table
	previewBytes = 64 << 10 // bytes of a text object shown
	readLimit    = 16 << 20 // bytes read of an object to preview it
)

type objectsData struct {
	Prefix    string
	Crumbs    []OutputLink
	Folders   []string
	Objects   []objectRow
	Next      string
	Truncated bool
}

type objectRow struct {
	Key, Name string
	Size      int64
	Modified  time.Time
}

func (c *Console) objectsPage(w http.ResponseWriter, r *http.Request) {
	if c.objects == nil {
		c.fail(w, r, http.StatusNotFound, errors.New("no bucket is configured"))
		return
	}
	prefix := r.URL.Query().Get("prefix")
	in := &s3.ListObjectsV2Input{Bucket: aws.String(c.bucket), Prefix: aws.String(prefix), Delimiter: aws.String("/"), MaxKeys: aws.Int32(200)}
	if t := r.URL.Query().Get("next"); t != "" {
		in.ContinuationToken = aws.String(t)
	}
	out, err := c.objects.ListObjectsV2(r.Context(), in)
	if err != nil {
		c.fail(w, r, http.StatusBadGateway, err)
		return
	}
	d := objectsData{Prefix: prefix, Crumbs: crumbs(prefix)}
	for _, p := range out.CommonPrefixes {
		d.Folders = append(d.Folders, aws.ToString(p.Prefix))
	}
	for _, o := range out.Contents {
		k := aws.ToString(o.Key)
		d.Objects = append(d.Objects, objectRow{Key: k, Name: strings.TrimPrefix(k, prefix), Size: aws.ToInt64(o.Size), Modified: aws.ToTime(o.LastModified)})
	}
	if aws.ToBool(out.IsTruncated) {
		d.Next = aws.ToString(out.NextContinuationToken)
	}
	c.render(w, r, "objects", page{Title: "Objects", Nav: "objects", Data: d})
}

// crumbs are the links to each parent prefix of a prefix or key.
func crumbs(prefix string) []OutputLink {
	var out []OutputLink
	parts := strings.Split(prefix, "/")
	acc := ""
	for i, p := range parts {
		if i == len(parts)-1 {
			break
		}
		acc += p + "/"
		out = append(out, OutputLink{Label: p, Key: acc})
	}
	return out
}

type objectData struct {
	Key         string
	Crumbs      []OutputLink
	Size        int64
	Modified    time.Time
	ETag        string
	ContentType string
	Kind        string // report, failure, json, table, text, binary
	Report      *reportView
	Failure     *failureView
	JSON        string
	Columns     []string
	Rows        [][]string
	MoreRows    bool
	Text        string
	Note        string
	Meta        []FlowField // a report's or record's other fields
	Execution   string      // the execution that wrote the object, when it says
	Metadata    []FlowField // the object's user metadata (x-amz-meta-*)
	Source      string      // the object it was made from (tasks.MetaSourceKey), when it says
}

// reportView is a validation report (tasks.Report) as the page shows it.
type reportView struct {
	Valid    bool   `json:"valid"`
	Dataset  string `json:"dataset"`
	Format   string `json:"format"`
	Rows     int64  `json:"rows"`
	Bytes    int64  `json:"bytes"`
	SHA256   string `json:"sha256"`
	Problems []struct {
		Line    int64  `json:"line"`
		Column  string `json:"column"`
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"problems"`
	ProblemCount int64 `json:"problemCount"`
}

// failureView is a failure record under failed/.
type failureView struct {
	Fields []FlowField
	Error  string
	Cause  string
}

func (c *Console) objectPage(w http.ResponseWriter, r *http.Request) {
	if c.objects == nil {
		c.fail(w, r, http.StatusNotFound, errors.New("no bucket is configured"))
		return
	}
	key := r.URL.Query().Get("key")
	out, err := c.objects.GetObject(r.Context(), &s3.GetObjectInput{Bucket: aws.String(c.bucket), Key: aws.String(key)})
	if err != nil {
		c.fail(w, r, http.StatusNotFound, err)
		return
	}
	defer out.Body.Close()
	body, err := io.ReadAll(io.LimitReader(out.Body, readLimit))
	if err != nil {
		c.fail(w, r, http.StatusBadGateway, err)
		return
	}
	d := objectData{Key: key, Crumbs: crumbs(key), Size: aws.ToInt64(out.ContentLength), Modified: aws.ToTime(out.LastModified),
		ETag: aws.ToString(out.ETag), ContentType: aws.ToString(out.ContentType)}
	if src, err := url.QueryUnescape(out.Metadata[tasks.MetaSourceKey]); err == nil {
		d.Source = src // query-escaped by the process task
	}
	for _, k := range slices.Sorted(maps.Keys(out.Metadata)) {
		d.Metadata = append(d.Metadata, FlowField{k, out.Metadata[k]})
	}
	c.preview(&d, body)
	c.render(w, r, "object", page{Title: key, Nav: "objects", Data: d})
}

// preview decides how to show an object: by its name and, for JSON, its fields.
func (c *Console) preview(d *objectData, body []byte) {
	name := d.Key
	if strings.HasSuffix(name, ".gz") {
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			d.Kind, d.Note = "binary", "not valid gzip: "+err.Error()
			return
		}
		plain, err := io.ReadAll(io.LimitReader(zr, readLimit))
		if err != nil && len(plain) == 0 {
			d.Kind, d.Note = "binary", "not valid gzip: "+err.Error()
			return
		}
		if err != nil {
			d.Note = "the gzip data ends early: " + err.Error()
		}
		body, name = plain, strings.TrimSuffix(name, ".gz")
	}
	switch {
	case strings.HasSuffix(name, ".jsonl") || strings.HasSuffix(name, ".ndjson"):
		d.Kind = "table"
		jsonLinesTable(d, body)
	case strings.HasSuffix(name, ".csv"):
		d.Kind = "table"
		csvTable(d, body)
	case strings.HasSuffix(name, ".json"):
		var rep reportView
		var fields map[string]json.RawMessage
		if json.Unmarshal(body, &fields) == nil {
			_ = json.Unmarshal(fields["execution"], &d.Execution)
			if !strings.HasPrefix(d.Execution, "arn:") {
				d.Execution = ""
			}
			// A validation report, alone or inside a quarantine record ({"source", "execution", "report"}).
			reportJSON := json.RawMessage(body)
			if inner, ok := fields["report"]; ok {
				reportJSON = inner
			}
			var probe map[string]json.RawMessage
			_ = json.Unmarshal(reportJSON, &probe)
			_, hasValid := probe["valid"]
			_, hasProblems := probe["problemCount"]
			if hasValid && hasProblems && json.Unmarshal(reportJSON, &rep) == nil {
				d.Kind, d.Report = "report", &rep
				if _, ok := fields["report"]; ok {
					for _, k := range sortedKeys(fields) {
						if k != "report" {
							d.Meta = append(d.Meta, FlowField{k, compactJSON(fields[k])})
						}
					}
				}
			} else if f := failureOf(fields); f != nil {
				d.Kind, d.Failure = "failure", f
			}
		}
		if d.Kind == "" {
			d.Kind = "json"
		}
		d.JSON = indentJSON(string(body))
	default:
		if utf8.Valid(body) {
			d.Kind = "text"
			if len(body) > previewBytes {
				body = body[:previewBytes]
				d.Note = "the first 64 KiB"
			}
			d.Text = string(body)
		} else {
			d.Kind = "binary"
		}
	}
}

func sortedKeys(m map[string]json.RawMessage) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// failureOf reads a failure record: its error and cause, and its other fields.
func failureOf(fields map[string]json.RawMessage) *failureView {
	f := &failureView{}
	var keys []string
	for k := range fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := fields[k]
		switch strings.ToLower(k) {
		case "error":
			_ = json.Unmarshal(v, &f.Error)
			continue
		case "cause":
			_ = json.Unmarshal(v, &f.Cause)
			f.Cause = indentJSON(f.Cause)
			continue
		case "failure":
			var inner struct{ Error, Cause string }
			if json.Unmarshal(v, &inner) == nil {
				f.Error, f.Cause = inner.Error, indentJSON(inner.Cause)
				continue
			}
		}
		f.Fields = append(f.Fields, FlowField{k, compactJSON(v)})
	}
	if f.Error == "" && f.Cause == "" {
		return nil
	}
	return f
}

func jsonLinesTable(d *objectData, body []byte) {
	sc := bufio.NewScanner(bytes.NewReader(body))
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	cols := map[string]int{}
	var rows []map[string]json.RawMessage
	for sc.Scan() {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		if len(rows) == previewRows {
			d.MoreRows = true
			break
		}
		var m map[string]json.RawMessage
		if json.Unmarshal(line, &m) != nil {
			m = map[string]json.RawMessage{"(line)": json.RawMessage(strings.TrimSpace(string(mustJSON(string(line)))))}
		}
		for _, k := range keyOrder(line, m) {
			if _, ok := cols[k]; !ok {
				cols[k] = len(cols)
				d.Columns = append(d.Columns, k)
			}
		}
		rows = append(rows, m)
	}
	for _, m := range rows {
		row := make([]string, len(d.Columns))
		for i, col := range d.Columns {
			if v, ok := m[col]; ok {
				row[i] = compactJSON(v)
			}
		}
		d.Rows = append(d.Rows, row)
	}
}

// keyOrder lists an object's keys in the order the line has them (a map's order is random).
func keyOrder(line []byte, m map[string]json.RawMessage) []string {
	dec := json.NewDecoder(bytes.NewReader(line))
	var keys []string
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return sortedKeys(m)
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return sortedKeys(m)
		}
		k, _ := tok.(string)
		keys = append(keys, k)
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return sortedKeys(m)
		}
	}
	return keys
}

func csvTable(d *objectData, body []byte) {
	r := csv.NewReader(bytes.NewReader(body))
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	for i := 0; ; i++ {
		rec, err := r.Read()
		if err != nil {
			if !errors.Is(err, io.EOF) {
				d.Note = "stops at a CSV error: " + err.Error()
			}
			return
		}
		if i == 0 {
			d.Columns = rec
			continue
		}
		if len(d.Rows) == previewRows {
			d.MoreRows = true
			return
		}
		d.Rows = append(d.Rows, rec)
	}
}

func mustJSON(s string) []byte {
	b, _ := json.Marshal(s)
	return b
}

// objectRaw sends an object's bytes as a download: never rendered by the browser, whatever it holds.
func (c *Console) objectRaw(w http.ResponseWriter, r *http.Request) {
	if c.objects == nil {
		http.NotFound(w, r)
		return
	}
	key := r.URL.Query().Get("key")
	out, err := c.objects.GetObject(r.Context(), &s3.GetObjectInput{Bucket: aws.String(c.bucket), Key: aws.String(key)})
	if err != nil {
		http.Error(w, err.Error(), http.StatusNotFound)
		return
	}
	defer out.Body.Close()
	name := key[strings.LastIndexByte(key, '/')+1:]
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Disposition", "attachment; filename*=UTF-8''"+urlPathEscape(name))
	_, _ = io.Copy(w, out.Body)
}

func urlPathEscape(s string) string {
	var b strings.Builder
	for _, c := range []byte(s) {
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-._~", c) >= 0 {
			b.WriteByte(c)
		} else {
			b.WriteString("%" + strings.ToUpper(string("0123456789abcdef"[c>>4])+string("0123456789abcdef"[c&15])))
		}
	}
	return b.String()
}
