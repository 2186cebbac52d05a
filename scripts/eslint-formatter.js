// ESLint formatter for the lint lane: one line per finding,
//   path:line:col: error|warning: message (rule)
// with the path relative to the working directory, as sparse, checkpatch
// and tsc name them.  (ESLint 9 dropped its own "unix" formatter.)
const path = require('path');

module.exports = function formatter(results) {
  const lines = [];
  for (const r of results) {
    const file = path.relative(process.cwd(), r.filePath);
    for (const m of r.messages) {
      const sev = m.severity === 2 ? 'error' : 'warning';
      const rule = m.ruleId ? ` (${m.ruleId})` : '';
      lines.push(`${file}:${m.line || 0}:${m.column || 0}: ${sev}: ${m.message}${rule}`);
    }
  }
  if (lines.length) lines.push(`eslint: ${lines.length} findings`);
  return lines.join('\n');
};
