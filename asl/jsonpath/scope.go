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
	// Random supplies randomness for States.UUID and unseeded
	// States.MathRandom. Nil means crypto/rand. Inject a deterministic
	// source in tests.
	Random func() uint64
}
