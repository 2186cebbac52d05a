/*
 * The real native addon on the host (built by npm run build): it loads,
 * reports errno failures as IoctlError naming the call, and gives stable
 * addresses; the CLI refuses a path outside scoutfs naming the argument.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import execa from 'execa';
import { IoctlError, native, statfsMore, openPath } from '../../utils/src/lib/ioctl';

const ROOT = path.resolve(__dirname, '../..');
const CLI = path.join(ROOT, 'bin/scoutfs');

test('the addon loads and exports its calls', () => {
  const n = native();
  expect(Object.keys(n).sort()).toEqual(['address', 'ioctl', 'nameToHandle', 'openByHandle']);
  const b = new BigUint64Array(4);
  expect(n.address(b)).toBe(n.address(b));
  expect(n.address(b) % 8n).toBe(0n);
});

test('an ioctl on a file outside scoutfs is ENOTTY, naming the call', () => {
  const fd = openPath(os.tmpdir());
  try {
    expect(() => statfsMore(fd)).toThrow(IoctlError);
    try {
      statfsMore(fd);
    } catch (e) {
      expect((e as IoctlError).call).toBe('STATFS_MORE');
      expect((e as IoctlError).code).toBe('ENOTTY');
      expect((e as IoctlError).errno).toBe(25);
    }
  } finally {
    fs.closeSync(fd);
  }
});

test('wrong argument types are TypeErrors, not crashes', () => {
  // (TypeError of another realm under jest: match the messages)
  expect(() => native().ioctl('x' as never, 1, new Uint8Array(8))).toThrow(
    /^fd must be an integer$/,
  );
  expect(() => native().ioctl(0, 1, 'x' as never)).toThrow(
    /^arg must be a Buffer, TypedArray or bigint$/,
  );
  expect(() => native().address({} as never)).toThrow(/^buf must be a Buffer or TypedArray$/);
});

test('CLI: a path outside scoutfs and a missing path name the argument', async () => {
  const r1 = await execa('node', [CLI, 'walk-inodes', 'meta_seq', '0', '-1', os.tmpdir()], {
    reject: false,
  });
  expect(r1.exitCode).toBe(1);
  expect(r1.stderr).toBe(
    `scoutfs walk-inodes: PATH '${os.tmpdir()}' is not in a scoutfs filesystem`,
  );
  const r2 = await execa('node', [CLI, 'statfs'], {
    reject: false,
    env: { SCOUTFS_MOUNT_PATH: '/nonexistent/x' },
  });
  expect(r2.stderr).toBe("scoutfs statfs: $SCOUTFS_MOUNT_PATH '/nonexistent/x' does not exist");
  const r3 = await execa('node', [CLI, 'stat', '-s', 'meta_seq', '--json', os.tmpdir()], {
    reject: false,
  });
  expect(r3.stderr).toBe('scoutfs stat: --single-field and --json contradict each other: give one');
});
