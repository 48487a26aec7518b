package asl

// State is one state of a machine. It is implemented only by *Pass, *Task,
// *Choice, *Wait, *Succeed, *Fail, *Parallel and *Map.
type State interface {
	// Type reports the state's "Type".
	Type() StateType
	// Language reports the state's own "QueryLanguage" ("" when absent).
	Language() QueryLanguage
	// Transition reports the state's "Next" and "End" (both zero for
	// Choice, Succeed and Fail, which have neither).
	Transition() (next string, end bool)
	isState()
}

var (
	_ State = (*Pass)(nil)
	_ State = (*Task)(nil)
	_ State = (*Choice)(nil)
	_ State = (*Wait)(nil)
	_ State = (*Succeed)(nil)
	_ State = (*Fail)(nil)
	_ State = (*Parallel)(nil)
	_ State = (*Map)(nil)
)

func (*Pass) Type() StateType     { return TypePass }
func (*Task) Type() StateType     { return TypeTask }
func (*Choice) Type() StateType   { return TypeChoice }
func (*Wait) Type() StateType     { return TypeWait }
func (*Succeed) Type() StateType  { return TypeSucceed }
func (*Fail) Type() StateType     { return TypeFail }
func (*Parallel) Type() StateType { return TypeParallel }
func (*Map) Type() StateType      { return TypeMap }

func (s *Pass) Language() QueryLanguage     { return s.QueryLanguage }
func (s *Task) Language() QueryLanguage     { return s.QueryLanguage }
func (s *Choice) Language() QueryLanguage   { return s.QueryLanguage }
func (s *Wait) Language() QueryLanguage     { return s.QueryLanguage }
func (s *Succeed) Language() QueryLanguage  { return s.QueryLanguage }
func (s *Fail) Language() QueryLanguage     { return s.QueryLanguage }
func (s *Parallel) Language() QueryLanguage { return s.QueryLanguage }
func (s *Map) Language() QueryLanguage      { return s.QueryLanguage }

func (s *Pass) Transition() (string, bool)     { return s.Next, s.End }
func (s *Task) Transition() (string, bool)     { return s.Next, s.End }
func (*Choice) Transition() (string, bool)     { return "", false }
func (s *Wait) Transition() (string, bool)     { return s.Next, s.End }
func (*Succeed) Transition() (string, bool)    { return "", false }
func (*Fail) Transition() (string, bool)       { return "", false }
func (s *Parallel) Transition() (string, bool) { return s.Next, s.End }
func (s *Map) Transition() (string, bool)      { return s.Next, s.End }

func (*Pass) isState()     {}
func (*Task) isState()     {}
func (*Choice) isState()   {}
func (*Wait) isState()     {}
func (*Succeed) isState()  {}
func (*Fail) isState()     {}
func (*Parallel) isState() {}
func (*Map) isState()      {}

// EffectiveLanguage reports the query language a state runs with: its own,
// else the machine's, else JSONPath.
func EffectiveLanguage(s State, machine QueryLanguage) QueryLanguage {
	if l := s.Language(); l != "" {
		return l
	}
	if machine != "" {
		return machine
	}
	return JSONPath
}
