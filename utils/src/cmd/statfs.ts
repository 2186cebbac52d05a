import type { Argv, CommandModule } from 'yargs';
import { mountPath, withFd, withPathOption } from '../lib/ioctl-args';
import { statfsMore } from '../lib/ioctl';
import { checkFieldArgs, fieldOptions, hex64, num, printFields } from './stat';

interface StatfsArgs {
  path?: string;
  'single-field'?: string;
  json: boolean;
}

export const statfsCommand: CommandModule<object, StatfsArgs> = {
  command: 'statfs',
  describe:
    'Print the scoutfs fields of a mount: fsid, rid, committed (stable) seq and device sizes in blocks',
  builder: (y: Argv) => fieldOptions(withPathOption(y)) as unknown as Argv<StatfsArgs>,
  handler: (a) => {
    checkFieldArgs(a);
    const p = mountPath(a.path);
    return withFd(p.what, p.path, (fd) => {
      const s = statfsMore(fd);
      printFields(
        [
          hex64('fsid', s.fsid),
          hex64('rid', s.rid),
          num('committed_seq', s.committed_seq),
          num('total_meta_blocks', s.total_meta_blocks),
          num('total_data_blocks', s.total_data_blocks),
          num('reserved_meta_blocks', s.reserved_meta_blocks),
        ],
        a['single-field'],
        a.json,
      );
    });
  },
};
