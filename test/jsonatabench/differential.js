// Evaluates expressions with jsonata-js for the differential test:
// stdin {"data": ..., "exprs": [...]}; stdout one result per expression:
// {"v": JSON as JSON.stringify writes it} or {"undefined": true} or
// {"error": code or message}.
'use strict';
const jsonata = require('jsonata');

async function main() {
  const chunks = [];
  for await (const c of process.stdin) chunks.push(c);
  const spec = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  const out = [];
  for (const e of spec.exprs) {
    try {
      const v = await jsonata(e).evaluate(spec.data);
      const s = JSON.stringify(v);
      out.push(s === undefined ? {undefined: true} : {v: JSON.parse(s)});
    } catch (err) {
      out.push({error: err.code || String(err.message)});
    }
  }
  process.stdout.write(JSON.stringify(out));
}

main().catch((err) => { console.error(err); process.exit(1); });
