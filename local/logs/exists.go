package logs

// HasLogGroup reports whether a log group exists, for services that check a destination before they
// accept it (Step Functions' LoggingConfiguration; local/stack connects them).
func (s *Service) HasLogGroup(name string) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.groups[name] != nil
}
