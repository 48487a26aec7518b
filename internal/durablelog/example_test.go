package durablelog_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/sluicehq/sluice/internal/durablelog"
)

func Example() {
	dir, err := os.MkdirTemp("", "durablelog-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "state.log")
	ctx := context.Background()

	l, err := durablelog.Open(path, durablelog.Options{Sync: durablelog.SyncGroup})
	if err != nil {
		log.Fatal(err)
	}
	// A batch is one frame: after a crash, both records are there or neither is.
	if err := l.Append(ctx, []byte(`{"put":"a"}`), []byte(`{"put":"b"}`)); err != nil {
		log.Fatal(err) // errors.Is(err, durablelog.ErrUnhealthy) for a disk error
	}
	if err := l.Append(ctx, []byte(`{"delete":"a"}`)); err != nil {
		log.Fatal(err)
	}
	// Rewrite the log as the state it describes.
	if err := l.Compact(ctx, func(emit func([]byte) error) error { return emit([]byte(`{"put":"b"}`)) }); err != nil {
		log.Fatal(err)
	}
	l.Close()

	l, err = durablelog.Open(path, durablelog.Options{Sync: durablelog.SyncGroup})
	if err != nil {
		log.Fatal(err)
	}
	defer l.Close()
	fmt.Printf("clean: %v\n", l.Recovery().Clean())
	l.Replay(func(rec []byte) error {
		fmt.Println(string(rec))
		return nil
	})
	// Output:
	// clean: true
	// {"put":"b"}
}
