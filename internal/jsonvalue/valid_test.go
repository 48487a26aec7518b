package jsonvalue

import (
	"encoding/json"
	"testing"
)

// FuzzValid holds Valid to json.Valid.
func FuzzValid(f *testing.F) {
	for _, s := range []string{`{}`, ` {"a":[1,2,{"b":null}]} `, `"x"`, `1e400`, `-01`, `{"a":1,}`, `[`, ``, ` `,
		"\"\xff\"", `{"a":"\u12"}`, `nul`, `{} {}`, `[1,]`, "\"\x01\"", `{"a" 1}`, `0.`, `.5`, `1e`, `true false`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if got, want := Valid(data), json.Valid(data); got != want {
			t.Errorf("Valid(%q) = %v, json.Valid %v", data, got, want)
		}
	})
}

func BenchmarkValid(b *testing.B) {
	doc := []byte(`{"version":"0","id":"6a7e8feb-b491-4cf7-a9f1-bf3703467718","detail-type":"Object Created","source":"aws.s3",` +
		`"account":"000000000000","time":"2026-12-06T12:00:00Z","region":"us-east-1","resources":["arn:aws:s3:::bucket"],` +
		`"detail":{"version":"0","bucket":{"name":"bucket"},"object":{"key":"incoming/orders/part-00042.csv","size":2048,` +
		`"etag":"0123456789abcdef0123456789abcdef","sequencer":"0018A2B3C4D5E6F7"},"request-id":"0123456789ABCDEF","reason":"PutObject"}}`)
	b.Run("jsonvalue", func(b *testing.B) {
		for b.Loop() {
			if !Valid(doc) {
				b.Fatal("invalid")
			}
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		for b.Loop() {
			if !json.Valid(doc) {
				b.Fatal("invalid")
			}
		}
	})
}
