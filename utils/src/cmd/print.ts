import type { Argv, CommandModule } from 'yargs';
import { closeDevice, openDevice } from '../lib/device';
import { printVolume } from '../lib/print';
import { readSuper } from '../lib/volume';

interface Args {
  'meta-dev': string;
  merged: boolean;
}

export const printCommand: CommandModule<object, Args> = {
  command: 'print <meta-dev>',
  describe:
    'Print the metadata of an unmounted volume: super block, quorum blocks, free extents and every item. Read-only; exits 1 if any structure is damaged',
  builder: (y: Argv) =>
    y
      .positional('meta-dev', {
        type: 'string',
        demandOption: true,
        describe: 'metadata device',
      })
      .option('merged', {
        type: 'boolean',
        default: false,
        describe:
          'also print the merged items: of every key the newest copy among the fs btree and the log btrees, without deleted keys (what the filesystem holds)',
      }) as unknown as Argv<Args>,
  handler: (a) => {
    const dev = openDevice('metadata device', a['meta-dev'], false);
    try {
      const sb = readSuper(dev, 'metadata');
      const lines: string[] = [];
      const problems = printVolume(dev, sb, (s) => lines.push(s), a.merged);
      process.stdout.write(lines.join('\n') + '\n');
      if (problems) {
        process.stderr.write(`scoutfs print: ${problems} damaged structure(s) found\n`);
        process.exitCode = 1;
      }
    } finally {
      closeDevice(dev);
    }
  },
};
