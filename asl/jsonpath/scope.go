package jsonpath

// Scope is what an expression is evaluated against.
type Scope struct {
	Input   any // what "$" means
	Context any // what "$$" means (the context object)
	// FullContext, when set, returns the whole context object for the
	// messages that quote it (a template field's path not found), when
	// Context holds only the members the expression reads.
	FullContext func() any
	Var         func(name string) (any, bool) // what "$name" means (variables); nil = none defined
	// Host, when set, stands for Context, FullContext and Var where those
	// are nil: a host that evaluates many expressions can hand over one
	// value it already has, not a new function for each, and build the
	// context object only for an expression that reads it.
	Host Host
	// Random supplies randomness for States.UUID and unseeded
	// States.MathRandom. Nil means crypto/rand. Inject a deterministic
	// source in tests.
	Random func() uint64
}

// Host supplies the variables and the whole context object of a Scope
// (Scope.Host).
type Host interface {
	// Context returns the context object ("$$") for a Scope whose Context
	// is nil.
	Context() any
	// Variable returns the value of the variable name ("$name").
	Variable(name string) (any, bool)
	// FullContext returns the whole context object (Scope.FullContext).
	FullContext() any
}

// ContextMembers is a Host that answers the paths of two members into the
// context object ("$$.Execution.Name") itself, without the context object
// built: a host that would build it for a few such values can spare it.
// ContextMember returns the value of $$.parent.member, or false for a
// member it does not answer, which the scope then reads from the context
// object (Host.Context) as any path. A value it returns must be the one
// the context object holds there.
type ContextMembers interface {
	ContextMember(parent, member string) (any, bool)
}

// variable resolves "$name".
func (s *Scope) variable(name string) (any, bool) {
	switch {
	case s.Var != nil:
		return s.Var(name)
	case s.Host != nil:
		return s.Host.Variable(name)
	}
	return nil, false
}

// fullContext returns the whole context object, or nil when the scope
// cannot tell it.
func (s *Scope) fullContext() any {
	switch {
	case s.FullContext != nil:
		return s.FullContext()
	case s.Host != nil:
		return s.Host.FullContext()
	}
	return nil
}

// context returns the context object: Context, or the Host's when Context
// is nil.
func (s *Scope) context() any {
	if s.Context == nil && s.Host != nil {
		s.Context = s.Host.Context()
	}
	return s.Context
}
