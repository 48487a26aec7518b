package process

// BufferPool holds the compressors and line buffers that finished invocations leave, for the next
// invocations of every Handler given it with WithBufferPool. A compressor costs hundreds of KiB to make,
// more than the whole output of a small object, so a host that builds a Handler per invocation (as the
// local Lambda service does) shares one BufferPool between them. Its content is kept in a sync.Pool: the
// garbage collector may release it at any time, so it never holds memory that is needed elsewhere.
// The zero value is ready to use; a BufferPool is safe for concurrent use.
type BufferPool struct {
	z compressorPool
}

// WithBufferPool makes the Handler take and leave its compressors and line buffers in p instead of a
// pool of its own.
func WithBufferPool(p *BufferPool) Option {
	return func(h *Handler) {
		if p != nil {
			h.zpool = &p.z
		}
	}
}
