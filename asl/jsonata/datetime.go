package jsonata

func fnToMillis(ev *evaluator, c call, a []any) (any, error)   { return Undefined, nil }
func fnFromMillis(ev *evaluator, c call, a []any) (any, error) { return Undefined, nil }
func fnNow(ev *evaluator, c call, a []any) (any, error)        { return Undefined, nil }
