package pattern_test

import (
	"encoding/json"
	"testing"

	"github.com/sluicehq/sluice/local/events/pattern"
)

// s3Event is an "Object Created" event as S3 sends it to EventBridge
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/ev-events.html).
const s3Event = `{"version":"0","id":"17793124-05d4-b198-2fde-7ededc63b103","detail-type":"Object Created",
"source":"aws.s3","account":"123456789012","time":"2021-11-12T00:00:00Z","region":"us-east-1",
"resources":["arn:aws:s3:::example-bucket"],"detail":{"version":"0","bucket":{"name":"example-bucket"},
"object":{"key":"incoming/2021/11/12/data-000123.csv","size":5242880,"etag":"b1946ac92492d2347c6235b4d2611184",
"sequencer":"00617F08299329D189"},"request-id":"N4N7GDK58NMKJ12R","requester":"123456789012",
"source-ip-address":"1.2.3.4","reason":"PutObject"}}`

const s3Pattern = `{"source":["aws.s3"],"detail-type":["Object Created"],
"detail":{"bucket":{"name":["example-bucket"]},"object":{"key":[{"prefix":"incoming/"}],"size":[{"numeric":[">",0]}]}}}`

// BenchmarkUnmarshalBaseline is the baseline: decoding the event with
// encoding/json, which any matcher that needs a decoded event pays first.
func BenchmarkUnmarshalBaseline(b *testing.B) {
	data := []byte(s3Event)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		var v any
		if err := json.Unmarshal(data, &v); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMatch(b *testing.B) {
	p := pattern.MustCompile(s3Pattern)
	data := []byte(s3Event)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		ok, err := p.Match(data)
		if err != nil || !ok {
			b.Fatal(ok, err)
		}
	}
}

func BenchmarkMatchParallel(b *testing.B) {
	p := pattern.MustCompile(s3Pattern)
	data := []byte(s3Event)
	b.SetBytes(int64(len(data)))
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if ok, err := p.Match(data); err != nil || !ok {
				b.Fatal(ok, err)
			}
		}
	})
}

func BenchmarkMatchValue(b *testing.B) {
	p := pattern.MustCompile(s3Pattern)
	var v any
	if err := json.Unmarshal([]byte(s3Event), &v); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if ok, err := p.MatchValue(v); err != nil || !ok {
			b.Fatal(ok, err)
		}
	}
}

func BenchmarkMatchOr(b *testing.B) {
	p := pattern.MustCompile(`{"source":["aws.s3"],"$or":[{"detail":{"object":{"key":[{"suffix":".json"}]}}},
		{"detail":{"object":{"key":[{"wildcard":"incoming/*/data-*.csv"}]}}},{"detail":{"reason":[{"anything-but":["PutObject"]}]}}]}`)
	data := []byte(s3Event)
	for b.Loop() {
		if ok, err := p.Match(data); err != nil || !ok {
			b.Fatal(ok, err)
		}
	}
}

func BenchmarkCompile(b *testing.B) {
	src := []byte(s3Pattern)
	for b.Loop() {
		if _, err := pattern.Compile(src); err != nil {
			b.Fatal(err)
		}
	}
}
