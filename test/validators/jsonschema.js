// Validates dataset schema documents against the JSON Schema of the format (draft 2020-12, with Ajv).
// Usage: node jsonschema.js FORMAT.json DOC.json...
// Prints {"DOC.json": [errors...]} (an empty list for a valid document) and exits 0, or 2 on a failure
// to run (an unreadable file, a JSON Schema Ajv cannot compile).
const fs = require("fs");
const Ajv2020 = require("ajv/dist/2020").default;

try {
  const [format, ...docs] = process.argv.slice(2);
  const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true }) // "type": ["number", "string"] is standard;
  const validate = ajv.compile(JSON.parse(fs.readFileSync(format, "utf8")));
  const out = {};
  for (const doc of docs) {
    const ok = validate(JSON.parse(fs.readFileSync(doc, "utf8")));
    out[doc] = ok ? [] : validate.errors.map((e) => `${e.instancePath || "/"} ${e.message}`);
  }
  console.log(JSON.stringify(out));
} catch (e) {
  console.error(e.stack || String(e));
  process.exit(2);
}
