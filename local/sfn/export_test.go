package sfn

import "github.com/sluicehq/sluice/internal/durablelog"

// WithWrapFile wraps the files of the service's durable logs, to inject write errors.
func WithWrapFile(wrap func(durablelog.File) durablelog.File) Option {
	return func(s *Service) { s.wrapFile = wrap }
}
