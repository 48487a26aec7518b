package asl_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/sluicehq/sluice/asl"
)

// chain builds a machine of n Pass states with Parameters and ResultPath.
func chain(n int) []byte {
	var b bytes.Buffer
	b.WriteString(`{"StartAt":"S0","States":{`)
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `"S%d":{"Type":"Pass","Parameters":{"i":%d,"v.$":"$.v"},"ResultPath":"$.r%d",`, i, i, i%4)
		if i == n-1 {
			b.WriteString(`"End":true}`)
		} else {
			fmt.Fprintf(&b, `"Next":"S%d"}`, i+1)
		}
	}
	b.WriteString(`}}`)
	return b.Bytes()
}

// The baseline is decoding the same bytes into a generic JSON value with
// encoding/json, which Parse does first: compare Parse's ns/op to it.
func benchmarkParse(b *testing.B, data []byte) {
	b.Run("baseline-json-decode", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for b.Loop() {
			d := json.NewDecoder(bytes.NewReader(data))
			d.UseNumber()
			var v any
			if err := d.Decode(&v); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Parse", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := asl.Parse(data); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkParseJSONPathExample(b *testing.B) {
	data, err := os.ReadFile(filepath.Join("testdata", "valid", "jsonpath.asl.json"))
	if err != nil {
		b.Fatal(err)
	}
	benchmarkParse(b, data)
}

func BenchmarkParseChain100(b *testing.B) { benchmarkParse(b, chain(100)) }

func BenchmarkMarshal(b *testing.B) {
	sm, err := asl.Parse(chain(100))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := json.Marshal(sm); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkErrorMatches(b *testing.B) {
	list := []string{"Lambda.ServiceException", "Lambda.TooManyRequestsException", asl.ErrTaskFailed}
	for b.Loop() {
		asl.ErrorMatches(list, "ValidationError")
	}
}
