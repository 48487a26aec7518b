package durablelog

import (
	"io"
	"os"
)

// File is what the Log needs of an open file. *os.File implements it; Options.WrapFile may
// wrap it to inject faults in tests.
type File interface {
	io.ReaderAt
	io.WriterAt
	Truncate(size int64) error
	Sync() error
	Stat() (os.FileInfo, error)
	Close() error
}

var _ File = (*os.File)(nil)

// syncDir makes a directory's entries (a created, renamed or removed file) durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}
