package cloudformation

import "context"

// interruptedReason is the status reason of an operation a stop interrupted, rolled back by Resume.
const interruptedReason = "The operation was interrupted by a stop of the service; rolling back."

// Resume finishes, in the background, the operations a previous run left in progress (the process
// stopped in the middle of one): a creation or an update is rolled back, a rollback, a cleanup or a
// deletion carries on. Call it once the endpoint the resources are provisioned through serves; New
// does not, since the host's endpoint is not serving yet.
func (s *Service) Resume() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	for _, st := range s.stacksInOrder() {
		if st.busy {
			continue
		}
		st := st
		var fn func(ctx context.Context)
		switch st.Status {
		case StatusCreateInProgress:
			fn = func(ctx context.Context) {
				s.setStatus(ctx, st, StatusRollbackInProgress, interruptedReason, nil)
				s.rollbackCreate(ctx, st)
			}
		case StatusRollbackInProgress:
			fn = func(ctx context.Context) { s.rollbackCreate(ctx, st) }
		case StatusUpdateInProgress:
			fn = func(ctx context.Context) {
				s.setStatus(ctx, st, StatusUpdateRollbackInProgress, interruptedReason, nil)
				s.rollbackUpdate(ctx, st)
			}
		case StatusUpdateRollbackInProgress, StatusUpdateRollbackCompleteCleanupInProgress:
			fn = func(ctx context.Context) { s.rollbackUpdate(ctx, st) }
		case StatusUpdateCompleteCleanupInProgress:
			fn = func(ctx context.Context) {
				s.cleanupUpdate(ctx, st)
				if ctx.Err() == nil {
					s.finish(ctx, st, StatusUpdateComplete, "", nil)
				}
			}
		case StatusDeleteInProgress:
			fn = func(ctx context.Context) { s.runDelete(ctx, st) }
		default:
			continue
		}
		csID := st.ChangeSetID
		s.start(st, func(ctx context.Context) {
			fn(ctx)
			if csID != "" {
				s.endChangeSet(ctx, csID, st)
			}
		})
	}
}
