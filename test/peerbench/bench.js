// Measures aws-local-stepfunctions on the definitions given on stdin:
// {"defs": {"name": {"definition": "...", "input": "..."}}, "millis": budget per definition}
// and prints {"name": {"executionsPerSecond": n, "executionsPerCPUSecond": n, "statesEntered": n}}. Executions run one at a time, each
// awaited before the next starts, with the event log consumed (history on, as the Go side records it).
'use strict';
const { StateMachine } = require('aws-local-stepfunctions');

async function once(sm, input, i) {
  const name = `bench-${i}`;
  const context = {
    Execution: { Id: `arn:aws:states:us-east-1:123456789012:execution:bench:${name}`, Name: name },
    StateMachine: { Id: 'arn:aws:states:us-east-1:123456789012:stateMachine:bench', Name: 'bench' },
  };
  const run = sm.run(input, { context });
  const counting = (async () => {
    let n = 0;
    for await (const ev of run.eventLogs) if (ev.type === 'StateEntered') n++;
    return n;
  })();
  await run.result;
  return counting;
}

async function main() {
  const chunks = [];
  for await (const c of process.stdin) chunks.push(c);
  const spec = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  const out = {};
  let i = 0;
  for (const [name, d] of Object.entries(spec.defs)) {
    const sm = new StateMachine(JSON.parse(d.definition));
    const input = JSON.parse(d.input);
    const budget = BigInt(spec.millis) * 1000000n;
    for (let start = process.hrtime.bigint(); process.hrtime.bigint() - start < budget / 2n; ) await once(sm, input, i++); // warm up the JIT
    let n = 0;
    let entered = 0;
    const cpu = process.cpuUsage();
    const start = process.hrtime.bigint();
    let now = start;
    while (now - start < budget) {
      for (let k = 0; k < 10; k++) entered += await once(sm, input, i++);
      n += 10;
      now = process.hrtime.bigint();
    }
    const used = process.cpuUsage(cpu); // microseconds of the whole process, its collector's threads included
    out[name] = {
      executionsPerSecond: n / (Number(now - start) / 1e9),
      executionsPerCPUSecond: n / ((used.user + used.system) / 1e6),
      statesEntered: entered / n,
    };
  }
  process.stdout.write(JSON.stringify(out));
}

main().catch((err) => { console.error(err); process.exit(1); });
