// Package schema is the dataset schema format of the pipeline and the one place that decides whether a
// value is acceptable for a column and what it means once coerced. The validate task checks values with
// [Column.Check], which gives [Column.Coerce]'s verdict (common cases decided without building a value,
// the rest by Coerce itself), and the process task writes the values Coerce returns with
// [Column.AppendCoerced] (Coerce and [Value.AppendJSON] in one step, the common cases written straight
// into the output without allocating, the rest by Coerce itself; [Column.AppendFast] is that fast path
// alone, for a writer that calls AppendCoerced only where it does not decide, with a [FastMemo] per
// column that lets a date or timestamp of the same month as the column's last one skip the calendar
// arithmetic), so the two agree by construction.
//
// A schema is a JSON document stored at schemas/<dataset>.json in the pipeline bucket:
//
//	{
//	  "$schema": "../../tasks/schema/sluice-schema.json",  // optional: the format's JSON Schema, for editors
//	  "name": "orders",                       // the dataset; must equal <dataset>
//	  "description": "Web shop orders",       // optional, free text
//	  "formats": ["csv", "jsonl", "json"],    // optional: accepted formats (default: all three)
//	  "csv": {"delimiter": ","},              // optional CSV settings (default delimiter ",")
//	  "limits": {"maxBytes": 1073741824, "maxRows": 10000000},  // optional object limits (0 = none)
//	  "columns": [
//	    {"name": "order_id", "type": "string", "required": true, "pattern": "ORD-[0-9]{6}"},
//	    {"name": "quantity", "type": "integer", "required": true, "min": 1, "max": 1000},
//	    {"name": "price",    "type": "decimal", "required": true, "precision": 12, "scale": 2, "min": 0},
//	    {"name": "weight",   "type": "number",  "nullable": true},
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
//   - type: "string", "integer", "number", "decimal", "boolean", "date" or "timestamp".
//   - required: the column must be present: in the CSV header, and as a member of every JSON record.
//     A column that is not required may be left out; it is then null in every record that lacks it.
//   - nullable: the value may be null: a JSON null, or a value that is empty after trimming white space
//     (an empty CSV field, "" or "  "), in every format alike. An absent optional column is always allowed.
//   - enum: the allowed values, written as JSON strings (or numbers for integer and number columns),
//     compared after coercion, so "007" and "7" are the same integer. Not allowed on boolean columns.
//   - min, max: inclusive bounds for integer, number and decimal (JSON numbers, or strings for decimal),
//     date and timestamp (JSON strings in the column's own syntax). Not allowed on string or boolean columns.
//   - pattern: an RE2 regular expression (https://github.com/google/re2/wiki/Syntax) that the whole
//     trimmed value must match (it is anchored at both ends); string columns only.
//   - maxLength: the most Unicode code points a string value may have; string columns only.
//   - precision, scale: decimal columns only. precision (1 to 1000, default 1000) bounds the significant
//     digits (those before the point, leading zeros aside, plus those after it); scale (0 to precision)
//     fixes the digits after the point: values are padded to it, and one that needs more is refused.
//
// Coercion, per type (values are trimmed of leading and trailing white space first):
//   - string: the trimmed text. JSON numbers and booleans are not strings.
//   - integer: an optional sign and decimal digits, parsed exactly into a signed 64-bit integer (out of
//     range is an error, never a rounded value). JSON numbers and JSON strings are both accepted.
//   - number: decimal with optional fraction and exponent ("1", "-2.5", ".5", "6.02e23"), parsed to the
//     nearest float64; "NaN", "Inf", hex and digit separators are refused, as are values that overflow.
//     Written as a JSON number in plain notation (1234567890.1234567, 100000000000000000) unless the
//     source had an exponent; a float64 keeps about 16 significant digits, so use decimal for exact values.
//   - decimal: the same syntax, kept exactly: never rounded, never through a float64. Written as a JSON
//     number without exponent, in canonical form: no leading zeros, no sign on zero, and trailing zeros
//     after the point dropped, or padded to the scale when the column has one ("7.5" with scale 2 is
//     7.50). Readers that parse JSON numbers as float64 round them; read them as decimals (e.g. Python's
//     json.loads(parse_float=decimal.Decimal), Java's BigDecimal, Athena's DECIMAL(p,s)).
//   - boolean: true or false, in any letter case; JSON booleans and strings alike.
//   - date: YYYY-MM-DD, a real calendar date.
//   - timestamp: RFC 3339 (https://www.rfc-editor.org/rfc/rfc3339) and its common ISO 8601 relatives:
//     "T", "t" or a space between date and time, optional seconds fraction (up to nine digits), and a zone
//     "Z", "+hh:mm", "+hhmm", "+hh" or none (UTC is assumed). Normalised to RFC 3339 in UTC with the
//     shortest exact fraction, e.g. "2024-03-01 10:00:00+01:00" becomes "2024-03-01T09:00:00Z".
//
// Parse reports every problem of a document at once ([Problems]), each with a JSON path such as
// columns[2].min and the line and column of the value or member it is about; messages name the allowed
// values or the expected type. A JSON syntax error stops the reading and comes alone. The format's JSON
// Schema, generated from these types, is tasks/schema/sluice-schema.json ([JSONSchema]): point an
// editor at it with a "$schema" member.
package schema
