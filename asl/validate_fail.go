package asl

func (v *validator) fail(s *Fail, loc string, ql QueryLanguage) {
	v.exclusive(loc, "Error", "ErrorPath", s.Error != "", s.ErrorPath != "")
	v.exclusive(loc, "Cause", "CausePath", s.Cause != "", s.CausePath != "")
	if ql == JSONPath {
		for _, f := range [...]struct{ name, val string }{{"Error", s.Error}, {"Cause", s.Cause}} {
			if looksDynamic(f.val) {
				v.warn(CodeNoPath, loc+"/"+f.name, "The value of '"+f.name+"' looks like a path, but the field name does not end with 'Path'")
			}
		}
	}
	for _, f := range [...]struct{ name, val string }{{"ErrorPath", s.ErrorPath}, {"CausePath", s.CausePath}} {
		if f.val == "" {
			continue
		}
		if ql == JSONata {
			v.otherLanguage(loc, f.name)
			continue
		}
		if checkPathOrIntrinsic(f.val) != nil {
			v.schema(loc+"/"+f.name, "The value for the field '"+f.name+"' must be a valid JSONPath or a valid intrinsic function call")
		}
	}
	if ql == JSONata {
		v.jsonataValue(loc+"/Error", s.Error)
		v.jsonataValue(loc+"/Cause", s.Cause)
	}
}
