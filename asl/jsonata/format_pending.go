package jsonata

// The picture-string functions are not built yet: they return an error
// rather than a wrong answer.

func notBuilt(name string) builtinFn {
	return func(ev *evaluator, c call, a []any) (any, error) {
		return nil, &Error{Code: "D3137", Position: c.pos, Token: name, Message: "$" + name + "() is not implemented yet"}
	}
}

var (
	fnFormatNumber  = notBuilt("formatNumber")
	fnFormatBase    = notBuilt("formatBase")
	fnFormatInteger = notBuilt("formatInteger")
	fnParseInteger  = notBuilt("parseInteger")
	fnToMillis      = notBuilt("toMillis")
	fnFromMillis    = notBuilt("fromMillis")
	fnNow           = notBuilt("now")
)
