package s3

import (
	"bufio"
	"encoding/xml"
	"io"
	"sync"
)

// xmlWriters are the buffers XML response bodies are encoded through. xml.NewEncoder wraps the
// writer it is given in a new 4 KiB bufio.Writer unless that writer already is one of at least that
// size, so every XML answer (errors, CopyObject, DeleteObjects, listings) cost a fresh buffer; these
// are reused instead. A writer is flushed into the response before it goes back: the ResponseWriter
// copies what Write hands it (net/http's server into its connection's buffer, the stack's in-process
// transport into its response buffer or through its pipe), as io.Writer requires, so nothing refers to
// the buffer once writeXMLBody returns, and Reset(nil) drops the response.
var xmlWriters = sync.Pool{New: func() any { return bufio.NewWriterSize(nil, 4096) }}

// writeXMLBody writes the XML declaration and v encoded as encoding/xml does to w: the bytes of
// w.Write([]byte(xml.Header)) followed by xml.NewEncoder(w).Encode(v). An error writing means the
// client went away (the status is sent); it is dropped, as it was before.
func writeXMLBody(w io.Writer, v any) {
	bw := xmlWriters.Get().(*bufio.Writer)
	bw.Reset(w)
	_, _ = bw.WriteString(xml.Header)
	// The encoder writes through bw itself (bufio.NewWriter returns it) and flushes it once v is
	// encoded. The bodies' types always encode; a value that did not would leave what is still
	// buffered unsent, as the encoder's own buffer did.
	_ = xml.NewEncoder(bw).Encode(v)
	bw.Reset(nil)
	xmlWriters.Put(bw)
}
