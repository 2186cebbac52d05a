#!/usr/bin/env node
// Print the closing lines of make test, ending with the plain line CI reads:
//   "tests: N passed, N failed[, N skipped][ (what failed)]"
// and exit non-zero when anything failed or no test ran.
//
//   test-summary.js JEST.json              one jest result file
//   test-summary.js --lanes LANES.tsv      the lanes of scripts/test-lanes.sh:
//                                          "name<TAB>ok|failed|not run<TAB>seconds<TAB>jest.json|-[<TAB>why not run]"
//
// A lane that is not a jest run (codegen-check, lint, build) adds nothing to
// the counts when it passes and one failure when it fails; a jest lane adds
// its tests (a suite that failed to run counts as a failure).
const fs = require('fs');

function readJest(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    if (e.code === 'ENOENT')
      return { error: `no jest results: jest stopped before any test (see above)` };
    return { error: `no jest results in ${file}: ${e.message}` };
  }
}

function counts(r) {
  if (r.error) return { passed: 0, failed: 1, skipped: 0 };
  const suitesFailed = r.numFailedTestSuites || 0;
  return {
    passed: r.numPassedTests,
    failed: r.numFailedTests + (r.numFailedTests ? 0 : suitesFailed),
    skipped: r.numPendingTests + r.numTodoTests,
  };
}

function line(c, notes) {
  const skipped = c.skipped ? `, ${c.skipped} skipped` : '';
  const why = notes.length ? ` (${notes.join('; ')})` : '';
  return `tests: ${c.passed} passed, ${c.failed} failed${skipped}${why}`;
}

const args = process.argv.slice(2);
if (args[0] !== '--lanes') {
  const r = readJest(args[0]);
  const c = counts(r);
  console.log(line(c, r.error ? [r.error] : []));
  process.exit(!r.error && r.success && c.passed > 0 ? 0 : 1);
}

const lanes = fs
  .readFileSync(args[1], 'utf8')
  .split('\n')
  .filter((l) => l.trim())
  .map((l) => {
    const [name, status, secs, json, why] = l.split('\t');
    return { name, status, secs: Number(secs), json: json && json !== '-' ? json : null, why };
  });

const total = { passed: 0, failed: 0, skipped: 0 };
const notes = [];
let ok = true;
for (const l of lanes) {
  let detail = '';
  if (l.json && l.status !== 'not run') {
    const r = readJest(l.json);
    const c = counts(r);
    total.passed += c.passed;
    total.failed += c.failed;
    total.skipped += c.skipped;
    detail = r.error ? r.error : `${c.passed} passed, ${c.failed} failed`;
    if (r.error || !r.success) {
      ok = false;
      notes.push(`${l.name} tests failed`);
    }
  } else if (l.status === 'failed') {
    total.failed += 1;
    ok = false;
    notes.push(`${l.name} failed`);
  } else if (l.status === 'not run') {
    detail = `not run: ${l.why || 'the fast lane failed'}`;
    notes.push(`${l.name} not run`);
  }
  const time = l.status === 'not run' ? ' '.repeat(9) : `${l.secs.toFixed(1).padStart(7)} s`;
  const status = l.status === 'not run' ? '-' : l.status;
  console.log(`lane ${l.name.padEnd(14)} ${status.padEnd(7)} ${time}  ${detail}`.trimEnd());
}
console.log(line(total, notes));
process.exit(ok && total.passed > 0 ? 0 : 1);
