// Self-tests of the VM runner: a planted WARN_ON in a throwaway module is
// reported as a failure with its splat, script status and output come back,
// and a crash (sysrq-b) followed by a second boot sees the same disks.
import execa from 'execa';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { describeRun, kernelCache, runOk, runScript, Vm } from './runner';

jest.setTimeout(10 * 60 * 1000);

const MiB = 1024 * 1024;

/** Builds fixtures/warn into a temp dir; returns the .ko path. */
async function buildWarnModule(dir: string): Promise<string> {
  const src = path.join(__dirname, 'fixtures', 'warn');
  for (const f of fs.readdirSync(src)) fs.copyFileSync(path.join(src, f), path.join(dir, f));
  const kdir = `/lib/modules/${kernelCache().abi}/build`;
  await execa('make', ['-s', '-C', kdir, `M=${dir}`, 'modules']);
  return path.join(dir, 'vm_warn.ko');
}

test('a WARN_ON in a module fails the run and shows the splat', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scoutfs-warn-'));
  try {
    const ko = await buildWarnModule(dir);
    const r = await runScript('echo hello from the guest\necho to stderr >&2\nexit 7\n', {
      modules: [ko],
    });
    // The script itself ran and its status and output came back ...
    expect(r.status).toBe(7);
    expect(r.output).toBe('hello from the guest\nto stderr\n');
    // ... but the run failed because of the warning, which is shown.
    expect(r.failure).toMatch(/kernel splat/);
    expect(runOk(r)).toBe(false);
    expect(r.splats).toHaveLength(1);
    expect(r.splats[0]).toMatch(/WARNING: CPU: \d+ PID: \d+ at .*warn\.c:\d+ vm_warn_init/);
    expect(r.splats[0]).toMatch(/---\[ end trace/);
    expect(describeRun(r)).toContain(r.splats[0]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('crash by sysrq-b, then a second boot on the same disks', async () => {
  const vm = Vm.create([
    { name: 'meta', bytes: 64 * MiB },
    { name: 'data', bytes: 64 * MiB },
  ]);
  try {
    const first = await vm.boot({
      script: [
        'echo synced | dd of=/dev/vm/meta conv=fsync 2>/dev/null',
        'echo before the crash',
        'vm-crash',
        'echo not reached',
      ].join('\n'),
    });
    expect(first.failure).toBeNull();
    expect(first.crashed).toBe(true);
    expect(first.status).toBeNull();
    expect(first.output).toBe('before the crash\nvm: crashing by sysrq-b\n');

    const second = await vm.boot({ script: 'head -c 7 /dev/vm/meta\n' });
    if (!runOk(second)) throw new Error(describeRun(second));
    expect(second.crashed).toBe(false);
    expect(second.output).toBe('synced\n');
  } finally {
    vm.dispose();
  }
});
