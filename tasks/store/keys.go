package store

import (
	"strings"

	"github.com/sluicehq/sluice/tasks"
)

// unknownDataset names the dataset of a failure record whose source key is not incoming/<dataset>/<name>,
// so that even a malformed execution leaves a record.
const unknownDataset = "_unknown"

// splitSource splits a source key incoming/<dataset>/<name> into its dataset and name. ok is false when the
// key is not of that form (no dataset folder, or an empty name).
func splitSource(key string) (dataset, name string, ok bool) {
	rest, found := strings.CutPrefix(key, tasks.PrefixIncoming)
	if !found {
		return "", "", false
	}
	dataset, name, found = strings.Cut(rest, "/")
	if !found || dataset == "" || name == "" || strings.HasSuffix(name, "/") {
		return "", "", false
	}
	return dataset, name, true
}

// processedKeys are where a committed output may live, in order of preference:
// processed/<dataset>/dt=<date>/<stem>.jsonl.gz (the name without its source extension, see
// tasks.OutputStem), and, when another source key of the dataset already owns that name on that date
// (a.csv and a.jsonl), processed/<dataset>/dt=<date>/<name>.jsonl.gz, which no other source key shares.
func processedKeys(dataset, date, name string) []string {
	dir := tasks.PrefixProcessed + dataset + "/dt=" + date + "/"
	stem := tasks.OutputStem(name)
	if stem == name {
		return []string{dir + name + ".jsonl.gz"}
	}
	return []string{dir + stem + ".jsonl.gz", dir + name + ".jsonl.gz"}
}

// rejectedSource names the dataset and name a rejected or failed object is kept under: those of
// incoming/<dataset>/<name>, or, for a key the rule delivers that has no dataset folder (incoming/a.csv,
// incoming/orders/), the dataset "_unknown" and the rest of the key with its slashes made safe, so that
// every key the rule delivers can be quarantined or recorded.
func rejectedSource(key string) (dataset, name string) {
	if dataset, name, ok := splitSource(key); ok {
		return dataset, name
	}
	name = strings.TrimPrefix(key, tasks.PrefixIncoming)
	name = strings.ReplaceAll(strings.Trim(name, "/"), "/", "_")
	if name == "" || name == "." || name == ".." {
		name = "unnamed"
	}
	return unknownDataset, name
}

// manifestKey names the manifest of one object version: manifests/<dataset>/<name>.<etag>.json. The ETag
// is used without quotes, as the event carries it.
func manifestKey(dataset, name, etag string) string {
	return tasks.PrefixManifests + dataset + "/" + name + "." + strings.Trim(etag, `"`) + ".json"
}

// quarantineKeys are the quarantined copy of a rejected object and its report.
func quarantineKeys(dataset, name string) (object, report string) {
	object = tasks.PrefixQuarantine + dataset + "/" + name
	return object, ReportKey(object)
}

// ReportKey is where the report of a quarantined object is: beside it, as <object>.report.json.
func ReportKey(quarantined string) string { return quarantined + ".report.json" }

// FailureRecordKey is where the failure record of an execution about the object sourceKey is:
// failed/<dataset>/<name>.<execution-name>.json, dataset and name as rejectedSource gives them.
func FailureRecordKey(sourceKey, execution string) string {
	dataset, name := rejectedSource(sourceKey)
	return tasks.PrefixFailed + dataset + "/" + name + "." + tasks.ExecutionName(execution) + ".json"
}

// copySource is the x-amz-copy-source value for one object version: bucket/key, each key segment
// percent-encoded (a "+" too, which some servers read as a space), then ?versionId= when versioned.
// https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html#API_CopyObject_RequestSyntax
func copySource(ref tasks.ObjectRef) string {
	segs := strings.Split(ref.Key, "/")
	for i, s := range segs {
		segs[i] = escapeSegment(s)
	}
	src := ref.Bucket + "/" + strings.Join(segs, "/")
	if ref.VersionID != "" {
		src += "?versionId=" + escapeSegment(ref.VersionID)
	}
	return src
}

// escapeSegment percent-encodes everything but RFC 3986 unreserved characters.
func escapeSegment(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}
