package process_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/sluicehq/sluice/tasks/internal/s3test"
	"github.com/sluicehq/sluice/tasks/process"
)

// Handlers built per invocation and sharing one BufferPool, run concurrently on a small and a large
// object (one that fills several batches) one after another, stage exactly the bytes a Handler with a
// pool of its own stages: whatever writer or buffer an invocation gets from the pool, it starts clean.
func TestSharedBufferPool(t *testing.T) {
	s := s3test.New(t, bucket)
	putSchema(t, s, "orders", "orders.schema.json")
	var big strings.Builder
	big.WriteString("order_id,quantity,price,status,gift,day,created,note\n")
	const bigRows = 3000
	for i := range bigRows {
		fmt.Fprintf(&big, "ORD-%06d,%d,%d.25,paid,true,2024-03-01,2024-03-01T09:00:00Z,note %d\n", i, i%50+1, i%900, i)
	}
	inputs := []struct {
		key  string
		body string
		rows int64
	}{
		{"incoming/orders/small.csv", ordersCSV, 3},
		{"incoming/orders/big.csv", big.String(), bigRows},
	}
	want := map[string]string{}
	for _, in := range inputs {
		out, err := newHandler(s).Handle(context.Background(), invocation(t, s, in.key, []byte(in.body), in.rows))
		if err != nil {
			t.Fatalf("%s: %v", in.key, err)
		}
		want[in.key] = out.SHA256
	}
	pool := &process.BufferPool{}
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := range 6 {
				in := inputs[(w+i)%len(inputs)]
				inv := invocation(t, s, in.key, []byte(in.body), in.rows)
				inv.Execution = fmt.Sprintf("arn:aws:states:us-east-1:123456789012:execution:Pipeline:w%d-%d", w, i)
				out, err := newHandler(s, process.WithBufferPool(pool)).Handle(context.Background(), inv)
				if err != nil {
					t.Errorf("%s: %v", in.key, err)
					return
				}
				if out.SHA256 != want[in.key] {
					t.Errorf("%s: staged digest %s, want %s", in.key, out.SHA256, want[in.key])
				}
			}
		})
	}
	wg.Wait()
}
