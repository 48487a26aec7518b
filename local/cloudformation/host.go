package cloudformation

// StackResource is one resource of a stack as its host sees it (the wiring package reads what a stack
// provisioned, e.g. which bucket has EventBridge notifications on).
type StackResource struct {
	LogicalID  string
	Type       string
	PhysicalID string
	// Name is the physical name (for a state machine, the name its ARN ends with).
	Name   string
	Status string
	// Properties are the resolved properties the resource was provisioned with.
	Properties map[string]any
}

// StackResources returns the resources of the named stack that exist (sorted by logical id), and
// whether the stack exists (and is not deleted).
func (s *Service) StackResources(name string) ([]StackResource, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.findStack(name)
	if st == nil {
		return nil, false
	}
	var out []StackResource
	for _, id := range sortedKeys(st.resources) {
		r := st.resources[id]
		if !live(r.Status) || r.Op == opRemove {
			continue
		}
		out = append(out, StackResource{LogicalID: id, Type: r.Type, PhysicalID: r.PhysicalID, Name: r.Name, Status: r.Status, Properties: r.Properties})
	}
	return out, true
}
