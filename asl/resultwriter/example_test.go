package resultwriter_test

import (
	"context"
	"fmt"
	"os"
	"sort"

	"github.com/sluicehq/sluice/asl/resultwriter"
)

// New exports a Map Run's results in Step Functions' layout: one file per group and manifest.json.
func ExampleNew() {
	store := &memPutter{}
	w, err := resultwriter.New(resultwriter.Config{Bucket: "out", Prefix: "jobs", MapRunArn: runArn, TempDir: os.TempDir()}, store)
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	for _, r := range []resultwriter.Record{ok("a", `{"n":1}`, `{"ok":true}`), failed("b", `{"n":2}`)} {
		if err := w.Add(ctx, r); err != nil {
			panic(err)
		}
	}
	if _, err := w.Close(ctx); err != nil {
		panic(err)
	}
	var keys []string
	for k := range store.objects {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Println(k)
	}
	// Output:
	// out/jobs/0f4b63bf-ef4b-3bcb-8b6a-9e46e2d3cc4a/FAILED_0.json
	// out/jobs/0f4b63bf-ef4b-3bcb-8b6a-9e46e2d3cc4a/SUCCEEDED_0.json
	// out/jobs/0f4b63bf-ef4b-3bcb-8b6a-9e46e2d3cc4a/manifest.json
}
