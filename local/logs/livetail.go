package logs

import "net/http"

func (s *Service) startLiveTail(w http.ResponseWriter, r *http.Request) {
	writeError(w, apiErrorf(CodeUnknownOperation, "StartLiveTail is not served yet"))
}
