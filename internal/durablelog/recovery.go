package durablelog

// Recovery is what Open found in the file.
type Recovery struct {
	// Records is the number of valid records (what Replay delivers).
	Records int
	// Bytes is the size of the log after Open: the end of the last valid frame.
	Bytes int64
	// TornBytes is what Open cut from the end of the file: a frame cut short, or zero bytes,
	// left by a write that never completed. With SyncEach or SyncGroup it was never
	// acknowledged.
	TornBytes int64
	// Corrupt lists the ranges skipped because their checksum or framing is wrong, in file
	// order. Each held at least one frame whose records are lost.
	Corrupt []Range
}

// Range is a span of the file.
type Range struct {
	Offset int64
	Bytes  int64
	// Truncated is set for a corrupt range at the end of the file, which Open cut off.
	Truncated bool
}

// CorruptBytes is the total size of the corrupt ranges.
func (r Recovery) CorruptBytes() int64 {
	var n int64
	for _, c := range r.Corrupt {
		n += c.Bytes
	}
	return n
}

// Clean reports whether Open found nothing to cut or skip.
func (r Recovery) Clean() bool { return r.TornBytes == 0 && len(r.Corrupt) == 0 }
