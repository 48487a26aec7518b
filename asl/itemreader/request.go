package itemreader

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// The resources an ItemReader names, after "arn:<partition>:states:::".
const (
	ResourceListObjectsV2 = "s3:listObjectsV2"
	ResourceGetObject     = "s3:getObject"
)

// Input types (ReaderConfig.InputType), header locations, manifest types and transformations, as the
// ItemReader page spells them.
const (
	InputCSV      = "CSV"
	InputJSON     = "JSON"
	InputJSONL    = "JSONL"
	InputParquet  = "PARQUET"
	InputManifest = "MANIFEST"

	HeaderFirstRow = "FIRST_ROW"
	HeaderGiven    = "GIVEN"

	ManifestS3Inventory = "S3_INVENTORY"
	ManifestAthenaData  = "ATHENA_DATA"

	TransformNone           = "NONE"
	TransformLoadAndFlatten = "LOAD_AND_FLATTEN"
)

// MaxItemsLimit is the largest MaxItems Step Functions accepts.
const MaxItemsLimit = 100_000_000

// Request is one ItemReader with its Parameters or Arguments evaluated.
type Request struct {
	// Resource is the ItemReader's Resource, e.g. "arn:aws:states:::s3:listObjectsV2".
	Resource string
	// Bucket and Key (getObject), Prefix (listObjectsV2) and VersionID locate the data.
	Bucket, Key, Prefix, VersionID string

	InputType         string
	CSVHeaderLocation string
	CSVHeaders        []string
	CSVDelimiter      string // COMMA, PIPE, SEMICOLON, SPACE or TAB; "" is COMMA
	ManifestType      string
	Transformation    string // listObjectsV2: NONE or LOAD_AND_FLATTEN

	// MaxItems is the evaluated MaxItems or MaxItemsPath; 0 reads every item.
	MaxItems int
}

// NewRequest makes a Request from a Resource and the evaluated Parameters or Arguments (a JSON object
// with Bucket, Key or Prefix, and VersionId); the caller sets the ReaderConfig fields. A malformed
// argument is an *Error.
func NewRequest(resource string, params map[string]any) (Request, error) {
	r := Request{Resource: resource}
	for name, dst := range map[string]*string{"Bucket": &r.Bucket, "Key": &r.Key, "Prefix": &r.Prefix, "VersionId": &r.VersionID} {
		v, ok := params[name]
		if !ok || v == nil {
			continue
		}
		s, ok := v.(string)
		if !ok {
			return r, failf(nil, "The field '%s' of the ItemReader's Parameters must be a string, got %s.", name, typeName(v))
		}
		*dst = s
	}
	return r, nil
}

func typeName(v any) string {
	switch v.(type) {
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	case string:
		return "a string"
	case json.Number, float64, int:
		return "a number"
	case bool:
		return "a boolean"
	case nil:
		return "null"
	}
	return fmt.Sprintf("%T", v)
}

// action returns the resource's action ("s3:listObjectsV2"), or "" when it is not a Step Functions
// S3 integration ARN.
func action(resource string) string {
	rest, ok := strings.CutPrefix(resource, "arn:")
	if !ok {
		return ""
	}
	_, rest, ok = strings.Cut(rest, ":") // the partition
	if !ok {
		return ""
	}
	a, ok := strings.CutPrefix(rest, "states:::")
	if !ok {
		return ""
	}
	return a
}

// delimiter maps CSVDelimiter to its rune.
func delimiter(name string) (rune, error) {
	switch name {
	case "", "COMMA":
		return ',', nil
	case "PIPE":
		return '|', nil
	case "SEMICOLON":
		return ';', nil
	case "SPACE":
		return ' ', nil
	case "TAB":
		return '\t', nil
	}
	return 0, failf(nil, "Invalid CSVDelimiter %s: expected one of COMMA, PIPE, SEMICOLON, SPACE, TAB.", strconv.Quote(name))
}

// validate checks the request before any object is read.
func (r Request) validate() error {
	if r.MaxItems < 0 || r.MaxItems > MaxItemsLimit {
		return failf(nil, "MaxItems must be between 0 and %d, got %d.", MaxItemsLimit, r.MaxItems)
	}
	if r.Bucket == "" {
		return failf(nil, "The ItemReader's Parameters must name a Bucket.")
	}
	switch action(r.Resource) {
	case ResourceListObjectsV2:
		switch r.Transformation {
		case "", TransformNone:
		case TransformLoadAndFlatten:
			if r.InputType == InputManifest {
				return failf(nil, "InputType MANIFEST cannot be used with Transformation LOAD_AND_FLATTEN.")
			}
			return r.validateInput()
		default:
			return failf(nil, "Invalid Transformation %q: expected NONE or LOAD_AND_FLATTEN.", r.Transformation)
		}
		return nil
	case ResourceGetObject:
		if r.Key == "" {
			return failf(nil, "The ItemReader's Parameters must name a Key.")
		}
		return r.validateInput()
	}
	return failf(nil, "Unsupported ItemReader resource %q: expected arn:aws:states:::s3:getObject or arn:aws:states:::s3:listObjectsV2.", r.Resource)
}

func (r Request) validateInput() error {
	switch r.InputType {
	case InputCSV:
		return r.validateCSV()
	case InputJSON, InputJSONL:
		return nil
	case InputManifest:
		switch r.ManifestType {
		case "", ManifestS3Inventory:
			return nil
		case ManifestAthenaData:
			switch r.dataInputType() {
			case InputCSV:
				return r.validateCSV()
			case InputJSONL:
				return nil
			}
			return failf(nil, "ManifestType ATHENA_DATA reads CSV or JSONL data files locally.")
		}
		return failf(nil, "Invalid ManifestType %q: expected S3_INVENTORY or ATHENA_DATA.", r.ManifestType)
	case InputParquet:
		return failf(nil, "InputType PARQUET is not supported by the local Step Functions.")
	case "":
		return failf(nil, "The ItemReader's ReaderConfig must have an InputType.")
	}
	return failf(nil, "Invalid InputType %q: expected CSV, JSON, JSONL, PARQUET or MANIFEST.", r.InputType)
}

// dataInputType is the format of an Athena manifest's data files: CSV when CSV options are given,
// JSONL otherwise.
func (r Request) dataInputType() string {
	if r.CSVHeaderLocation != "" || len(r.CSVHeaders) > 0 || r.CSVDelimiter != "" {
		return InputCSV
	}
	return InputJSONL
}

func (r Request) validateCSV() error {
	if _, err := delimiter(r.CSVDelimiter); err != nil {
		return err
	}
	switch r.CSVHeaderLocation {
	case "", HeaderFirstRow:
		if len(r.CSVHeaders) > 0 {
			return failf(nil, "CSVHeaders can only be given with CSVHeaderLocation GIVEN.")
		}
	case HeaderGiven:
		if len(r.CSVHeaders) == 0 {
			return failf(nil, "CSVHeaderLocation GIVEN requires CSVHeaders.")
		}
	default:
		return failf(nil, "Invalid CSVHeaderLocation %q: expected FIRST_ROW or GIVEN.", r.CSVHeaderLocation)
	}
	return nil
}
