package asl

// Checks of the data-flow fields: paths, payload templates, JSONata
// expressions and variable assignments.

import (
	"errors"
	"slices"
	"strings"

	"github.com/sluicehq/sluice/asl/jsonata"

	"github.com/sluicehq/sluice/asl/jsonpath"
)

// ioFields gathers the data-flow fields a state has, to check them the
// same way for every state type.
type ioFields struct {
	input, output, result Path
	parameters            any
	resultSelector        any
	arguments             any
	jsonataOutput         any
}

func (v *validator) io(loc string, ql QueryLanguage, f ioFields) {
	if ql == JSONata {
		if !f.input.IsAbsent() {
			v.otherLanguage(loc, "InputPath")
		}
		if !f.output.IsAbsent() {
			v.otherLanguage(loc, "OutputPath")
		}
		if !f.result.IsAbsent() {
			v.otherLanguage(loc, "ResultPath")
		}
		if f.parameters != nil {
			v.otherLanguage(loc, "Parameters")
		}
		if f.resultSelector != nil {
			v.otherLanguage(loc, "ResultSelector")
		}
		// Arguments is an object or array of values, or one expression.
		if str, ok := f.arguments.(string); ok {
			v.jsonataString(loc+"/Arguments", "Arguments", str)
		} else {
			v.jsonataValue(loc+"/Arguments", f.arguments)
		}
		v.jsonataValue(loc+"/Output", f.jsonataOutput)
		return
	}
	if f.arguments != nil {
		v.otherLanguage(loc, "Arguments")
	}
	if f.jsonataOutput != nil {
		v.otherLanguage(loc, "Output")
	}
	v.pathField(loc+"/InputPath", "InputPath", f.input, false)
	v.pathField(loc+"/OutputPath", "OutputPath", f.output, false)
	v.pathField(loc+"/ResultPath", "ResultPath", f.result, true)
	v.template(loc+"/Parameters", "Parameters", f.parameters)
	v.template(loc+"/ResultSelector", "ResultSelector", f.resultSelector)
	if f.resultSelector != nil {
		if _, ok := f.resultSelector.(map[string]any); !ok {
			v.schema(loc+"/ResultSelector", "The value for the field 'ResultSelector' must be an OBJECT")
		}
	}
}

// pathField checks an InputPath or OutputPath (a JSONPath) or, when
// reference is set, a ResultPath.
func (v *validator) pathField(loc, field string, p Path, reference bool) {
	expr, ok := p.Expr()
	if !ok {
		return
	}
	var err error
	if reference {
		err = checkResultPath(expr)
	} else {
		err = checkPath(expr)
	}
	if err != nil {
		kind := "JSONPath"
		if reference {
			kind = "reference path"
		}
		v.schema(loc, "The value for the field '"+field+"' must be a valid "+kind)
	}
}

// refPath checks a field holding a reference path ("" is absent).
func (v *validator) refPath(loc, field, expr string, ql QueryLanguage) {
	if expr == "" {
		return
	}
	if ql == JSONata {
		v.otherLanguage(loc[:strings.LastIndexByte(loc, '/')], field)
		return
	}
	if checkReferencePath(expr) != nil {
		v.schema(loc, "The value for the field '"+field+"' must be a valid reference path")
	}
}

// template checks a JSONPath payload template: every "key.$" value must be
// a path or an intrinsic function call.
// https://docs.aws.amazon.com/step-functions/latest/dg/input-output-inputpath-params.html#input-output-parameters
func (v *validator) template(loc, field string, t any) {
	if t == nil {
		return
	}
	n := len(v.diags)
	v.templateFields(loc, field, t)
	if len(v.diags) > n {
		return
	}
	// Whatever else asl/jsonpath refuses to compile (a key given both with
	// and without ".$", ...) is refused here too.
	if _, err := jsonpath.CompileTemplate(t); err != nil {
		v.schema(loc, err.Error())
	}
}

func (v *validator) templateFields(loc, field string, t any) {
	switch t := t.(type) {
	case map[string]any:
		for _, k := range sortedKeys(t) {
			val := t[k]
			if strings.HasSuffix(k, ".$") {
				s, ok := val.(string)
				if !ok || checkDynamic(s) != nil {
					v.schema(loc, "The value for the field '"+k+"' must be a valid JSONPath or a valid intrinsic function call")
				}
				continue
			}
			if str, ok := val.(string); ok && looksDynamic(str) {
				v.warn(CodeNoDollar, loc, "The field '"+k+"' holds a path or an intrinsic function call but its name does not end with '.$', so it is used as a plain string")
			}
			v.templateFields(loc, field, val)
		}
	case []any:
		for _, e := range t {
			v.templateFields(loc, field, e)
		}
	}
}

// looksDynamic reports whether a string looks like a path ("$.x", "$$.x",
// "$") or an intrinsic function call.
func looksDynamic(s string) bool {
	return s == "$" || strings.HasPrefix(s, "$.") || strings.HasPrefix(s, "$$.") ||
		strings.HasPrefix(s, "$[") || (strings.HasPrefix(s, "States.") && strings.HasSuffix(s, ")"))
}

// staticResult warns about a Pass state's Result that holds what look
// like paths: Result is never evaluated.
func (v *validator) staticResult(loc string, r any) {
	switch r := r.(type) {
	case string:
		if looksDynamic(r) {
			v.warn(CodePassResultIsStatic, loc, "The Result of a Pass state is static: the path '"+r+"' is not evaluated")
		}
	case map[string]any:
		for _, k := range sortedKeys(r) {
			if strings.HasSuffix(k, ".$") {
				v.warn(CodePassResultIsStatic, loc, "The Result of a Pass state is static: the field '"+k+"' is not evaluated")
				continue
			}
			v.staticResult(loc, r[k])
		}
	case []any:
		for _, e := range r {
			v.staticResult(loc, e)
		}
	}
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// jsonataValue checks that every string in a JSONata field that opens an
// expression with "{%" closes it with "%}".
// https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html
func (v *validator) jsonataValue(loc string, val any) { v.jsonataWalk(loc, loc, val) }

// jsonataWalk checks val at path at inside the field at loc: a delimiter
// problem is reported at the field, an expression that does not parse at
// its own path.
func (v *validator) jsonataWalk(loc, at string, val any) {
	switch t := val.(type) {
	case string:
		if strings.HasPrefix(t, "{%") && !isJSONataExpr(t) {
			v.schema(loc, "The JSONata expression '"+t+"' must end with '%}'")
		} else if isJSONataExpr(t) {
			v.jsonataSyntax(at, t)
		}
	case map[string]any:
		for _, k := range sortedKeys(t) {
			v.jsonataWalk(loc, at+"/"+k, t[k])
		}
	case []any:
		for i, e := range t {
			v.jsonataWalk(loc, index(at, i), e)
		}
	}
}

// jsonataSyntax reports an expression "{% ... %}" that does not parse, as
// AWS does: INVALID_JSONATA_EXPRESSION with the parser's message (without
// its code) at the expression's location, "/States/S/Output/v".
//
// An expression that reads a field of its input at the top level ("phone"
// rather than "$states.input.phone") is refused too, since Step Functions
// gives JSONata no input: UNSUPPORTED_JSONATA_EXPRESSION naming the field.
func (v *validator) jsonataSyntax(loc, s string) {
	e, err := jsonata.Compile(s[2 : len(s)-2])
	var je *jsonata.Error
	switch {
	case errors.As(err, &je):
		v.errorf(CodeInvalidJSONataExpression, loc, je.Message)
	case err != nil:
		v.errorf(CodeInvalidJSONataExpression, loc, err.Error())
	default:
		if fields := e.TopLevelFields(); len(fields) > 0 {
			v.errorf(CodeUnsupportedJSONataExpression, loc, "Reference to '"+fields[0]+"' at the top level is not supported.")
		}
	}
}

// isJSONataExpr reports whether s is a JSONata expression "{% ... %}".
func isJSONataExpr(s string) bool {
	return len(s) >= 4 && strings.HasPrefix(s, "{%") && strings.HasSuffix(s, "%}")
}

// jsonataString checks a field that, when a string, must be a JSONata
// expression.
func (v *validator) jsonataString(loc, field, s string) {
	if !isJSONataExpr(s) {
		v.schema(loc, "The value for the field '"+field+"' must be a JSONata expression enclosed in {% %}")
		return
	}
	v.jsonataSyntax(loc, s)
}

// assign checks an Assign object: variable names, and in JSONPath mode the
// "name.$" values.
// https://docs.aws.amazon.com/step-functions/latest/dg/workflow-variables.html
func (v *validator) assign(loc string, ql QueryLanguage, a map[string]any) {
	if a == nil {
		return
	}
	at := loc + "/Assign"
	for _, k := range sortedKeys(a) {
		name := k
		if ql == JSONPath {
			name = strings.TrimSuffix(k, ".$")
		}
		if !validVariableName(name) {
			v.schema(at, "The variable name '"+name+"' is not valid")
		}
	}
	if ql == JSONata {
		v.jsonataValue(at, a)
	} else {
		v.template(at, "Assign", a)
	}
}

// validVariableName reports whether name can be a workflow variable: a
// letter or underscore, then letters, digits and underscores, at most 80
// characters, and not the reserved name "states".
func validVariableName(name string) bool {
	if name == "" || len(name) > 80 || name == "states" {
		return false
	}
	for i, r := range name {
		switch {
		case r == '_', r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r > 0x7f:
		case r >= '0' && r <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}
