package lambda

// Unregister removes a function (CloudFormation deleting an AWS::Lambda::Function): later invocations
// get ResourceNotFoundException; invocations in flight finish. Removing a function that is not
// registered does nothing.
func (s *Service) Unregister(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if fn := s.funcs[name]; fn != nil {
		fn.remove()
	}
	delete(s.funcs, name)
}
