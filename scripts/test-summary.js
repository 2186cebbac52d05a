#!/usr/bin/env node
// Print jest's result file as the plain closing line CI reads:
//   "tests: N passed, N failed[, N skipped]"
// and exit non-zero when the run failed or executed no test.
const fs = require('fs');
const file = process.argv[2];
let r;
try {
  r = JSON.parse(fs.readFileSync(file, 'utf8'));
} catch (e) {
  console.log(`tests: 0 passed, 1 failed (no jest results in ${file}: ${e.message})`);
  process.exit(1);
}
const skipped = r.numPendingTests + r.numTodoTests;
const suitesFailed = r.numFailedTestSuites || 0;
console.log(
  `tests: ${r.numPassedTests} passed, ${r.numFailedTests + (r.numFailedTests ? 0 : suitesFailed)} failed${skipped ? `, ${skipped} skipped` : ''}`,
);
process.exit(r.success && r.numPassedTests > 0 ? 0 : 1);
