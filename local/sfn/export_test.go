package sfn

import "github.com/sluicehq/sluice/internal/durablelog"

// WithWrapFile wraps the files of the service's durable logs, to inject write errors.
func WithWrapFile(wrap func(durablelog.File) durablelog.File) Option {
	return func(s *Service) { s.wrapFile = wrap }
}

// WithSealEvery seals the history store's tail into a run every n finished executions (8,192 by default),
// so that small tests exercise the runs and the key hash.
func WithSealEvery(n int) Option {
	return func(s *Service) { s.historySeal = n }
}

// HistoryInMemory is how many finished executions the history store holds in memory (its tail).
func (s *Service) HistoryInMemory() int { return s.history.tailLen() }

// HistoryRuns is how many sealed runs the history store has.
func (s *Service) HistoryRuns() int {
	s.history.mu.RLock()
	defer s.history.mu.RUnlock()
	return len(s.history.runs)
}
