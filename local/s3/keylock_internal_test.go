package s3

import (
	"errors"
	"fmt"
	"sync"
	"testing"
)

// Writers released together at the commit step (no HTTP in between to spread them out):
// of N conditional writes to one key, exactly one commits, whether they race on a new key
// with If-None-Match or on the current ETag with If-Match.
func TestCommitPutLinearisable(t *testing.T) {
	const writers, rounds = 8, 30
	srv, err := New(WithDataDir(t.TempDir()), WithSync(false))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	if err := srv.CreateBucket("lin"); err != nil {
		t.Fatal(err)
	}
	for _, cond := range []string{"if-none-match", "if-match"} {
		t.Run(cond, func(t *testing.T) {
			for r := range rounds {
				key := fmt.Sprintf("%s-%d", cond, r)
				var etag string
				if cond == "if-match" {
					v, err := srv.commitPut("lin", key, version{ETag: "original"}, nil, ReasonPutObject, origin{})
					if err != nil {
						t.Fatal(err)
					}
					etag = v.ETag
				}
				start := make(chan struct{})
				var (
					wg   sync.WaitGroup
					mu   sync.Mutex
					wins int
				)
				for w := range writers {
					wg.Go(func() {
						c := &writeConditions{HasIfNoneMatch: cond == "if-none-match", HasIfMatch: cond == "if-match", IfMatch: etag}
						<-start
						_, err := srv.commitPut("lin", key, version{ETag: fmt.Sprintf("w%d", w)}, c, ReasonPutObject, origin{})
						var ae *apiError
						switch {
						case err == nil:
							mu.Lock()
							wins++
							mu.Unlock()
						case !errors.As(err, &ae) || ae.Code != "PreconditionFailed":
							t.Errorf("commit: got %v, want success or PreconditionFailed", err)
						}
					})
				}
				close(start)
				wg.Wait()
				if wins != 1 {
					t.Fatalf("%s: %d writers committed, want exactly 1", key, wins)
				}
			}
		})
	}
}
