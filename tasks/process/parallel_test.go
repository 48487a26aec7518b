package process_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sluicehq/sluice/tasks"
	"github.com/sluicehq/sluice/tasks/internal/s3test"
	"github.com/sluicehq/sluice/tasks/process"
	"github.com/sluicehq/sluice/tasks/schema"
)

// bigOrders is a CSV of the orders schema of about 900 KB (several chunks of the pipeline), with a row
// of the given text at each index of bad.
func bigOrders(rows int, bad map[int]string) string {
	var b strings.Builder
	b.WriteString("order_id,quantity,price,status,gift,day,created,note\n")
	for i := range rows {
		if row, ok := bad[i]; ok {
			b.WriteString(row + "\n")
			continue
		}
		fmt.Fprintf(&b, "ORD-%06d,%d,%d.%02d,%s,%s,2024-03-%02d,2024-03-01T%02d:%02d:%02d+01:00,note %d with some text\n",
			i, i%50+1, i%900, i%100, [3]string{"new", "paid", "shipped"}[i%3], [3]string{"true", "false", ""}[i%3],
			i%28+1, i/3600%24, i/60%60, i%60, i*7919%1000)
	}
	return b.String()
}

// A large object is staged as the same bytes, with the same result, whatever the parallelism, and its
// lines are one per row: the pieces compressed by different workers join in order.
func TestProcessParallelismStagesTheSameBytes(t *testing.T) {
	s := s3test.New(t, bucket)
	putSchema(t, s, "orders", "orders.schema.json")
	const rows = 10000
	in := invocation(t, s, "incoming/orders/big.csv", []byte(bigOrders(rows, nil)), rows)
	var first tasks.ProcessOutput
	for _, n := range []int{1, 2, 3, 8} {
		out, err := newHandler(s, process.WithParallelism(n)).Handle(t.Context(), in)
		if err != nil {
			t.Fatalf("parallelism %d: %v", n, err)
		}
		_, text, _ := staged(t, s, out.Staging.Key)
		if lines := strings.Count(text, "\n"); lines != rows {
			t.Errorf("parallelism %d: %d lines, want %d", n, lines, rows)
		}
		if n == 1 {
			first = out
			continue
		}
		if diff := cmp.Diff(out, first); diff != "" {
			t.Errorf("parallelism %d against 1 (-got +want):\n%s", n, diff)
		}
	}
}

// The error of a large object is the first bad row's, as reading row by row gives it, however many
// workers race through the chunks: a refused value wins over a malformed row later in the object, and
// over another refused value later still.
func TestProcessParallelismFirstBadRowWins(t *testing.T) {
	refused := "ORD-000001,0,1.00,new,true,2024-03-01,2024-03-01T00:00:00Z,x" // quantity below its minimum
	malformed := "ORD-000002,1,1.00"                                          // too few fields
	cases := []struct {
		name string
		bad  map[int]string
		want tasks.InvalidObjectError
	}{
		{"refused late", map[int]string{9000: refused}, tasks.InvalidObjectError{Line: 9002, Column: "quantity", Code: schema.CodeMin}},
		{"refused before malformed", map[int]string{4000: refused, 8000: malformed}, tasks.InvalidObjectError{Line: 4002, Column: "quantity", Code: schema.CodeMin}},
		{"malformed before refused", map[int]string{4000: malformed, 8000: refused}, tasks.InvalidObjectError{Line: 4002}},
		{"refused twice", map[int]string{7000: refused, 9999: refused}, tasks.InvalidObjectError{Line: 7002, Column: "quantity", Code: schema.CodeMin}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := s3test.New(t, bucket)
			putSchema(t, s, "orders", "orders.schema.json")
			in := invocation(t, s, "incoming/orders/big.csv", []byte(bigOrders(10000, tc.bad)), 10000)
			var serial *tasks.InvalidObjectError
			for _, n := range []int{1, 4} {
				_, err := newHandler(s, process.WithParallelism(n)).Handle(context.Background(), in)
				var got *tasks.InvalidObjectError
				if !errors.As(err, &got) {
					t.Fatalf("parallelism %d: got %v, want an *InvalidObjectError", n, err)
				}
				if got.Line != tc.want.Line || (tc.want.Column != "" && (got.Column != tc.want.Column || got.Code != tc.want.Code)) {
					t.Errorf("parallelism %d: got %+v, want line %d column %q code %q", n, *got, tc.want.Line, tc.want.Column, tc.want.Code)
				}
				if serial == nil {
					serial = got
				} else if *got != *serial {
					t.Errorf("parallelism %d: got %+v, parallelism 1 gave %+v", n, *got, *serial)
				}
			}
			nothingStaged(t, s)
		})
	}
}
