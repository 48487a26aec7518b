//go:build unix

package stack

import (
	"errors"
	"os"
	"syscall"
)

// errLocked is lockExclusive's answer when another holds the lock.
var errLocked = errors.New("locked")

// lockExclusive takes an exclusive flock(2) on f without waiting.
func lockExclusive(f *os.File) error {
	err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	if errors.Is(err, syscall.EWOULDBLOCK) {
		return errLocked
	}
	return err
}
