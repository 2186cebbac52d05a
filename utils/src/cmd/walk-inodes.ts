import type { Argv, CommandModule } from 'yargs';
import { UserError } from '../lib/errors';
import { mountPath, withPathOption, openArg, ioctlUserError } from '../lib/ioctl-args';
import { stableSeq } from '../lib/ioctl';
import {
  DEFAULT_BATCH,
  IndexName,
  INDEXES,
  InodeWalk,
  WalkPos,
  comparePos,
  follow,
  formatPos,
  parsePos,
  posAfter,
} from '../lib/walk';
import * as fs from 'fs';

interface Args {
  index: string;
  first: string;
  last: string;
  path?: string;
  json: boolean;
  follow: boolean;
  interval: number;
  'until-stable': boolean;
  batch: number;
}

/* a header line before every HEADER_EVERY rows, as upstream */
export const HEADER_EVERY = 25;

export function formatHeader(): string {
  return `${'major'.padEnd(20)} ${'minor'.padEnd(10)} ino`;
}

export function formatRow(major: bigint, minor: number, ino: bigint): string {
  return `${String(major).padEnd(20)} ${String(minor).padEnd(10)} ${ino}`;
}

export function formatJson(index: string, major: bigint, ino: bigint): string {
  return `{"index":"${index}","seq":${major},"ino":${ino}}`;
}

/* checked arguments of a walk */
export interface WalkArgs {
  index: IndexName;
  first: WalkPos;
  last: WalkPos;
  batch: number;
  intervalMs: number;
}

export function checkWalkArgs(a: {
  index: string;
  first: string;
  last: string;
  batch: number;
  interval: number;
  follow?: boolean;
  'until-stable'?: boolean;
}): WalkArgs {
  if (a.follow && a['until-stable'])
    throw new UserError('--follow and --until-stable contradict each other: give one');
  if (!Object.prototype.hasOwnProperty.call(INDEXES, a.index))
    throw new UserError(`INDEX '${a.index}' is not an index: use meta_seq or data_seq`);
  let first: WalkPos, last: WalkPos;
  try {
    first = parsePos('FIRST', String(a.first), false);
    last = parsePos('LAST', String(a.last), true);
  } catch (e) {
    throw new UserError((e as Error).message);
  }
  if (comparePos(first, last) > 0)
    throw new UserError(`FIRST ${formatPos(first)} is after LAST ${formatPos(last)}`);
  if (!Number.isInteger(a.batch) || a.batch < 1 || a.batch > 1 << 20)
    throw new UserError(`--batch ${a.batch} must be an integer from 1 to ${1 << 20}`);
  if (!Number.isFinite(a.interval) || a.interval <= 0 || a.interval > 86400)
    throw new UserError(
      `--interval ${a.interval} must be a number of seconds above 0 and at most 86400`,
    );
  return {
    index: a.index as IndexName,
    first,
    last,
    batch: a.batch,
    intervalMs: Math.round(a.interval * 1000),
  };
}

/* buffered stdout: one write per batch, waiting when the pipe is full */
class Out {
  private lines: string[] = [];
  push(s: string): void {
    this.lines.push(s);
  }
  async flush(): Promise<void> {
    if (this.lines.length === 0) return;
    const text = this.lines.join('\n') + '\n';
    this.lines = [];
    if (!process.stdout.write(text)) await new Promise((r) => process.stdout.once('drain', r));
  }
}

export const walkInodesCommand: CommandModule<object, Args> = {
  command: 'walk-inodes <index> <first> <last> [path]',
  describe:
    'List the inodes whose seq in an index (meta_seq: any change; data_seq: contents) is from FIRST to LAST, in (seq, ino) order, up to the last committed seq',
  builder: (y: Argv) =>
    withPathOption(
      y
        .positional('index', {
          type: 'string',
          demandOption: true,
          describe: 'meta_seq or data_seq',
        })
        .positional('first', {
          type: 'string',
          demandOption: true,
          describe: 'first position: major[.minor[.ino]], -1 = the greatest',
        })
        .positional('last', {
          type: 'string',
          demandOption: true,
          describe:
            'last position (inclusive): major[.minor[.ino]], -1 = the greatest; left-out parts are the greatest',
        })
        .positional('path', { type: 'string', describe: 'a path in the scoutfs mount' })
        .option('json', {
          type: 'boolean',
          default: false,
          describe: 'one JSON object per line: {"index","seq","ino"}',
        })
        .option('follow', {
          alias: 'f',
          type: 'boolean',
          default: false,
          describe:
            'keep going: wait for new commits, polling every --interval; on SIGINT/SIGTERM print the position to resume from',
        })
        .option('interval', {
          type: 'number',
          default: 1,
          requiresArg: true,
          describe: 'seconds between polls with --follow',
        })
        .option('until-stable', {
          type: 'boolean',
          default: false,
          describe:
            'stop at the committed seq current when the walk starts (a fixed snapshot while commits go on)',
        })
        .option('batch', {
          type: 'number',
          default: DEFAULT_BATCH,
          requiresArg: true,
          describe: 'entries per ioctl',
        }),
    ) as unknown as Argv<Args>,
  handler: async (a) => {
    const w = checkWalkArgs(a);
    const p = mountPath(a.path);
    const fd = openArg(p.what, p.path);
    const out = new Out();
    let rows = 0;
    const emit = (major: bigint, minor: number, ino: bigint) => {
      if (a.json) {
        out.push(formatJson(w.index, major, ino));
      } else {
        if (rows % HEADER_EVERY === 0) out.push(formatHeader());
        out.push(formatRow(major, minor, ino));
      }
      rows++;
    };
    try {
      if (a.follow) await runFollow(fd, w, a.json, out, emit);
      else await runWalk(fd, w, a['until-stable'], out, emit);
    } catch (e) {
      throw ioctlUserError(e, p.what, p.path);
    } finally {
      fs.closeSync(fd);
    }
  },
};

async function runWalk(
  fd: number,
  w: WalkArgs,
  untilStable: boolean,
  out: Out,
  emit: (major: bigint, minor: number, ino: bigint) => void,
): Promise<void> {
  if (untilStable) stableSeq(fd); // fail early on a non-scoutfs path
  const walk = new InodeWalk(fd, {
    index: w.index,
    from: w.first,
    to: w.last,
    batch: w.batch,
    untilStable,
  });
  for (const { buf, nr } of walk.rawBatches()) {
    for (let i = 0; i < nr; i++) emit(buf.major(i), buf.minor(i), buf.ino(i));
    walk.advance(buf, nr);
    await out.flush();
  }
}

async function runFollow(
  fd: number,
  w: WalkArgs,
  json: boolean,
  out: Out,
  emit: (major: bigint, minor: number, ino: bigint) => void,
): Promise<void> {
  const ac = new AbortController();
  const stop = () => ac.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  let cursor: WalkPos | null = w.first;
  try {
    const it = follow(fd, {
      index: w.index,
      from: w.first,
      batch: w.batch,
      interval: w.intervalMs,
      signal: ac.signal,
      onWait: () => out.flush(),
    });
    let pending = 0;
    for (;;) {
      const r = await it.next();
      if (r.done) {
        cursor = r.value;
        break;
      }
      const e = r.value;
      if (comparePos({ major: e.seq, minor: 0, ino: e.ino }, w.last) > 0) {
        await it.return(null);
        break;
      }
      emit(e.seq, 0, e.ino);
      cursor = posAfter({ major: e.seq, minor: 0, ino: e.ino });
      if (++pending >= w.batch) {
        pending = 0;
        await out.flush();
      }
    }
    await out.flush();
  } finally {
    process.removeListener('SIGINT', stop);
    process.removeListener('SIGTERM', stop);
  }
  if (ac.signal.aborted) {
    const c = cursor ? formatPos(cursor) : 'none (the walk reached the greatest position)';
    if (json) process.stdout.write(`{"cursor":"${c}"}\n`);
    else process.stderr.write(`scoutfs walk-inodes: stopped; resume with FIRST ${c}\n`);
  }
}
