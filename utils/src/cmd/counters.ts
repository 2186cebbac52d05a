import * as fs from 'fs';
import * as path from 'path';
import type { Argv, CommandModule } from 'yargs';
import { UserError } from '../lib/errors';
import { mountPath, withFd, withPathOption } from '../lib/ioctl-args';
import { statfsMore } from '../lib/ioctl';
import { checkFieldArgs, fieldOptions, printFields } from './stat';

interface CountersArgs {
  path?: string;
  'single-field'?: string;
  json: boolean;
}

/* where the module shows a mount: /sys/fs/scoutfs/<fsid>.<rid>/ (16 hex digits each) */
export const SYSFS_ROOT = process.env.SCOUTFS_SYSFS ?? '/sys/fs/scoutfs';

export function mountSysfsDir(fsid: bigint, rid: bigint): string {
  const hex = (v: bigint): string => v.toString(16).padStart(16, '0');
  return path.join(SYSFS_ROOT, `${hex(fsid)}.${hex(rid)}`);
}

export const countersCommand: CommandModule<object, CountersArgs> = {
  command: 'counters',
  describe:
    "Print a mount's event counters (commits, lock requests and grants, log btree merges, ...) from its sysfs directory, sorted by name",
  builder: (y: Argv) => fieldOptions(withPathOption(y)) as unknown as Argv<CountersArgs>,
  handler: (a) => {
    checkFieldArgs(a);
    const p = mountPath(a.path);
    return withFd(p.what, p.path, (fd) => {
      const s = statfsMore(fd);
      const dir = path.join(mountSysfsDir(s.fsid, s.rid), 'counters');
      let names: string[];
      try {
        names = fs.readdirSync(dir).sort();
      } catch (e) {
        throw new UserError(
          `cannot read the counters of ${p.path} in ${dir}: ${(e as Error).message}`,
        );
      }
      const fields = names.map((n): [string, string, string] => {
        const v = fs.readFileSync(path.join(dir, n), 'utf8').trim();
        return [n, v, v];
      });
      printFields(fields, a['single-field'], a.json);
    });
  },
};
