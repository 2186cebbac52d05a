import type { Argv, CommandModule } from 'yargs';
import { UserError } from '../lib/errors';
import { mountPath, parseIno, withFd, withPathOption } from '../lib/ioctl-args';
import { inoPaths } from '../lib/ioctl';

export interface InoArgs {
  ino: string;
  path?: string;
  json: boolean;
}

export function jsonStr(s: string): string {
  return JSON.stringify(s);
}

export const inoPathCommand: CommandModule<object, InoArgs> = {
  command: 'ino-path <ino>',
  describe:
    'Print the paths of an inode, one per hard link, relative to the mount (needs CAP_DAC_READ_SEARCH)',
  builder: (y: Argv) =>
    withPathOption(
      y
        .positional('ino', { type: 'string', demandOption: true, describe: 'inode number' })
        .option('json', { type: 'boolean', default: false, describe: 'one JSON object per link' }),
    ) as unknown as Argv<InoArgs>,
  handler: (a) => {
    const ino = parseIno('INO', String(a.ino));
    const p = mountPath(a.path);
    return withFd(p.what, p.path, (fd) => {
      const paths = inoPaths(fd, ino);
      if (paths.length === 0)
        throw new UserError(`INO ${ino} has no links (no such inode, the root, or deleted)`);
      for (const l of paths)
        process.stdout.write(
          a.json
            ? `{"dir_ino":${l.dirIno},"dir_pos":${l.dirPos},"path":${jsonStr(l.path)}}\n`
            : l.path + '\n',
        );
    });
  },
};
