package jsonvalue

// Valid reports whether data is one JSON document, white space around it allowed: what json.Valid
// accepts (FuzzValid), checked on the Scanner without decoding anything.
func Valid(data []byte) bool {
	var s Scanner
	s.Reset(data)
	return s.Skip() == nil && s.End() == nil
}
