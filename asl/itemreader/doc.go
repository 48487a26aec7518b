// Package itemreader streams the items of a Distributed Map state from an object store, as Step
// Functions' ItemReader does:
// https://docs.aws.amazon.com/step-functions/latest/dg/input-output-itemreader.html
//
// The host evaluates the ItemReader's Parameters (JSONPath) or Arguments (JSONata) into a Request and
// calls Open with a Store (the local S3, or anything that can list and get objects). The Iterator it
// returns yields one item at a time, so memory stays bounded whatever the size of the data set:
//
//   - arn:aws:states:::s3:listObjectsV2 lists the objects under Bucket and Prefix, page by page, each item
//     {"Etag", "Key", "LastModified", "Size", "StorageClass"} as Step Functions shapes it (LastModified in
//     seconds since the epoch). With ReaderConfig Transformation LOAD_AND_FLATTEN each listed object is read
//     instead, with its InputType, and its items are yielded in turn.
//   - arn:aws:states:::s3:getObject reads one object with ReaderConfig InputType CSV (header from the
//     first row or CSVHeaders, CSVDelimiter COMMA, PIPE, SEMICOLON, SPACE or TAB; every value a string),
//     JSON (a top-level array, decoded element by element), JSONL (one value a line), or MANIFEST (an S3
//     Inventory manifest.json whose CSV data files are read row by row as objects named by its
//     fileSchema, or with ManifestType ATHENA_DATA an Athena UNLOAD manifest whose data files are read with
//     the InputType).
//
// MaxItems stops the iteration after that many items. Every failure to read or parse is an *Error, whose
// Cause the engine reports with States.ItemReaderFailed. PARQUET is not read: it fails with an *Error.
package itemreader
