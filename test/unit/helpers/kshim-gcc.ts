/*
 * Builds kernel sources (kmod/src, kmod/src/gen) into a userspace program
 * through test/c/kshim.h, the few kernel definitions they need: the C/TS
 * agreement tests and the state machines' simulators.  -Werror, as the
 * module build.
 */
import * as path from 'path';
import execa from 'execa';

const ROOT = path.resolve(__dirname, '../../..');

export async function gccWithKshim(
  exe: string,
  sources: string[],
  extra: string[] = [],
): Promise<void> {
  await execa('gcc', [
    '-Wall',
    '-Wextra',
    '-Werror',
    ...extra,
    '-include',
    path.join(ROOT, 'test/c/kshim.h'),
    '-I',
    path.join(ROOT, 'kmod/src/gen'),
    '-I',
    path.join(ROOT, 'kmod/src'),
    '-o',
    exe,
    ...sources,
  ]);
}
