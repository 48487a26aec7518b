package durablelog

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// childEnv makes the test binary act as a writer that TestKillWriter kills.
const childEnv = "DURABLELOG_KILL_CHILD"

func TestMain(m *testing.M) {
	if path := os.Getenv(childEnv); path != "" {
		os.Exit(killChild(path))
	}
	os.Exit(m.Run())
}

// killChild appends from four goroutines, printing each record once Append has returned,
// until it is killed (or has written a bounded number).
func killChild(path string) int {
	l, err := Open(path, Options{Sync: SyncGroup, Logger: discard()})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	out := bufio.NewWriter(os.Stdout)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			big := strings.Repeat("b", 64<<10)
			for i := range 20000 {
				rec := fmt.Sprintf("%d %d", w, i)
				recs := [][]byte{[]byte(rec)}
				if i%7 == 0 {
					recs = append(recs, []byte(big)) // a large batch: a kill may tear it
				}
				if err := l.Append(context.Background(), recs...); err != nil {
					fmt.Fprintln(os.Stderr, err)
					os.Exit(1)
				}
				mu.Lock()
				fmt.Fprintln(out, rec)
				out.Flush()
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return 0
}

// TestKillWriter kills -9 a process appending in a loop: after reopening, every record it
// acknowledged is there, each writer's records form a gap-free prefix, and every batch is
// whole.
func TestKillWriter(t *testing.T) {
	path := logPath(t)
	for round := range 3 {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), childEnv+"="+path)
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		acked := map[int]int{} // writer -> records acknowledged
		sc := bufio.NewScanner(stdout)
		lines := 0
		deadline := time.Now().Add(10 * time.Second)
		for sc.Scan() && time.Now().Before(deadline) {
			var w, i int
			if _, err := fmt.Sscanf(sc.Text(), "%d %d", &w, &i); err != nil {
				t.Fatalf("child said %q", sc.Text())
			}
			acked[w] = max(acked[w], i+1)
			if lines++; lines == 300+round*200 {
				break
			}
		}
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		if lines == 0 {
			t.Fatal("child acknowledged nothing")
		}

		l := openT(t, path, Options{Sync: SyncGroup})
		count := map[int]int{}
		var prevBig bool
		if err := l.Replay(func(rec []byte) error {
			if len(rec) == 64<<10 {
				if !prevBig {
					return fmt.Errorf("big record without its batch head")
				}
				prevBig = false
				return nil
			}
			if prevBig {
				return fmt.Errorf("batch head without its big record")
			}
			var w, i int
			if _, err := fmt.Sscanf(string(rec), "%d %d", &w, &i); err != nil {
				return fmt.Errorf("record %q: %w", rec, err)
			}
			if i != count[w]%20000 {
				return fmt.Errorf("writer %d: record %d after %d records", w, i, count[w])
			}
			count[w]++
			prevBig = i%7 == 0
			return nil
		}); err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		for w, n := range acked {
			if count[w] < n {
				t.Errorf("round %d: writer %d: %d records in the log, %d acknowledged", round, w, count[w], n)
			}
		}
		t.Logf("round %d: %d acknowledged, recovery %+v", round, lines, l.Recovery())
		if len(l.Recovery().Corrupt) != 0 {
			t.Errorf("round %d: corrupt ranges after a kill: %+v", round, l.Recovery().Corrupt)
		}
		l.Close()
		// Each round starts a fresh log (the child's writers count from 0).
		os.Remove(path)
	}
}
