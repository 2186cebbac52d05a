// Runs the whole scenario suite (test/vm/sequence) in one VM boot through
// the same entry point developers use, and fails with its report.
import execa from 'execa';
import * as path from 'path';

jest.setTimeout(60 * 60 * 1000);

test('scenario suite passes in one boot', async () => {
  const r = await execa('bash', [path.join(__dirname, 'run-tests.sh')], {
    reject: false,
    all: true,
  });
  if (r.exitCode !== 0) throw new Error(`run-tests.sh exited with ${r.exitCode}:\n${r.all ?? ''}`);
  expect(r.stdout).toMatch(/vm suite: \d+ passed, 0 failed, .*OK$/m);
});
