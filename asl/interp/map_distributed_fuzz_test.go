package interp

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

// FuzzDistributedBatching batches arbitrary items by count and size: every
// item reaches exactly one child, in order; no batch is empty, holds more
// than MaxItemsPerBatch items or, unless it holds a single item, renders
// larger than MaxInputBytesPerBatch.
// https://docs.aws.amazon.com/step-functions/latest/dg/input-output-itembatcher.html
func FuzzDistributedBatching(f *testing.F) {
	f.Add(uint8(5), uint8(2), uint16(0), "abc")
	f.Add(uint8(9), uint8(0), uint16(30), "a\x00bb\"cc")
	f.Add(uint8(40), uint8(3), uint16(25), "\u00e9x")
	f.Add(uint8(1), uint8(1), uint16(1), "")
	f.Fuzz(func(t *testing.T, n, perBatch uint8, maxBytes uint16, seed string) {
		if perBatch == 0 && maxBytes == 0 {
			return // an ItemBatcher needs a limit
		}
		// Keep the Map's output (every batch, as the state's result) under the 256 KiB payload limit,
		// past which the state fails with States.DataLimitExceeded as AWS's does: at most 255 items of
		// three copies of 32 bytes, escaped to at most six bytes each.
		if len(seed) > 32 {
			seed = seed[:32]
		}
		var batcher []string
		if perBatch > 0 {
			batcher = append(batcher, fmt.Sprintf(`"MaxItemsPerBatch":%d`, perBatch))
		}
		if maxBytes > 0 {
			batcher = append(batcher, fmt.Sprintf(`"MaxInputBytesPerBatch":%d`, maxBytes))
		}
		items := make([]any, n)
		for i := range items {
			// Items of varied shapes and lengths made from the seed.
			s := strings.Repeat(seed, i%4)
			switch i % 3 {
			case 0:
				items[i] = s
			case 1:
				items[i] = map[string]any{"i": jsonInt(i), "s": s}
			default:
				items[i] = []any{jsonInt(i), s}
			}
		}
		def := distMap(`"ItemsPath":"$.items","ItemBatcher":{`+strings.Join(batcher, ",")+`},`, "")
		m := compile(t, def, WithClock(NewVirtualClock(epoch)))
		r := m.Run(context.Background(), map[string]any{"items": items})
		if r.Status != StatusSucceeded {
			t.Fatalf("status %s: %s %s", r.Status, r.Error, r.Cause)
		}
		var got []any
		for _, b := range r.Output.([]any) {
			batch := b.(map[string]any)["Items"].([]any)
			if len(batch) == 0 {
				t.Fatalf("empty batch")
			}
			if perBatch > 0 && len(batch) > int(perBatch) {
				t.Fatalf("batch of %d items, limit %d", len(batch), perBatch)
			}
			if size := len(render(b)); maxBytes > 0 && len(batch) > 1 && size > int(maxBytes) {
				t.Fatalf("batch of %d bytes, limit %d: %s", size, maxBytes, render(b))
			}
			got = append(got, batch...)
		}
		if render(got) != render(items) && !(len(got) == 0 && len(items) == 0) {
			t.Fatalf("items in batches %s, want %s", render(got), render(items))
		}
	})
}

// FuzzDistributedThreshold runs items of which some fail under arbitrary
// tolerated counts and percentages: the Map Run fails exactly when the
// failed items exceed a threshold that is set, or any fail with neither.
// https://docs.aws.amazon.com/step-functions/latest/dg/maprun-fail-threshold.html
func FuzzDistributedThreshold(f *testing.F) {
	f.Add(uint8(10), uint32(0b11), int16(-1), int16(-1))
	f.Add(uint8(10), uint32(0b11), int16(2), int16(-1))
	f.Add(uint8(10), uint32(0b111), int16(-1), int16(20))
	f.Add(uint8(7), uint32(0b1010101), int16(3), int16(50))
	f.Add(uint8(0), uint32(0), int16(0), int16(0))
	f.Fuzz(func(t *testing.T, n uint8, failMask uint32, count, pct int16) {
		n %= 24
		var fields, items []string
		if count >= 0 {
			fields = append(fields, fmt.Sprintf(`"ToleratedFailureCount":%d`, count))
		}
		if pct >= 0 {
			pct %= 101
			fields = append(fields, fmt.Sprintf(`"ToleratedFailurePercentage":%d`, pct))
		}
		failed := 0
		for i := range int(n) {
			if failMask&(1<<i) != 0 {
				items = append(items, `{"fail":true}`)
				failed++
			} else {
				items = append(items, `{}`)
			}
		}
		def := distMap(`"ItemsPath":"$.items",`+strings.Join(append(fields, ""), ","), failingProcessor)
		m := compile(t, def, WithClock(NewVirtualClock(epoch)), WithTaskInvoker(failingItems))
		r := m.Run(context.Background(), mustJSON(t, `{"items":[`+strings.Join(items, ",")+`]}`))
		exceeded := failed > 0
		if count >= 0 || pct >= 0 {
			exceeded = (count >= 0 && failed > int(count)) || (pct >= 0 && failed*100 > int(pct)*int(n))
		}
		if got := r.Error == "States.ExceedToleratedFailureThreshold"; got != exceeded || (!exceeded && r.Status != StatusSucceeded) {
			t.Fatalf("%d of %d failed, count %d, percentage %d: got %s %s, want exceeded=%v", failed, n, count, pct, r.Status, r.Error, exceeded)
		}
	})
}
