package asl

import (
	"math"
)

func (v *validator) mapState(s *Map, loc string, ql QueryLanguage) {
	v.transition(loc, s.Next, s.End)
	v.io(loc, ql, ioFields{input: s.InputPath, output: s.OutputPath, result: s.ResultPath,
		parameters: s.Parameters, resultSelector: s.ResultSelector,
		jsonataOutput: s.Output})
	v.assign(loc, ql, s.Assign)
	v.retryCatch(loc, ql, s.Retry, s.Catch)
	v.exclusive(loc, "ItemProcessor", "Iterator", s.ItemProcessor != nil, s.Iterator != nil)
	v.exclusive(loc, "ItemSelector", "Parameters", s.ItemSelector != nil, s.Parameters != nil)
	v.exclusive(loc, "MaxConcurrency", "MaxConcurrencyPath", s.MaxConcurrency != nil, s.MaxConcurrencyPath != "")
	v.exclusive(loc, "ToleratedFailurePercentage", "ToleratedFailurePercentagePath", s.ToleratedFailurePercentage != nil, s.ToleratedFailurePercentagePath != "")
	v.exclusive(loc, "ToleratedFailureCount", "ToleratedFailureCountPath", s.ToleratedFailureCount != nil, s.ToleratedFailureCountPath != "")
	if ql == JSONata {
		if s.ItemsPath != "" {
			v.otherLanguage(loc, "ItemsPath")
		}
		v.jsonataValue(loc+"/ItemSelector", s.ItemSelector)
		if str, ok := s.Items.(string); ok {
			v.jsonataString(loc+"/Items", "Items", str)
		} else {
			v.jsonataValue(loc+"/Items", s.Items)
		}
	} else {
		if s.Items != nil {
			v.otherLanguage(loc, "Items")
		}
		v.refPath(loc+"/ItemsPath", "ItemsPath", s.ItemsPath, ql)
		v.template(loc+"/ItemSelector", "ItemSelector", s.ItemSelector)
	}
	// AWS accepts any non-negative MaxConcurrency and caps it at run time.
	v.intExpr(loc+"/MaxConcurrency", "MaxConcurrency", s.MaxConcurrency, ql, 0, math.MaxInt)
	v.intExpr(loc+"/ToleratedFailureCount", "ToleratedFailureCount", s.ToleratedFailureCount, ql, 0, maxSeconds)
	if p := s.ToleratedFailurePercentage; p != nil {
		if p.Expr != "" {
			if ql != JSONata {
				v.schema(loc+"/ToleratedFailurePercentage", "The value for the field 'ToleratedFailurePercentage' must be a NUMBER")
			} else {
				v.jsonataString(loc+"/ToleratedFailurePercentage", "ToleratedFailurePercentage", p.Expr)
			}
		} else if p.Value < 0 || p.Value > 100 {
			v.schema(loc+"/ToleratedFailurePercentage", "The value for the field 'ToleratedFailurePercentage' must be between 0 and 100")
		}
	}
	v.refPath(loc+"/MaxConcurrencyPath", "MaxConcurrencyPath", s.MaxConcurrencyPath, ql)
	v.refPath(loc+"/ToleratedFailurePercentagePath", "ToleratedFailurePercentagePath", s.ToleratedFailurePercentagePath, ql)
	v.refPath(loc+"/ToleratedFailureCountPath", "ToleratedFailureCountPath", s.ToleratedFailureCountPath, ql)
	if len(s.Label) > maxLabelLength {
		v.errorf(CodeInvalidLabelName, loc+"/Label", "The value for the field 'Label' must be at most 40 characters long")
	}

	if r := s.ItemReader; r != nil {
		v.itemReader(r, loc+"/ItemReader", ql)
	}
	if b := s.ItemBatcher; b != nil {
		v.itemBatcher(b, loc+"/ItemBatcher", ql)
	}
	if w := s.ResultWriter; w != nil {
		v.resultWriter(w, loc+"/ResultWriter", ql)
	}
	switch {
	case s.ItemProcessor != nil:
		v.processor(s.ItemProcessor, loc+"/ItemProcessor")
	case s.Iterator != nil:
		v.processor(s.Iterator, loc+"/Iterator")
	}
}

// processor validates a Map state's ItemProcessor (or Iterator).
func (v *validator) processor(p *ItemProcessor, pl string) {
	if c := p.ProcessorConfig; c != nil {
		cl := pl + "/ProcessorConfig"
		switch c.Mode {
		case "", ModeInline:
			if c.ExecutionType != "" {
				v.unsupported(cl, "ExecutionType")
			}
		case ModeDistributed:
			switch c.ExecutionType {
			case ExecutionStandard, ExecutionExpress:
			case "":
				v.schema(cl, "These fields are required: [ExecutionType]")
			default:
				v.schema(cl+"/ExecutionType", "The value for the field 'ExecutionType' must be one of [STANDARD, EXPRESS]")
			}
		default:
			v.schema(cl+"/Mode", "The value for the field 'Mode' must be one of [INLINE, DISTRIBUTED]")
		}
	}
	v.scope(pl, p.StartAt, p.States)
}
