package tasks

import "strings"

// Key prefixes of the pipeline bucket. Only objects under PrefixIncoming trigger the pipeline (the
// EventBridge rule filters on it), so the pipeline's own writes never re-trigger it.
const (
	PrefixIncoming   = "incoming/"   // incoming/<dataset>/<name>: objects to ingest
	PrefixSchemas    = "schemas/"    // schemas/<dataset>.json: dataset schemas
	PrefixStaging    = "staging/"    // staging/<execution-name>/<name>.jsonl.gz: process output before commit
	PrefixProcessed  = "processed/"  // processed/<dataset>/dt=<date>/<stem>.jsonl.gz (see OutputStem)
	PrefixManifests  = "manifests/"  // manifests/<dataset>/<name>.<etag>.json: one per committed object version
	PrefixQuarantine = "quarantine/" // quarantine/<dataset>/<name> and <name>.report.json
	PrefixFailed     = "failed/"     // failed/<dataset>/<name>.<execution-name>.json: failure records
)

// User-metadata keys (x-amz-meta-*) that the process task sets on its staged output. CopyObject carries
// them over to the committed copy under processed/ (its default metadata directive is COPY).
const (
	// MetaSourceLastModified holds the source version's Last-Modified time in RFC 3339: the commit derives
	// the dt= partition date from it.
	MetaSourceLastModified = "source-last-modified"
	// MetaSourceSequencer holds the "sequencer" of the source version's event: the commit compares it with
	// the one on an existing processed object so that an older version never replaces a newer one's output.
	MetaSourceSequencer = "source-sequencer"
	// MetaSourceKey holds the source key, query-escaped (user metadata is sent as an HTTP header): the
	// commit checks that a processed object it would replace came from the same source key.
	MetaSourceKey = "source-key"
)

// sourceExtensions are the extensions of the formats the pipeline reads; OutputStem drops one of them,
// and then ".gz", from a source name.
var sourceExtensions = []string{".csv", ".jsonl", ".ndjson", ".json"}

// OutputStem is the name of a processed output without its ".jsonl.gz": the source name without its
// format extension and compression (2024-03-02.jsonl, 2024-03-02.csv.gz and 2024-03-02.json all give
// 2024-03-02). A name with no known extension is kept whole.
func OutputStem(name string) string {
	stem := strings.TrimSuffix(name, ".gz")
	for _, ext := range sourceExtensions {
		if s, ok := strings.CutSuffix(stem, ext); ok && s != "" && !strings.HasSuffix(s, "/") {
			return s
		}
	}
	return name
}

// StagingKey is where the process task stages the output of sourceKey for one execution:
// staging/<execution-name>/<source key without incoming/>.jsonl.gz. Each execution has its own staging
// keys, so concurrent executions never write over each other's output.
func StagingKey(execution, sourceKey string) string {
	return PrefixStaging + ExecutionName(execution) + "/" + strings.TrimPrefix(sourceKey, PrefixIncoming) + ".jsonl.gz"
}

// ExecutionName is the name part of a Step Functions execution ARN
// (arn:<partition>:states:<region>:<account>:execution:<state-machine>:<name>; see
// https://docs.aws.amazon.com/step-functions/latest/apireference/API_DescribeExecution.html), made safe
// to use as one key segment. Anything else (a hand-made value) is used whole; characters that would nest
// or escape the key are replaced, and an empty or dot name becomes "unnamed".
func ExecutionName(execution string) string {
	name := execution
	parts := strings.Split(execution, ":")
	if len(parts) >= 8 && parts[0] == "arn" && parts[2] == "states" && (parts[5] == "execution" || parts[5] == "express") && parts[7] != "" {
		name = parts[7]
	}
	if name == "" || name == "." || name == ".." {
		return "unnamed"
	}
	return strings.NewReplacer("/", "_", ":", "_").Replace(name)
}
