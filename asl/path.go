package asl

type pathKind uint8

const (
	pathAbsent pathKind = iota
	pathNull
	pathSet
)

// Path is the value of an InputPath, OutputPath or ResultPath field, which
// can be absent, JSON null, or a path; the three behave differently.
// https://docs.aws.amazon.com/step-functions/latest/dg/input-output-inputpath-params.html
// The zero Path is absent.
type Path struct {
	kind pathKind
	expr string
}

// PathOf returns a Path holding expr (such as "$.detail").
func PathOf(expr string) Path { return Path{kind: pathSet, expr: expr} }

// NullPath returns the Path that is JSON null.
func NullPath() Path { return Path{kind: pathNull} }

// IsAbsent reports whether the field was not given.
func (p Path) IsAbsent() bool { return p.kind == pathAbsent }

// IsNull reports whether the field was given as JSON null.
func (p Path) IsNull() bool { return p.kind == pathNull }

// Expr returns the path and true, or "" and false when absent or null.
func (p Path) Expr() (string, bool) { return p.expr, p.kind == pathSet }

// String returns the path, "null", or "" when absent.
func (p Path) String() string {
	switch p.kind {
	case pathNull:
		return "null"
	case pathSet:
		return p.expr
	}
	return ""
}

// Equal reports whether p and q are the same (go-cmp uses it).
func (p Path) Equal(q Path) bool { return p == q }
