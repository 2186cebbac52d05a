import type { Argv, CommandModule } from 'yargs';
import { checkVolume, summaryLine } from '../lib/check';
import { closeDevice, Device, openDevice } from '../lib/device';

interface Args {
  'meta-dev': string;
  'data-dev': string;
}

/* Exit status: 0 clean, 1 problems found, 2 usage or I/O errors. */
export const checkCommand: CommandModule<object, Args> = {
  command: 'check <meta-dev> <data-dev>',
  describe:
    'Check the consistency of an unmounted volume: super blocks, every btree block, the allocators, block accounting of ' +
    'both devices, and every item. Read-only; refuses block devices that are mounted (opened exclusively); exits 0 when clean, ' +
    '1 when problems are found, 2 on usage or I/O errors (a mounted device included)',
  builder: (y: Argv) =>
    y
      .positional('meta-dev', { type: 'string', demandOption: true, describe: 'metadata device' })
      .positional('data-dev', {
        type: 'string',
        demandOption: true,
        describe: 'data device',
      }) as unknown as Argv<Args>,
  handler: (a) => {
    const devs: Device[] = [];
    try {
      const meta = openDevice('metadata device', a['meta-dev'], false, true);
      devs.push(meta);
      const data = openDevice('data device', a['data-dev'], false, true);
      devs.push(data);
      const { report } = checkVolume(meta, data);
      const out = report.problems.slice();
      if (report.nrProblems > report.problems.length)
        out.push(`... and ${report.nrProblems - report.problems.length} more problems`);
      out.push(summaryLine(report));
      process.stdout.write(out.join('\n') + '\n');
      process.exitCode = report.nrProblems ? 1 : 0;
    } catch (e) {
      /* opening or reading a device failed */
      process.stderr.write(`scoutfs check: ${(e as Error).message}\n`);
      process.exitCode = 2;
    } finally {
      for (const d of devs) closeDevice(d);
    }
  },
};
