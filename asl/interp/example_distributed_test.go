package interp_test

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/sluicehq/sluice/asl"
	"github.com/sluicehq/sluice/asl/interp"
)

// lines is an ItemIterator over the lines of a text, one item a line.
type lines struct{ rest []string }

func (l *lines) Next(context.Context) (any, error) {
	if len(l.rest) == 0 {
		return nil, io.EOF
	}
	line := l.rest[0]
	l.rest = l.rest[1:]
	return map[string]any{"line": line}, nil
}

func (l *lines) Close() error { return nil }

// A distributed Map over a host's data set: the host's ItemReader streams
// the items, the engine batches them and runs each batch as a child
// execution.
func ExampleWithItemReader() {
	sm, err := asl.Parse([]byte(`{
	  "StartAt": "Each",
	  "States": {
	    "Each": {
	      "Type": "Map",
	      "ItemReader": {
	        "Resource": "arn:aws:states:::s3:getObject",
	        "ReaderConfig": {"InputType": "JSONL", "MaxItems": 3},
	        "Parameters": {"Bucket": "in", "Key.$": "$.key"}
	      },
	      "ItemBatcher": {"MaxItemsPerBatch": 2, "BatchInput": {"key.$": "$.key"}},
	      "ItemProcessor": {
	        "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
	        "StartAt": "Count",
	        "States": {"Count": {"Type": "Pass", "Parameters": {"n.$": "States.ArrayLength($.Items)", "key.$": "$.BatchInput.key"}, "End": true}}
	      },
	      "End": true
	    }
	  }
	}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	reader := interp.ItemReaderFunc(func(ctx context.Context, req interp.ItemReadRequest) (interp.ItemIterator, error) {
		fmt.Println("read", req.Arguments["Bucket"], req.Arguments["Key"], req.Config.InputType)
		return &lines{rest: strings.Split("a\nb\nc\nd", "\n")}, nil
	})
	m, err := interp.New(sm, interp.WithItemReader(reader))
	if err != nil {
		fmt.Println(err)
		return
	}
	r := m.Run(context.Background(), map[string]any{"key": "data.jsonl"})
	fmt.Println(r.Status, r.Output)
	// Output:
	// read in data.jsonl JSONL
	// SUCCEEDED [map[key:data.jsonl n:2] map[key:data.jsonl n:1]]
}
