// Measures jsonata-js on the expressions given on stdin:
// {"datasets": {...}, "exprs": [{"name", "dataset", "expr"}], "millis": budget per expression}
// and prints {"name": nanoseconds per evaluation, ...}.
'use strict';
const jsonata = require('jsonata');

async function main() {
  const chunks = [];
  for await (const c of process.stdin) chunks.push(c);
  const spec = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  const out = {};
  for (const x of spec.exprs) {
    const e = jsonata(x.expr);
    const input = spec.datasets[x.dataset];
    for (let i = 0; i < 2000; i++) await e.evaluate(input); // warm up the JIT
    const budget = BigInt(spec.millis) * 1000000n;
    let n = 0;
    const start = process.hrtime.bigint();
    let now = start;
    while (now - start < budget) {
      for (let i = 0; i < 100; i++) await e.evaluate(input);
      n += 100;
      now = process.hrtime.bigint();
    }
    out[x.name] = Number(now - start) / n;
  }
  process.stdout.write(JSON.stringify(out));
}

main().catch((err) => { console.error(err); process.exit(1); });
