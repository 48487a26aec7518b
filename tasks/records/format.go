package records

import (
	"fmt"
	"path"
	"strings"
)

// Format is an object format.
type Format string

// Formats, named as in a validation report and in a schema's "formats".
const (
	CSV   Format = "csv"   // .csv
	JSONL Format = "jsonl" // .jsonl or .ndjson
	JSON  Format = "json"  // .json: one JSON array of objects
)

// Type is an object's format and whether it is gzip-compressed.
type Type struct {
	Format Format
	Gzip   bool
}

// UnknownFormatError means an object key has no extension Detect knows.
type UnknownFormatError struct {
	Key string
}

func (e *UnknownFormatError) Error() string {
	return fmt.Sprintf("unknown format for %q: want a .csv, .jsonl, .ndjson or .json extension, optionally followed by .gz", e.Key)
}

// Detect derives an object's type from its key: .csv, .jsonl, .ndjson or .json, optionally followed by
// .gz, in any letter case.
func Detect(key string) (Type, error) {
	name := strings.ToLower(path.Base(key))
	var t Type
	if base, ok := strings.CutSuffix(name, ".gz"); ok {
		name, t.Gzip = base, true
	}
	switch path.Ext(name) {
	case ".csv":
		t.Format = CSV
	case ".jsonl", ".ndjson":
		t.Format = JSONL
	case ".json":
		t.Format = JSON
	default:
		return Type{}, &UnknownFormatError{Key: key}
	}
	if strings.TrimSuffix(name, path.Ext(name)) == "" { // ".csv" alone names no object
		return Type{}, &UnknownFormatError{Key: key}
	}
	return t, nil
}
