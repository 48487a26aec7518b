package interp

// detailSlab hands out the details of the events a thread records for its
// states and Map iterations, carved from blocks allocated a few at a time
// rather than one allocation each. The threads of a fan-out that runs on
// its state's goroutine (see fanout) carve from their parent's slab; a
// thread on a goroutine of its own has its own. A block stays alive as
// long as any event that points into it: the events of one execution.
type detailSlab struct {
	states         []stateDetails
	iters          []MapIterationEventDetails
	nstate, niters int // the length of the last block of each
	// first is the length of the first block of states, 0 for
	// firstStateBlock: the execution's top level takes the fewest states
	// its program runs (program.minRun).
	first int
}

// Block lengths: the first block holds a typical short run, the next ones
// double up to the largest, so that a long run wastes little and a short
// one (a branch or an iteration, which often runs one state) little more
// than it uses.
const (
	firstStateBlock = 8
	firstIterBlock  = 4
	maxSlabBlock    = 32
)

func grow(last, first int) int {
	switch {
	case last == 0:
		return first
	case last < maxSlabBlock:
		return 2 * last
	}
	return last
}

// state returns zeroed details for a state's entered and exited events.
func (s *detailSlab) state() *stateDetails {
	if len(s.states) == 0 {
		first := s.first
		if first <= 0 {
			first = firstStateBlock
		}
		s.nstate = grow(s.nstate, first)
		s.states = make([]stateDetails, s.nstate)
	}
	d := &s.states[0]
	s.states = s.states[1:]
	return d
}

// iteration returns zeroed details for a Map iteration's events.
func (s *detailSlab) iteration() *MapIterationEventDetails {
	if len(s.iters) == 0 {
		s.niters = grow(s.niters, firstIterBlock)
		s.iters = make([]MapIterationEventDetails, s.niters)
	}
	d := &s.iters[0]
	s.iters = s.iters[1:]
	return d
}
