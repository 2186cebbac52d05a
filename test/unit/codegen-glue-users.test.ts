/*
 * The kernel glue holds only what the module uses (issue 11): every
 * function and table kmod/src/gen/glue.h, rules.h and net_check.h declare
 * has a user in the hand-written module sources (ioctl and message
 * handlers: their definition), or for rules.h in the generated message
 * check, itself used by net.c, so nothing generated is dead code.  What userspace needs lives in the
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

test.each([
  ['glue.h', ['scoutfs_ioctl_ops', 'scoutfs_param_specs', 'scoutfs_server_handlers']],
  ['rules.h', ['scoutfs_inode_item_invalid', 'scoutfs_net_header_invalid']],
  ['net_check.h', ['scoutfs_net_msg_invalid']],
])('every function and table of the generated %s has a user in kmod/src', (header, some) => {
  const names = declared(fs.readFileSync(path.join(SRC, 'gen', header), 'utf8'));
  expect(names).toEqual(expect.arrayContaining(some));
  const hand = fs
    .readdirSync(SRC)
    .filter((f) => /\.[ch]$/.test(f))
    .map((f) => fs.readFileSync(path.join(SRC, f), 'utf8'))
    .concat(
      header === 'rules.h' ? [fs.readFileSync(path.join(SRC, 'gen/net_check.c'), 'utf8')] : [],
    )
    .join('\n');
  const unused = names.filter((n) => !new RegExp(`\\b${n}\\b`).test(hand));
  expect(unused).toEqual([]);
});
