/*
 * The kernel modules as built by `make module` (Debian's default kernel, in
 * kmod/src) and `make module-6.12` (in kmod/build/<ABI>): modinfo describes
 * each and it was built for the kernel of its headers metapackage.
 */
import * as fs from 'fs';
import * as path from 'path';
import execa from 'execa';

const ROOT = path.resolve(__dirname, '../..');

test.each([
  ['make module', ''],
  ['make module-6.12', '6.12'],
])('modinfo shows the module of `%s` built for its headers ABI', async (make, series) => {
  const abi = (
    await execa(path.join(ROOT, 'scripts/kernel-abi.sh'), series ? [series] : [])
  ).stdout.trim();
  const KO = series
    ? path.join(ROOT, 'kmod/build', abi, 'scoutfs.ko')
    : path.join(ROOT, 'kmod/src/scoutfs.ko');
  if (!fs.existsSync(KO)) throw new Error(`${KO} is missing: run '${make}' first`);
  const info = (await execa('/sbin/modinfo', [KO])).stdout;
  const field = (name: string) =>
    info
      .split('\n')
      .filter((l) => l.startsWith(`${name}:`))
      .map((l) => l.slice(name.length + 1).trim());
  expect(field('name')).toEqual(['scoutfs']);
  expect(field('license')).toEqual(['GPL']);
  expect(field('alias')).toContain('fs-scoutfs');
  expect(field('vermagic')[0].split(' ')[0]).toBe(abi);
  expect(field('depends')[0]).toContain('libcrc32c');
});
