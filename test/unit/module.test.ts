/*
 * The kernel module as built by `make module`: modinfo describes it and it
 * was built for the Debian kernel the VM boots.
 */
import * as fs from 'fs';
import * as path from 'path';
import execa from 'execa';

const ROOT = path.resolve(__dirname, '../..');
const KO = path.join(ROOT, 'kmod/src/scoutfs.ko');

test('modinfo shows the scoutfs module built for the headers ABI', async () => {
  if (!fs.existsSync(KO)) throw new Error(`${KO} is missing: run 'make module' first`);
  const abi = (await execa(path.join(ROOT, 'scripts/kernel-abi.sh'))).stdout.trim();
  const info = (await execa('/sbin/modinfo', [KO])).stdout;
  const field = (name: string) =>
    info
      .split('\n')
      .filter((l) => l.startsWith(`${name}:`))
      .map((l) => l.slice(name.length + 1).trim());
  expect(field('name')).toEqual(['scoutfs']);
  expect(field('license')).toEqual(['GPL']);
  expect(field('alias')).toContain('fs-scoutfs');
  expect(field('vermagic')[0]).toMatch(new RegExp(`^${abi.replace(/\./g, '\\.')} `));
  expect(field('depends')[0]).toContain('libcrc32c');
});
