// Finds kernel splats (oops, BUG, WARNING, lockdep reports, hung tasks,
// lockups, panics) in guest dmesg or console text.  Any splat fails a run.

// A message body (after the "[   12.345678] " timestamp) that starts one.
const HEADLINES: RegExp[] = [
  /^Oops\b/,
  /^BUG:/,
  /^kernel BUG at/,
  /^WARNING:/, // WARN_ON and lockdep ("WARNING: possible circular locking ...")
  /^general protection fault/,
  /^Kernel panic/,
  /^INFO: task .* blocked for more than/,
  /^UBSAN:/,
  /^watchdog: /, // soft and hard lockups
];

// Phrases that mark one wherever they appear in a line.
const PHRASES: RegExp[] = [
  /general protection/,
  /possible circular locking/,
  /possible recursive locking/,
  /inconsistent lock state/,
  /suspicious RCU usage/,
  /possible irq lock inversion/,
  /held when returning to user space/,
  /blocked for more than \d+ seconds/,
  /\bhung_task\b/,
  /soft lockup/,
  /hard LOCKUP/,
  /rcu.*detected stalls/,
];

const MAX_SPLAT_LINES = 80;
const END = /---\[ end (trace|Kernel panic)/;
const CUT_HERE = /-+\[ cut here \]-+/;

const TIMESTAMP = /^\s*(<\d+>)?\[\s*\d+\.\d+\]\s?/;

/** The message of a kernel log line, or null for other text (the console
 * also carries the script's own output, which must not count). */
function body(line: string): string | null {
  return TIMESTAMP.test(line) ? line.replace(TIMESTAMP, '') : null;
}

function isHeadline(line: string): boolean {
  const b = body(line);
  return b !== null && HEADLINES.some((re) => re.test(b));
}

export function isSplatLine(line: string): boolean {
  const b = body(line);
  return b !== null && (HEADLINES.some((re) => re.test(b)) || PHRASES.some((re) => re.test(b)));
}

/**
 * Each splat as text: from its first line (or the "cut here" line just
 * before it) to its "---[ end" line, the next splat's headline, or at most
 * MAX_SPLAT_LINES lines.
 */
export function findSplats(text: string): string[] {
  const lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
  const splats: string[] = [];
  let i = 0;
  while (i < lines.length) {
    if (!isSplatLine(lines[i])) {
      i++;
      continue;
    }
    const start = i > 0 && CUT_HERE.test(lines[i - 1]) ? i - 1 : i;
    let end = i;
    while (
      end + 1 < lines.length &&
      end - start + 1 < MAX_SPLAT_LINES &&
      !END.test(lines[end]) &&
      !isHeadline(lines[end + 1]) &&
      !CUT_HERE.test(lines[end + 1])
    ) {
      end++;
    }
    splats.push(lines.slice(start, end + 1).join('\n'));
    i = end + 1;
  }
  return splats;
}
