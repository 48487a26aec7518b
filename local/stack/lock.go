package stack

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// lockFile is the file in the data directory that one running stack holds an exclusive lock on.
const lockFile = "sluice.lock"

// Holder describes the stack that holds a data directory: written into its lock file, read back by a
// second stack that finds the directory taken.
type Holder struct {
	PID      int       `json:"pid"`
	Endpoint string    `json:"endpoint"`
	Host     string    `json:"host,omitempty"`
	Started  time.Time `json:"started"`
}

// DataDirInUseError says that another stack holds the data directory: two stacks on one directory would
// each replay and append to the same journals.
type DataDirInUseError struct {
	Dir    string
	Holder Holder // zero when the holder wrote nothing readable
}

func (e *DataDirInUseError) Error() string {
	msg := "data directory " + e.Dir + " is in use by another sluice"
	if h := e.Holder; h.PID != 0 {
		msg += fmt.Sprintf(" (pid %d", h.PID)
		if h.Host != "" {
			msg += " on " + h.Host
		}
		if h.Endpoint != "" {
			msg += ", serving " + h.Endpoint
		}
		if !h.Started.IsZero() {
			msg += " since " + h.Started.Local().Format(time.DateTime)
		}
		msg += ")"
	}
	return msg + ": stop it, or pass another --data"
}

// dirLock is a held data directory.
type dirLock struct{ f *os.File }

// lockDataDir takes the exclusive lock of dir for the stack serving endpoint, or fails with a
// *DataDirInUseError naming the holder. The operating system releases the lock when the process ends,
// however it ends, so a stack killed with -9 leaves no stale lock behind.
func lockDataDir(dir, endpoint string) (*dirLock, error) {
	path := filepath.Join(dir, lockFile)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("lock data dir: %w", err)
	}
	if err := lockExclusive(f); err != nil {
		f.Close()
		if !errors.Is(err, errLocked) {
			return nil, fmt.Errorf("lock data dir: %w", err)
		}
		inUse := &DataDirInUseError{Dir: dir}
		if b, err := os.ReadFile(path); err == nil {
			_ = json.Unmarshal(b, &inUse.Holder)
		}
		return nil, inUse
	}
	host, _ := os.Hostname()
	b, _ := json.Marshal(Holder{PID: os.Getpid(), Endpoint: endpoint, Host: host, Started: time.Now().UTC().Truncate(time.Second)})
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt(append(b, '\n'), 0)
	}
	return &dirLock{f: f}, nil
}

// release gives the directory up.
func (l *dirLock) release() error {
	if l == nil || l.f == nil {
		return nil
	}
	_ = l.f.Truncate(0)
	err := l.f.Close() // closing the descriptor releases the lock
	l.f = nil
	return err
}
