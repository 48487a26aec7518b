package jsonata

type kind uint8

const (
	kPath kind = iota
	kName
	kString
	kNumber
	kValue // true, false, null
	kVariable
	kRegex
	kWildcard
	kDescendant
	kParent
	kBinary // arithmetic, comparison, boolean, &, in, ??, ?:
	kNegate
	kArray
	kObject
	kBlock
	kCondition
	kCall
	kPartial
	kLambda
	kBind
	kApply
	kSort
	kTransform
	kPlaceholder
	// raw forms, rewritten by process
	kDot
	kPredicate
	kGroupBy
	kOrderBy
	kFocus
	kIndexBind
)

// node is one node of a parsed expression. Raw parse nodes are rewritten
// by process into the evaluated form; after that a node is immutable.
type node struct {
	kind  kind
	op    string // operator, name, string literal, variable name
	pos   int
	num   float64
	val   any
	re    *regexLit
	lhs   *node
	rhs   *node
	els   *node
	items []*node // array items, block expressions, call arguments, path steps
	pairs []pair  // object constructor

	// path step annotations
	stages     []stage // predicates and index bindings after a step
	predicates []stage // predicates on a non-step expression
	group      *group
	focus      string
	hasFocus   bool
	index      string
	hasIndex   bool
	ancestor   *slot
	tuple      bool
	keepArray  bool
	consArray  bool
	keepSingle bool // path: keep singleton arrays
	seeking    []*slot
	slot       *slot

	// lambda
	params []string
	sig    *signature
	thunk  bool // a tail call: evaluated lazily by the caller's trampoline
	binds  bool // a block that binds variables in its own scope

	terms []sortTerm
}

type pair struct{ k, v *node }

type stage struct {
	expr    *node
	index   string
	isIndex bool
	pos     int
}

type group struct {
	pairs []pair
	pos   int
}

type sortTerm struct {
	expr *node
	desc bool
}

// slot is a reference to an ancestor (%) that a path step must bind.
type slot struct {
	label string
	level int
	index int
}
