package lambda

import (
	"encoding/json"
	"net/http"
	"sort"
	"strconv"
	"time"
)

// FunctionConfiguration is a function's settings as GetFunction and ListFunctions report
// them (https://docs.aws.amazon.com/lambda/latest/api/API_FunctionConfiguration.html).
type FunctionConfiguration struct {
	FunctionName     string               `json:"FunctionName"`
	FunctionArn      string               `json:"FunctionArn"`
	Runtime          string               `json:"Runtime"`
	Handler          string               `json:"Handler"`
	MemorySize       int                  `json:"MemorySize"`
	Timeout          int                  `json:"Timeout"`
	Version          string               `json:"Version"`
	PackageType      string               `json:"PackageType"`
	State            string               `json:"State"`
	LastUpdateStatus string               `json:"LastUpdateStatus"`
	LastModified     string               `json:"LastModified"`
	Environment      *FunctionEnvironment `json:"Environment,omitempty"`
}

// FunctionEnvironment holds a function's environment variables.
type FunctionEnvironment struct {
	Variables map[string]string `json:"Variables"`
}

// Functions returns the configuration of every registered function, sorted by name.
func (s *Service) Functions() []FunctionConfiguration {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]FunctionConfiguration, 0, len(s.funcs))
	for _, fn := range s.funcs {
		out = append(out, fn.configuration())
	}
	sort.Slice(out, func(i, j int) bool { return out[i].FunctionName < out[j].FunctionName })
	return out
}

func (fn *function) configuration() FunctionConfiguration {
	c := FunctionConfiguration{FunctionName: fn.Name, FunctionArn: fn.arn, Runtime: "provided.al2023", Handler: "bootstrap",
		MemorySize: fn.MemoryMB, Timeout: int(fn.Timeout / time.Second), Version: "$LATEST", PackageType: "Zip",
		State: "Active", LastUpdateStatus: "Successful", LastModified: fn.registered.Format("2006-01-02T15:04:05.000-0700")}
	if len(fn.Environment) > 0 {
		c.Environment = &FunctionEnvironment{Variables: fn.Environment}
	}
	return c
}

// maxListItems is ListFunctions' page size limit.
const maxListItems = 50

// listFunctions serves GET /2015-03-31/functions/ (ListFunctions).
func (s *Service) listFunctions(w http.ResponseWriter, r *http.Request, reqID string) {
	all := s.Functions()
	max := maxListItems
	if v := r.URL.Query().Get("MaxItems"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 10000 {
			writeServiceError(w, reqID, errInvalidParameter("MaxItems", v))
			return
		}
		max = min(n, maxListItems)
	}
	start := 0
	if m := r.URL.Query().Get("Marker"); m != "" {
		n, err := strconv.Atoi(m)
		if err != nil || n < 0 || n > len(all) {
			writeServiceError(w, reqID, errInvalidParameter("Marker", m))
			return
		}
		start = n
	}
	page := all[start:]
	body := map[string]any{}
	if len(page) > max {
		page = page[:max]
		body["NextMarker"] = strconv.Itoa(start + max)
	}
	body["Functions"] = page
	writeJSON(w, reqID, body)
}

// getFunction serves GET /2015-03-31/functions/{name} (GetFunction).
func (s *Service) getFunction(w http.ResponseWriter, r *http.Request, reqID, name string) {
	fn, err := s.resolve(name, r.URL.Query().Get("Qualifier"))
	if err != nil {
		writeServiceError(w, reqID, err)
		return
	}
	body := map[string]any{"Configuration": fn.configuration(), "Code": map[string]string{"RepositoryType": "S3", "Location": ""}}
	if fn.Concurrency > 0 {
		body["Concurrency"] = map[string]int{"ReservedConcurrentExecutions": fn.Concurrency}
	}
	writeJSON(w, reqID, body)
}

func writeJSON(w http.ResponseWriter, reqID string, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amzn-RequestId", reqID)
	w.WriteHeader(http.StatusOK)
	_ = json.NewEncoder(w).Encode(v) // the status is sent: a failed write means the client went away
}
