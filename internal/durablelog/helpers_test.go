package durablelog

import (
	"bytes"
	"context"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
)

// logBuffer captures what a Log logs.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func testLogger(b *logBuffer) *slog.Logger {
	return slog.New(slog.NewTextHandler(b, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

func openT(t testing.TB, path string, opts Options) *Log {
	t.Helper()
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	l, err := Open(path, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

func replayAll(t testing.TB, l *Log) []string {
	t.Helper()
	var got []string
	if err := l.Replay(func(rec []byte) error {
		got = append(got, string(rec))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return got
}

func appendT(t testing.TB, l *Log, recs ...string) {
	t.Helper()
	bs := make([][]byte, len(recs))
	for i, r := range recs {
		bs[i] = []byte(r)
	}
	if err := l.Append(context.Background(), bs...); err != nil {
		t.Fatal(err)
	}
}

func logPath(t testing.TB) string { return filepath.Join(t.TempDir(), "test.log") }

func discard() *slog.Logger { return slog.New(slog.DiscardHandler) }
