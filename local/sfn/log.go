package sfn

import (
	"github.com/sluicehq/sluice/internal/durablelog"
)

var _ recordLog = (*durablelog.Log)(nil)

// openLog opens one of the service's durable logs (the journal, the history index) with the service's
// sync policy, and adds what it found damaged to the service's Loss. A torn tail is not a loss: it is a
// write that never completed, so it was never acknowledged.
func (s *Service) openLog(path string) (recordLog, error) {
	policy := durablelog.SyncNone
	if s.sync {
		policy = durablelog.SyncGroup
	}
	opts := durablelog.Options{Sync: policy, Logger: s.logger}
	if s.wrapFile != nil {
		opts.WrapFile = s.wrapFile
	}
	l, err := durablelog.Open(path, opts)
	if err != nil {
		return nil, err
	}
	rec := l.Recovery()
	s.loss.Corrupt += len(rec.Corrupt)
	s.loss.Bytes += rec.CorruptBytes()
	return l, nil
}
