// Package schema is the dataset schema format of the pipeline and the one place that decides whether a
// value is acceptable for a column and what it means once coerced. The validate task checks values with
// [Column.Check], which gives [Column.Coerce]'s verdict (common cases decided without building a value,
// the rest by Coerce itself), and the process task writes the values Coerce returns, so the two agree by
// construction.
//
// A schema is a JSON document stored at schemas/<dataset>.json in the pipeline bucket:
//
//	{
//	  "name": "orders",                       // the dataset; must equal <dataset>
//	  "description": "Web shop orders",       // optional, free text
//	  "formats": ["csv", "jsonl", "json"],    // optional: accepted formats (default: all three)
//	  "csv": {"delimiter": ","},              // optional CSV settings (default delimiter ",")
//	  "limits": {"maxBytes": 1073741824, "maxRows": 10000000},  // optional object limits (0 = none)
//	  "columns": [
//	    {"name": "order_id", "type": "string", "required": true, "pattern": "ORD-[0-9]{6}"},
//	    {"name": "quantity", "type": "integer", "required": true, "min": 1, "max": 1000},
//	    {"name": "price",    "type": "number",  "required": true, "min": 0},
//	    {"name": "status",   "type": "string",  "required": true, "enum": ["new", "paid", "shipped"]},
//	    {"name": "gift",     "type": "boolean", "nullable": true},
//	    {"name": "day",      "type": "date",    "required": true, "min": "2020-01-01"},
//	    {"name": "created",  "type": "timestamp", "required": true},
//	    {"name": "note",     "type": "string",  "nullable": true, "maxLength": 200}
//	  ]
//	}
//
// (Comments are for this page only: a schema is plain JSON and unknown members are rejected.)
//
// Column members:
//   - name: 1 to 128 characters, unique within the schema.
//   - type: "string", "integer", "number", "boolean", "date" or "timestamp".
//   - required: the column must be present: in the CSV header, and as a member of every JSON record.
//     A column that is not required may be left out; it is then null in every record that lacks it.
//   - nullable: the value may be null: a JSON null, or a value that is empty after trimming white space
//     (an empty CSV field, "" or "  "), in every format alike. An absent optional column is always allowed.
//   - enum: the allowed values, written as JSON strings (or numbers for integer and number columns),
//     compared after coercion, so "007" and "7" are the same integer. Not allowed on boolean columns.
//   - min, max: inclusive bounds for integer and number (JSON numbers), date and timestamp (JSON strings
//     in the column's own syntax). Not allowed on string or boolean columns.
//   - pattern: an RE2 regular expression (https://github.com/google/re2/wiki/Syntax) that the whole
//     trimmed value must match (it is anchored at both ends); string columns only.
//   - maxLength: the most Unicode code points a string value may have; string columns only.
//
// Coercion, per type (values are trimmed of leading and trailing white space first):
//   - string: the trimmed text. JSON numbers and booleans are not strings.
//   - integer: an optional sign and decimal digits, parsed exactly into a signed 64-bit integer (out of
//     range is an error, never a rounded value). JSON numbers and JSON strings are both accepted.
//   - number: decimal with optional fraction and exponent ("1", "-2.5", ".5", "6.02e23"), parsed to the
//     nearest float64; "NaN", "Inf", hex and digit separators are refused, as are values that overflow.
//   - boolean: true or false, in any letter case; JSON booleans and strings alike.
//   - date: YYYY-MM-DD, a real calendar date.
//   - timestamp: RFC 3339 (https://www.rfc-editor.org/rfc/rfc3339) and its common ISO 8601 relatives:
//     "T", "t" or a space between date and time, optional seconds fraction (up to nine digits), and a zone
//     "Z", "+hh:mm", "+hhmm", "+hh" or none (UTC is assumed). Normalised to RFC 3339 in UTC with the
//     shortest exact fraction, e.g. "2024-03-01 10:00:00+01:00" becomes "2024-03-01T09:00:00Z".
//
// Parse reports the first problem with its location (a JSON path such as columns[2].min, or the line and
// column of a JSON syntax error).
package schema
