package asl

import "slices"

// Checks of the distributed Map's ItemReader, ItemBatcher and
// ResultWriter. AWS accepts them at definition time even on an inline Map.
// https://docs.aws.amazon.com/step-functions/latest/dg/input-output-itemreader.html
// https://docs.aws.amazon.com/step-functions/latest/dg/input-output-itembatcher.html
// https://docs.aws.amazon.com/step-functions/latest/dg/input-output-resultwriter.html

// enum reports a value outside the allowed list ("" is absent).
func (v *validator) enum(loc, field, val string, allowed ...string) {
	if val == "" || slices.Contains(allowed, val) {
		return
	}
	msg := "The value for the field '" + field + "' must be one of ["
	for i, a := range allowed {
		if i > 0 {
			msg += ", "
		}
		msg += a
	}
	v.schema(loc, msg+"]")
}

// parametersArguments checks the Parameters/Arguments pair of an
// ItemReader or ResultWriter against the query language.
func (v *validator) parametersArguments(loc string, ql QueryLanguage, parameters, arguments any) {
	if ql == JSONata {
		if parameters != nil {
			v.otherLanguage(loc, "Parameters")
		}
		v.jsonataValue(loc+"/Arguments", arguments)
		return
	}
	if arguments != nil {
		v.otherLanguage(loc, "Arguments")
	}
	v.template(loc+"/Parameters", "Parameters", parameters)
}

// s3Resource checks an ItemReader or ResultWriter resource: one of the
// listed S3 integrations in any partition.
func (v *validator) s3Resource(loc, res string, actions ...string) {
	if res == "" {
		return
	}
	for _, a := range actions {
		if p, ok := cutPartition(res); ok && p == "states:::s3:"+a {
			return
		}
	}
	v.schema(loc, "The resource provided "+res+" is not recognized. The value is not a valid resource ARN, or the resource is not available in this region.")
}

// cutPartition strips "arn:<partition>:" from an ARN.
func cutPartition(arn string) (string, bool) {
	const prefix = "arn:"
	if len(arn) <= len(prefix) || arn[:len(prefix)] != prefix {
		return "", false
	}
	rest := arn[len(prefix):]
	for i := 0; i < len(rest); i++ {
		if rest[i] == ':' {
			return rest[i+1:], i > 0
		}
	}
	return "", false
}

func (v *validator) itemReader(r *ItemReader, loc string, ql QueryLanguage) {
	v.s3Resource(loc+"/Resource", r.Resource, "getObject", "listObjectsV2")
	v.parametersArguments(loc, ql, r.Parameters, r.Arguments)
	c := r.ReaderConfig
	if c == nil {
		return
	}
	cl := loc + "/ReaderConfig"
	v.enum(cl+"/InputType", "InputType", c.InputType, "CSV", "JSON", "JSONL", "MANIFEST", "PARQUET")
	v.enum(cl+"/CSVHeaderLocation", "CSVHeaderLocation", c.CSVHeaderLocation, "FIRST_ROW", "GIVEN")
	v.enum(cl+"/CSVDelimiter", "CSVDelimiter", c.CSVDelimiter, "COMMA", "PIPE", "SEMICOLON", "SPACE", "TAB")
	v.enum(cl+"/ManifestType", "ManifestType", c.ManifestType, "S3_INVENTORY", "ATHENA_DATA")
	v.enum(cl+"/Transformation", "Transformation", c.Transformation, "NONE", "LOAD_AND_FLATTEN")
	v.exclusive(cl, "MaxItems", "MaxItemsPath", c.MaxItems != nil, c.MaxItemsPath != "")
	v.intExpr(cl+"/MaxItems", "MaxItems", c.MaxItems, ql, 1, 100000000)
	v.refPath(cl+"/MaxItemsPath", "MaxItemsPath", c.MaxItemsPath, ql)
}

func (v *validator) itemBatcher(b *ItemBatcher, loc string, ql QueryLanguage) {
	v.exclusive(loc, "MaxItemsPerBatch", "MaxItemsPerBatchPath", b.MaxItemsPerBatch != nil, b.MaxItemsPerBatchPath != "")
	v.exclusive(loc, "MaxInputBytesPerBatch", "MaxInputBytesPerBatchPath", b.MaxInputBytesPerBatch != nil, b.MaxInputBytesPerBatchPath != "")
	v.intExpr(loc+"/MaxItemsPerBatch", "MaxItemsPerBatch", b.MaxItemsPerBatch, ql, 1, maxSeconds)
	// A batch is at most 256 KiB.
	v.intExpr(loc+"/MaxInputBytesPerBatch", "MaxInputBytesPerBatch", b.MaxInputBytesPerBatch, ql, 1, 262144)
	v.refPath(loc+"/MaxItemsPerBatchPath", "MaxItemsPerBatchPath", b.MaxItemsPerBatchPath, ql)
	v.refPath(loc+"/MaxInputBytesPerBatchPath", "MaxInputBytesPerBatchPath", b.MaxInputBytesPerBatchPath, ql)
	if ql == JSONata {
		v.jsonataValue(loc+"/BatchInput", b.BatchInput)
	} else {
		v.template(loc+"/BatchInput", "BatchInput", b.BatchInput)
	}
}

func (v *validator) resultWriter(w *ResultWriter, loc string, ql QueryLanguage) {
	if w.Resource == "" && w.WriterConfig == nil {
		v.schema(loc, "These fields are required: [Resource or WriterConfig]")
	}
	v.s3Resource(loc+"/Resource", w.Resource, "putObject")
	v.parametersArguments(loc, ql, w.Parameters, w.Arguments)
	if w.Resource != "" && w.Parameters == nil && w.Arguments == nil {
		field := "Parameters"
		if ql == JSONata {
			field = "Arguments"
		}
		v.schema(loc, "These fields are required: ["+field+"]")
	}
	if c := w.WriterConfig; c != nil {
		cl := loc + "/WriterConfig"
		if (c.OutputType == "") != (c.Transformation == "") {
			v.schema(cl, "These fields are required: [OutputType, Transformation]")
		}
		v.enum(cl+"/OutputType", "OutputType", c.OutputType, "JSON", "JSONL")
		v.enum(cl+"/Transformation", "Transformation", c.Transformation, "NONE", "COMPACT", "FLATTEN")
	}
}
