import type { Argv, CommandModule } from 'yargs';
import { UserError } from '../lib/errors';
import { mountPath, parseIno, withFd, withPathOption } from '../lib/ioctl-args';
import { allReferringEntries } from '../lib/ioctl';
import { InoArgs, jsonStr } from './ino-path';

const DT_NAMES: Record<number, string> = {
  1: 'fifo',
  2: 'chr',
  4: 'dir',
  6: 'blk',
  8: 'reg',
  10: 'lnk',
  12: 'sock',
};

export function dtName(t: number): string {
  return DT_NAMES[t] ?? `type${t}`;
}

export const getReferringEntriesCommand: CommandModule<object, InoArgs> = {
  command: 'get-referring-entries <ino>',
  describe:
    'Print the directory entries that link an inode: dir_ino dir_pos type name (needs CAP_DAC_READ_SEARCH)',
  builder: (y: Argv) =>
    withPathOption(
      y
        .positional('ino', { type: 'string', demandOption: true, describe: 'inode number' })
        .option('json', { type: 'boolean', default: false, describe: 'one JSON object per entry' }),
    ) as unknown as Argv<InoArgs>,
  handler: (a) => {
    const ino = parseIno('INO', String(a.ino));
    const p = mountPath(a.path);
    return withFd(p.what, p.path, (fd) => {
      const entries = allReferringEntries(fd, ino);
      if (entries.length === 0)
        throw new UserError(`INO ${ino} has no links (no such inode, the root, or deleted)`);
      for (const e of entries)
        process.stdout.write(
          a.json
            ? `{"dir_ino":${e.dirIno},"dir_pos":${e.dirPos},"ino":${e.ino},"type":"${dtName(e.dType)}","name":${jsonStr(e.name)}}\n`
            : `${e.dirIno} ${e.dirPos} ${dtName(e.dType)} ${e.name}\n`,
        );
    });
  },
};
