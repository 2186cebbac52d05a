/*
 * The kernel glue holds only what the module uses (issue 11): every
 * function and table kmod/src/gen/glue.h declares has a user in the
 * hand-written module sources (ioctl handlers: their definition), so
 * nothing generated is dead code.  What userspace needs lives in the
 * TypeScript codecs.  A missing one fails the module build instead.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ROOT } from './helpers/schema';

const SRC = path.join(ROOT, 'kmod/src');

function declared(header: string): string[] {
  const names = [...header.matchAll(/^(?!static\b)[^\s#/*}].*?\b(scoutfs_\w+)(?:\(|\[)/gm)].map(
    (m) => m[1],
  );
  return [...new Set(names)].sort();
}

test('every function and table of the generated glue.h has a user in kmod/src', () => {
  const glue = fs.readFileSync(path.join(SRC, 'gen/glue.h'), 'utf8');
  const names = declared(glue);
  expect(names).toEqual(expect.arrayContaining(['scoutfs_ioctl_ops', 'scoutfs_param_specs']));
  const hand = fs
    .readdirSync(SRC)
    .filter((f) => /\.[ch]$/.test(f))
    .map((f) => fs.readFileSync(path.join(SRC, f), 'utf8'))
    .join('\n');
  const unused = names.filter((n) => !new RegExp(`\\b${n}\\b`).test(hand));
  expect(unused).toEqual([]);
});
