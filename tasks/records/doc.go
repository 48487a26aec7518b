// Package records reads the rows of a dataset object as a stream: CSV (RFC 4180,
// https://www.rfc-editor.org/rfc/rfc4180, with a header row), JSON Lines (one JSON object per line) and a
// JSON array of objects, each optionally gzip-compressed. The format comes from the object key's
// extension ([Detect]).
//
// A [Reader] yields one [Record] at a time, with the 1-based line where it starts and one [schema.Raw]
// per schema column, in schema order, ready for [schema.Column.Coerce]. Memory stays bounded whatever the
// object size: nothing is read ahead beyond small buffers, a JSON array is walked token by token and never
// decoded whole, and a record longer than the record size limit ([WithMaxRecordBytes], default 1 MiB)
// stops reading with an error instead of growing the heap.
//
// What makes an object malformed stops reading and is returned by Next as an *[Error] (bad gzip data,
// invalid UTF-8, CSV or JSON syntax, a record over the size limit) or a *[HeaderError] (a CSV header that
// does not match the schema: a required column missing, an unknown or duplicated column). Problems that
// concern one record only (a CSV row with the wrong number of fields, an unknown or repeated JSON member,
// a JSON record that is not an object) are reported in [Record.Problems] and reading goes on. An error
// from the underlying reader (the S3 body) is returned as a *[SourceError] wrapping it, so the caller can
// tell a broken connection from a broken object.
//
// Conventions shared by every format: the text must be UTF-8 (a leading byte order mark is skipped);
// blank lines between records are ignored; header names and JSON member names must equal the schema's
// column names exactly, except that CSV header names are trimmed of surrounding white space.
package records
