package asl

// IntExpr is an integer field (TimeoutSeconds, Seconds, MaxConcurrency, ...)
// that a JSONata state may instead give as an expression string
// "{% ... %}". A nil *IntExpr is an absent field.
type IntExpr struct {
	// Value is the integer when Expr is "".
	Value int
	// Expr is the JSONata expression, including its "{%" and "%}".
	Expr string
}

// Int returns an *IntExpr holding n.
func Int(n int) *IntExpr { return &IntExpr{Value: n} }

// IntJSONata returns an *IntExpr holding a JSONata expression "{% ... %}".
func IntJSONata(expr string) *IntExpr { return &IntExpr{Expr: expr} }

// NumExpr is a number field (ToleratedFailurePercentage) that a JSONata
// state may instead give as an expression. A nil *NumExpr is absent.
type NumExpr struct {
	Value float64
	Expr  string
}

// Num returns a *NumExpr holding v.
func Num(v float64) *NumExpr { return &NumExpr{Value: v} }

// NumJSONata returns a *NumExpr holding a JSONata expression "{% ... %}".
func NumJSONata(expr string) *NumExpr { return &NumExpr{Expr: expr} }
