// Runs @aws/cloudformation-validate (bundled inside aws-cdk-lib, offline WebAssembly) over templates and
// prints one JSON report on stdout:
//   {"version": "...", "reports": [{"template": PATH, "diagnostics": [{ruleId, severity, message, entity, propertyPath}]}]}
// Exit status: 0 when no diagnostic has severity ERROR or FATAL, 1 otherwise, 2 on a failure to run.
// Building the engine costs seconds, so one run validates several templates.
//
// Usage: node cfn-validate.js TEMPLATE...
'use strict';

const path = require('path');

function load() {
  // aws-cdk-lib keeps it as a private dependency; resolve it from aws-cdk-lib's own directory.
  const cdkDir = path.dirname(require.resolve('aws-cdk-lib/package.json'));
  return require(require.resolve('@aws/cloudformation-validate', { paths: [cdkDir] }));
}

function main(argv) {
  if (argv.length === 0) {
    console.error('usage: node cfn-validate.js TEMPLATE...');
    return 2;
  }
  const cfv = load();
  const engine = new cfv.CompositeEngine();
  try {
    const reports = argv.map((template) => ({
      template,
      diagnostics: engine.validateTemplate(new cfv.TemplateFile(template)).diagnostics.map((d) => ({
        ruleId: d.ruleId,
        severity: d.severity,
        message: d.message,
        entity: d.entity ? d.entity.name || d.entity.logicalId || JSON.stringify(d.entity) : undefined,
        propertyPath: d.propertyPath,
      })),
    }));
    process.stdout.write(JSON.stringify({ version: cfv.version(), reports }, null, 2) + '\n');
    const failed = reports.some((r) => r.diagnostics.some((d) => d.severity === 'ERROR' || d.severity === 'FATAL'));
    return failed ? 1 : 0;
  } finally {
    engine.free();
  }
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (err) {
  console.error(String(err && err.stack ? err.stack : err));
  process.exitCode = 2;
}
