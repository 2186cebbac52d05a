import type { Argv, CommandModule } from 'yargs';
import { UserError } from '../lib/errors';
import { withFd } from '../lib/ioctl-args';
import { statMore } from '../lib/ioctl';

/*
 * `stat` and `statfs` print `name value` lines (upstream's format, which
 * scripts read), one field with -s FIELD, or one JSON object.
 */
export type Fields = [name: string, value: string, json: string][];

export function num(name: string, v: bigint | number): [string, string, string] {
  return [name, String(v), String(v)];
}

export function hex64(name: string, v: bigint): [string, string, string] {
  const h = v.toString(16).padStart(16, '0');
  return [name, h, `"${h}"`];
}

/* refuse contradicting output options before doing anything */
export function checkFieldArgs(a: { 'single-field'?: string; json: boolean }): void {
  if (a['single-field'] !== undefined && a.json)
    throw new UserError('--single-field and --json contradict each other: give one');
}

export function printFields(fields: Fields, single: string | undefined, json: boolean): void {
  if (single !== undefined) {
    const f = fields.find(([n]) => n === single);
    if (!f)
      throw new UserError(
        `--single-field '${single}' is not one of ${fields.map(([n]) => n).join(', ')}`,
      );
    process.stdout.write(f[1] + '\n');
  } else if (json) {
    process.stdout.write('{' + fields.map(([n, , j]) => `"${n}":${j}`).join(',') + '}\n');
  } else {
    process.stdout.write(fields.map(([n, v]) => `${n} ${v}`).join('\n') + '\n');
  }
}

interface StatArgs {
  file: string;
  'single-field'?: string;
  json: boolean;
}

export function fieldOptions<T>(y: Argv<T>): Argv<T> {
  return y
    .option('single-field', {
      alias: 's',
      type: 'string',
      requiresArg: true,
      describe: 'print only this field, bare',
    })
    .option('json', { type: 'boolean', default: false, describe: 'print one JSON object' });
}

export const statCommand: CommandModule<object, StatArgs> = {
  command: 'stat <file>',
  describe:
    'Print the scoutfs fields of an inode that stat(1) lacks: seqs, data_version, online/offline blocks, creation time',
  builder: (y: Argv) =>
    fieldOptions(
      y.positional('file', {
        type: 'string',
        demandOption: true,
        describe: 'a file or directory in a scoutfs mount',
      }),
    ) as unknown as Argv<StatArgs>,
  handler: (a) => {
    checkFieldArgs(a);
    return withFd('FILE', a.file, (fd) => {
      const s = statMore(fd);
      printFields(
        [
          num('meta_seq', s.meta_seq),
          num('data_seq', s.data_seq),
          num('data_version', s.data_version),
          num('online_blocks', s.online_blocks),
          num('offline_blocks', s.offline_blocks),
          [
            'crtime',
            `${s.crtime_sec}.${String(s.crtime_nsec).padStart(9, '0')}`,
            `{"sec":${s.crtime_sec},"nsec":${s.crtime_nsec}}`,
          ],
        ],
        a['single-field'],
        a.json,
      );
    });
  },
};
