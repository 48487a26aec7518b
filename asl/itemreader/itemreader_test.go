package itemreader_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"io"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sluicehq/sluice/asl"
	"github.com/sluicehq/sluice/asl/itemreader"
)

const (
	getObject = "arn:aws:states:::s3:getObject"
	listV2    = "arn:aws:states:::s3:listObjectsV2"
)

// readAll drains an iterator.
func readAll(t *testing.T, store itemreader.Store, r itemreader.Request) ([]any, error) {
	t.Helper()
	it, err := itemreader.Open(t.Context(), store, r)
	if err != nil {
		return nil, err
	}
	defer it.Close()
	var items []any
	for {
		v, err := it.Next(t.Context())
		if errors.Is(err, io.EOF) {
			return items, nil
		}
		if err != nil {
			return items, err
		}
		items = append(items, v)
	}
}

func gz(s string) string {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Write([]byte(s))
	w.Close()
	return b.String()
}

func n(s string) json.Number { return json.Number(s) }

func TestRead(t *testing.T) {
	store := newMemStore()
	store.put("b", "data/ratings.csv", "movieId,title,rating\n1,\"Toy Story, the \"\"first\"\"\",4.5\r\n2,Jumanji,3\n")
	store.put("b", "data/pipe.csv", "a|b\nx|y\n")
	store.put("b", "data/semi.csv", "a;b\nx;\n")
	store.put("b", "data/space.csv", "a b\nx y\n")
	store.put("b", "data/tab.csv", "a\tb\nx\ty\n")
	store.put("b", "data/noheader.csv", "1,2\n3,4\n")
	store.put("b", "data/items.json", ` [ {"a": 1.50, "b": [true, null]}, "s", 7 ] `)
	store.put("b", "data/items.jsonl", "{\"a\":1}\n\n  [2]  \r\n\"x\"")
	store.put("other", "inv/data/1.csv.gz", gz("\"b\",\"k1\",\"10\"\n\"b\",\"k%2F2\",\"20\"\n"))
	store.put("other", "inv/data/2.csv", "b,k3,30\n")
	store.put("b", "inv/manifest.json", `{"sourceBucket":"b","destinationBucket":"arn:aws:s3:::other","version":"2016-11-30",
		"fileFormat":"CSV","fileSchema":"Bucket, Key, Size","files":[{"key":"inv/data/1.csv.gz","size":1},{"key":"inv/data/2.csv","size":1}]}`)
	store.put("b", "athena/manifest.csv", "s3://b/athena/part-0\n\ns3://b/athena/part-1\n")
	store.put("b", "athena/part-0", "{\"n\":1}\n")
	store.put("b", "athena/part-1", "{\"n\":2}\n{\"n\":3}\n")
	store.put("logs", "2025/a.jsonl", "{\"l\":1}\n{\"l\":2}\n")
	store.put("logs", "2025/", "")
	store.put("logs", "2025/b.jsonl", "{\"l\":3}\n")
	for i := range 5 {
		store.put("list", string(rune('a'+i))+".txt", "xx")
	}

	obj := func(key string, size string) map[string]any {
		return map[string]any{"Etag": `"` + "000000000000000000000000000000" + "0" + size + `"`, "Key": key,
			"LastModified": n("1668699881"), "Size": n(size), "StorageClass": "STANDARD"}
	}
	tests := []struct {
		name string
		req  itemreader.Request
		want []any
	}{
		{"csv first row, quotes and CRLF", itemreader.Request{Resource: getObject, Bucket: "b", Key: "data/ratings.csv", InputType: "CSV", CSVHeaderLocation: "FIRST_ROW"},
			[]any{map[string]any{"movieId": "1", "title": `Toy Story, the "first"`, "rating": "4.5"}, map[string]any{"movieId": "2", "title": "Jumanji", "rating": "3"}}},
		{"csv pipe", itemreader.Request{Resource: getObject, Bucket: "b", Key: "data/pipe.csv", InputType: "CSV", CSVDelimiter: "PIPE"},
			[]any{map[string]any{"a": "x", "b": "y"}}},
		{"csv semicolon, empty value", itemreader.Request{Resource: getObject, Bucket: "b", Key: "data/semi.csv", InputType: "CSV", CSVDelimiter: "SEMICOLON"},
			[]any{map[string]any{"a": "x", "b": ""}}},
		{"csv space", itemreader.Request{Resource: getObject, Bucket: "b", Key: "data/space.csv", InputType: "CSV", CSVDelimiter: "SPACE"},
			[]any{map[string]any{"a": "x", "b": "y"}}},
		{"csv tab", itemreader.Request{Resource: getObject, Bucket: "b", Key: "data/tab.csv", InputType: "CSV", CSVDelimiter: "TAB"},
			[]any{map[string]any{"a": "x", "b": "y"}}},
		{"csv given headers", itemreader.Request{Resource: getObject, Bucket: "b", Key: "data/noheader.csv", InputType: "CSV", CSVHeaderLocation: "GIVEN", CSVHeaders: []string{"x", "y"}},
			[]any{map[string]any{"x": "1", "y": "2"}, map[string]any{"x": "3", "y": "4"}}},
		{"csv max items", itemreader.Request{Resource: getObject, Bucket: "b", Key: "data/noheader.csv", InputType: "CSV", CSVHeaderLocation: "GIVEN", CSVHeaders: []string{"x", "y"}, MaxItems: 1},
			[]any{map[string]any{"x": "1", "y": "2"}}},
		{"json array", itemreader.Request{Resource: getObject, Bucket: "b", Key: "data/items.json", InputType: "JSON"},
			[]any{map[string]any{"a": n("1.50"), "b": []any{true, nil}}, "s", n("7")}},
		{"jsonl", itemreader.Request{Resource: getObject, Bucket: "b", Key: "data/items.jsonl", InputType: "JSONL"},
			[]any{map[string]any{"a": n("1")}, []any{n("2")}, "x"}},
		{"s3 inventory manifest", itemreader.Request{Resource: getObject, Bucket: "b", Key: "inv/manifest.json", InputType: "MANIFEST"},
			[]any{map[string]any{"Bucket": "b", "Key": "k1", "Size": "10"}, map[string]any{"Bucket": "b", "Key": "k%2F2", "Size": "20"},
				map[string]any{"Bucket": "b", "Key": "k3", "Size": "30"}}},
		{"athena manifest", itemreader.Request{Resource: getObject, Bucket: "b", Key: "athena/manifest.csv", InputType: "MANIFEST", ManifestType: "ATHENA_DATA"},
			[]any{map[string]any{"n": n("1")}, map[string]any{"n": n("2")}, map[string]any{"n": n("3")}}},
		{"list objects, across pages", itemreader.Request{Resource: listV2, Bucket: "list"},
			[]any{obj("a.txt", "2"), obj("b.txt", "2"), obj("c.txt", "2"), obj("d.txt", "2"), obj("e.txt", "2")}},
		{"list objects, prefix and max items", itemreader.Request{Resource: listV2, Bucket: "list", Prefix: "c", MaxItems: 4},
			[]any{obj("c.txt", "2")}},
		{"list objects, none", itemreader.Request{Resource: listV2, Bucket: "list", Prefix: "zzz"}, nil},
		{"list objects, load and flatten", itemreader.Request{Resource: "arn:aws-cn:states:::s3:listObjectsV2", Bucket: "logs", Prefix: "2025/", Transformation: "LOAD_AND_FLATTEN", InputType: "JSONL"},
			[]any{map[string]any{"l": n("1")}, map[string]any{"l": n("2")}, map[string]any{"l": n("3")}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := readAll(t, store, tt.req)
			if err != nil {
				t.Fatalf("read: %v", err)
			}
			if diff := cmp.Diff(got, tt.want); diff != "" {
				t.Errorf("items (-got +want):\n%s", diff)
			}
		})
	}
}

func TestReadErrors(t *testing.T) {
	store := newMemStore()
	store.put("b", "bad.csv", "a,b\n\"x,y\n")
	store.put("b", "wide.csv", "a,b\n1,2,3\n")
	store.put("b", "empty.csv", "")
	store.put("b", "object.json", `{"a":1}`)
	store.put("b", "trunc.json", `[1, {"a":`)
	store.put("b", "trailing.json", `[1] [2]`)
	store.put("b", "bad.jsonl", "{\"a\":1}\n{\"a\":\n")
	store.put("b", "two.jsonl", "1 2\n")
	store.put("b", "manifest.json", `{"fileFormat":"ORC","fileSchema":"Bucket, Key","files":[]}`)
	store.put("b", "notjson.json", `nope`)
	store.put("b", "missingfile.json", `{"destinationBucket":"arn:aws:s3:::b","fileFormat":"CSV","fileSchema":"Bucket, Key","files":[{"key":"gone.csv.gz"}]}`)
	tests := []struct {
		name string
		req  itemreader.Request
	}{
		{"missing object", itemreader.Request{Resource: getObject, Bucket: "b", Key: "nope.csv", InputType: "CSV"}},
		{"missing bucket", itemreader.Request{Resource: listV2, Bucket: "nobucket"}},
		{"unterminated quote", itemreader.Request{Resource: getObject, Bucket: "b", Key: "bad.csv", InputType: "CSV"}},
		{"more fields than the header", itemreader.Request{Resource: getObject, Bucket: "b", Key: "wide.csv", InputType: "CSV"}},
		{"empty csv", itemreader.Request{Resource: getObject, Bucket: "b", Key: "empty.csv", InputType: "CSV"}},
		{"json object, not array", itemreader.Request{Resource: getObject, Bucket: "b", Key: "object.json", InputType: "JSON"}},
		{"truncated json", itemreader.Request{Resource: getObject, Bucket: "b", Key: "trunc.json", InputType: "JSON"}},
		{"data after the array", itemreader.Request{Resource: getObject, Bucket: "b", Key: "trailing.json", InputType: "JSON"}},
		{"bad jsonl line", itemreader.Request{Resource: getObject, Bucket: "b", Key: "bad.jsonl", InputType: "JSONL"}},
		{"two values on a jsonl line", itemreader.Request{Resource: getObject, Bucket: "b", Key: "two.jsonl", InputType: "JSONL"}},
		{"orc inventory", itemreader.Request{Resource: getObject, Bucket: "b", Key: "manifest.json", InputType: "MANIFEST"}},
		{"manifest not json", itemreader.Request{Resource: getObject, Bucket: "b", Key: "notjson.json", InputType: "MANIFEST"}},
		{"inventory file missing", itemreader.Request{Resource: getObject, Bucket: "b", Key: "missingfile.json", InputType: "MANIFEST"}},
		{"parquet", itemreader.Request{Resource: getObject, Bucket: "b", Key: "x", InputType: "PARQUET"}},
		{"no input type", itemreader.Request{Resource: getObject, Bucket: "b", Key: "x"}},
		{"bad delimiter", itemreader.Request{Resource: getObject, Bucket: "b", Key: "bad.csv", InputType: "CSV", CSVDelimiter: "COLON"}},
		{"given without headers", itemreader.Request{Resource: getObject, Bucket: "b", Key: "bad.csv", InputType: "CSV", CSVHeaderLocation: "GIVEN"}},
		{"no key", itemreader.Request{Resource: getObject, Bucket: "b", InputType: "CSV"}},
		{"no bucket", itemreader.Request{Resource: listV2}},
		{"other resource", itemreader.Request{Resource: "arn:aws:states:::s3:putObject", Bucket: "b"}},
		{"bad transformation", itemreader.Request{Resource: listV2, Bucket: "b", Transformation: "FLATTEN"}},
		{"max items too large", itemreader.Request{Resource: listV2, Bucket: "b", MaxItems: 100_000_001}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := readAll(t, store, tt.req)
			var ie *itemreader.Error
			if !errors.As(err, &ie) {
				t.Fatalf("err = %v, want an *itemreader.Error", err)
			}
			if ie.Cause == "" || ie.Name() != asl.ErrItemReaderFailed {
				t.Errorf("error = %q (%s), want a cause and %s", ie.Cause, ie.Name(), asl.ErrItemReaderFailed)
			}
		})
	}
}

func TestNewRequest(t *testing.T) {
	got, err := itemreader.NewRequest(getObject, map[string]any{"Bucket": "b", "Key": "k", "VersionId": "v", "Other": 1})
	if err != nil {
		t.Fatal(err)
	}
	want := itemreader.Request{Resource: getObject, Bucket: "b", Key: "k", VersionID: "v"}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("request (-got +want):\n%s", diff)
	}
	for _, params := range []map[string]any{{"Bucket": 1}, {"Key": []any{}}, {"Prefix": true}} {
		_, err := itemreader.NewRequest(getObject, params)
		var ie *itemreader.Error
		if !errors.As(err, &ie) {
			t.Errorf("NewRequest(%v) = %v, want an *itemreader.Error", params, err)
		}
	}
}
