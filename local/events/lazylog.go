package events

import (
	"fmt"
	"log/slog"

	"github.com/sluicehq/sluice/internal/durablelog"
)

// lazyLog is the durable log of a FileStore or FileQueue, opened on first use and never
// again once closed. Its owner serialises the calls.
type lazyLog struct {
	path   string
	policy durablelog.SyncPolicy
	log    *slog.Logger
	dl     *durablelog.Log
	closed bool
}

func newLazyLog(path string, policy durablelog.SyncPolicy, log *slog.Logger) lazyLog {
	if log == nil {
		log = slog.Default()
	}
	return lazyLog{path: path, policy: policy, log: log}
}

// get opens the log if it is not open yet.
func (l *lazyLog) get() (*durablelog.Log, error) {
	if l.closed {
		return nil, durablelog.ErrClosed
	}
	if l.dl == nil {
		dl, err := durablelog.Open(l.path, durablelog.Options{Sync: l.policy, Logger: l.log})
		if err != nil {
			return nil, fmt.Errorf("open %s: %w", l.path, err)
		}
		l.dl = dl
	}
	return l.dl, nil
}

func (l *lazyLog) close() error {
	l.closed = true
	if l.dl == nil {
		return nil
	}
	return l.dl.Close()
}
