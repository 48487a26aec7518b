package asl

func (v *validator) task(s *Task, loc string, ql QueryLanguage) {
	v.transition(loc, s.Next, s.End)
	v.resource(loc, s.Resource)
	v.io(loc, ql, ioFields{input: s.InputPath, output: s.OutputPath, result: s.ResultPath,
		parameters: s.Parameters, resultSelector: s.ResultSelector,
		arguments: s.Arguments, jsonataOutput: s.Output})
	v.assign(loc, ql, s.Assign)
	v.retryCatch(loc, ql, s.Retry, s.Catch)
	v.exclusive(loc, "TimeoutSeconds", "TimeoutSecondsPath", s.TimeoutSeconds != nil, s.TimeoutSecondsPath != "")
	v.exclusive(loc, "HeartbeatSeconds", "HeartbeatSecondsPath", s.HeartbeatSeconds != nil, s.HeartbeatSecondsPath != "")
	v.intExpr(loc+"/TimeoutSeconds", "TimeoutSeconds", s.TimeoutSeconds, ql, 1, maxSeconds)
	v.intExpr(loc+"/HeartbeatSeconds", "HeartbeatSeconds", s.HeartbeatSeconds, ql, 1, maxSeconds)
	if t, h := s.TimeoutSeconds, s.HeartbeatSeconds; t != nil && h != nil && t.Expr == "" && h.Expr == "" && h.Value >= t.Value {
		v.schema(loc+"/HeartbeatSeconds", "The value for the field 'HeartbeatSeconds' must be smaller than 'TimeoutSeconds'")
	}
	v.refPath(loc+"/TimeoutSecondsPath", "TimeoutSecondsPath", s.TimeoutSecondsPath, ql)
	v.refPath(loc+"/HeartbeatSecondsPath", "HeartbeatSecondsPath", s.HeartbeatSecondsPath, ql)
	if c := s.Credentials; c != nil {
		cl := loc + "/Credentials"
		v.exclusive(cl, "RoleArn", "RoleArn.$", c.RoleArn != "", c.RoleArnPath != "")
		if c.RoleArnPath != "" {
			if ql == JSONata {
				v.otherLanguage(cl, "RoleArn.$")
			} else if checkDynamic(c.RoleArnPath) != nil {
				v.schema(cl, "The value for the field 'RoleArn.$' must be a valid JSONPath or a valid intrinsic function call")
			}
		}
		if ql == JSONata {
			v.jsonataValue(cl+"/RoleArn", c.RoleArn)
		}
	}
}
