package s3

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"strings"
	"sync"
	"testing"
)

// TestWriteXMLBodyConcurrent encodes distinct bodies on many goroutines at once, each through a
// writer from the shared pool, and checks that every output is exactly what encoding/xml writes
// for the same value without a pooled buffer. A buffer handed to a second response while the first
// still used it would mix the two outputs, and under -race report the overlapping writes.
func TestWriteXMLBodyConcurrent(t *testing.T) {
	const workers, rounds = 8, 200
	var wg sync.WaitGroup
	errs := make(chan string, workers)
	for g := range workers {
		wg.Go(func() {
			for i := range rounds {
				// Every few bodies are larger than the 4 KiB buffer, so that they are written in parts.
				msg := fmt.Sprintf("worker %d body %d %s", g, i, strings.Repeat("x<&>", (i%5)*400))
				v := errorBody{Code: "NoSuchKey", Message: msg, Resource: fmt.Sprintf("/b/k-%d-%d", g, i), RequestID: "R"}
				var got bytes.Buffer
				writeXMLBody(&got, v)
				want, err := xml.Marshal(v)
				if err != nil {
					errs <- err.Error()
					return
				}
				if got.String() != xml.Header+string(want) {
					errs <- fmt.Sprintf("worker %d body %d: got %q, want %q", g, i, got.String(), xml.Header+string(want))
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

// goneClient is a response whose client went away: every write fails.
type goneClient struct{}

func (goneClient) Write([]byte) (int, error) { return 0, fmt.Errorf("client went away") }

// TestWriteXMLBodyAfterFailedWrite checks that a writer whose client went away goes back to the pool
// without its error: the next response through it is written whole.
func TestWriteXMLBodyAfterFailedWrite(t *testing.T) {
	v := errorBody{Code: "NoSuchKey", Message: "m", Resource: "/b/k", RequestID: "R"}
	want, err := xml.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 20 {
		writeXMLBody(goneClient{}, v)
		var got bytes.Buffer
		writeXMLBody(&got, v)
		if got.String() != xml.Header+string(want) {
			t.Fatalf("round %d: got %q, want %q", i, got.String(), xml.Header+string(want))
		}
	}
}
