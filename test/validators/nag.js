// Runs cdk-nag's AwsSolutions and Serverless packs over a CloudFormation template (loaded with
// aws-cdk-lib's CfnInclude, offline) and checks every finding against a suppression list.
//
// Usage: node nag.js TEMPLATE SUPPRESSIONS
//
// SUPPRESSIONS is a JSON file: {"suppressions": [{"rule": "AwsSolutions-IAM5", "resources": ["LogicalId", ...],
// "reason": "why this finding is acceptable"}]}. A suppression without "resources" covers every resource.
//
// Prints one JSON report on stdout: {"findings": [...], "unsuppressed": [...], "unused": [...]}, where a
// finding is {rule, resource, level, info}; "unused" lists suppressions (rule/resource pairs) that match no
// finding, so the list cannot go stale. Exit status: 0 when nothing is unsuppressed or unused, 1 otherwise,
// 2 on a failure to run.
'use strict';

const fs = require('fs');
const cdk = require('aws-cdk-lib');
const { CfnInclude } = require('aws-cdk-lib/cloudformation-include');
const nag = require('cdk-nag');

// logicalId returns the template's logical id of a violating resource (cdk-nag reports construct paths
// such as Sluice/Template/Bucket).
function logicalId(r) {
  if (r.resourceLogicalId) return r.resourceLogicalId;
  const prefix = 'Sluice/Template/';
  return r.constructPath.startsWith(prefix) ? r.constructPath.slice(prefix.length) : r.constructPath;
}

function findings(templatePath) {
  const app = new cdk.App();
  const stack = new cdk.Stack(app, 'Sluice');
  new CfnInclude(stack, 'Template', { templateFile: templatePath });
  const out = [];
  for (const pack of [new nag.AwsSolutionsChecks(), new nag.ServerlessChecks()]) {
    const report = pack.validateScope(app);
    for (const v of report.violations) {
      for (const r of v.violatingResources) {
        out.push({
          rule: v.ruleName,
          resource: logicalId(r),
          level: v.severity,
          info: v.description,
        });
      }
    }
  }
  out.sort((a, b) => (a.rule + '/' + a.resource).localeCompare(b.rule + '/' + b.resource));
  return out;
}

function main(argv) {
  if (argv.length !== 2) {
    console.error('usage: node nag.js TEMPLATE SUPPRESSIONS');
    return 2;
  }
  const all = findings(argv[0]);
  const { suppressions } = JSON.parse(fs.readFileSync(argv[1], 'utf8'));
  for (const s of suppressions) {
    if (!s.rule || !s.reason || s.reason.trim().length < 20) {
      throw new Error(`suppression ${JSON.stringify(s)} needs a rule and a reason of at least 20 characters`);
    }
  }
  const covers = (s, f) => s.rule === f.rule && (!s.resources || s.resources.includes(f.resource));
  const unsuppressed = all.filter((f) => !suppressions.some((s) => covers(s, f)));
  const unused = [];
  for (const s of suppressions) {
    for (const resource of s.resources || [undefined]) {
      const matched = all.some((f) => f.rule === s.rule && (resource === undefined || f.resource === resource));
      if (!matched) unused.push({ rule: s.rule, resource });
    }
  }
  process.stdout.write(JSON.stringify({ findings: all, unsuppressed, unused }, null, 2) + '\n');
  return unsuppressed.length === 0 && unused.length === 0 ? 0 : 1;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (err) {
  console.error(String(err && err.stack ? err.stack : err));
  process.exitCode = 2;
}
