/*
 * The change-index query library: walk the meta_seq or data_seq index
 * in (seq, ino) order with a cursor that resumes exactly.
 *
 * Each live inode has one entry per index, at the seq of the transaction
 * that last changed it, and walks never return entries past the stable
 * seq (every transaction up to it committed).  So an entry returned at
 * seq S can later only move to a greater seq, never appear anew at or
 * below S: a cursor saved after any entry and resumed later misses no
 * change and returns no entry twice unless its inode changed again.
 *
 *   for await (const e of walkInodes('/mnt/scoutfs', { index: 'meta_seq', from: cursor })) ...
 *   const w = new InodeWalk(...); ... w.cursor      the position to resume from
 *   follow(path, { from, interval, signal })       keep walking as seqs commit
 */
import * as fs from 'fs';
import { WalkInodesIndex } from '../gen/ioctl';
import { openPath, stableSeq, walkInodesBatch, WalkBuffer, WalkPos } from './ioctl';

export type { WalkPos } from './ioctl';

export type IndexName = 'meta_seq' | 'data_seq';

export const INDEXES: Readonly<Record<IndexName, number>> = {
  meta_seq: WalkInodesIndex.META_SEQ,
  data_seq: WalkInodesIndex.DATA_SEQ,
};

const U64_MAX = 0xffffffffffffffffn;
const U32_MAX = 0xffffffff;

export const POS_MIN: WalkPos = Object.freeze({ major: 0n, minor: 0, ino: 0n });
export const POS_MAX: WalkPos = Object.freeze({ major: U64_MAX, minor: U32_MAX, ino: U64_MAX });

/* The default batch: entries per ioctl (24 bytes each). */
export const DEFAULT_BATCH = 4096;

export interface WalkEntry {
  seq: bigint;
  ino: bigint;
}

export function indexNumber(name: string): number {
  if (!Object.prototype.hasOwnProperty.call(INDEXES, name))
    throw new RangeError(`unknown index '${name}': use meta_seq or data_seq`);
  return INDEXES[name as IndexName];
}

/*
 * Parse a position "major[.minor[.ino]]"; "-1" is the greatest position.
 * Components left out are 0 in a lower bound (upper = false) and the
 * maximum in an upper bound, so "5" as LAST includes every entry at seq 5.
 * Throws RangeError naming `what` and the bad component.
 */
export function parsePos(what: string, text: string, upper: boolean): WalkPos {
  if (text === '-1') return { ...POS_MAX };
  const parts = text.split('.');
  if (parts.length > 3 || parts.some((p) => p === ''))
    throw new RangeError(`${what} '${text}' is not major[.minor[.ino]] (decimal numbers) or -1`);
  const num = (name: string, s: string, max: bigint): bigint => {
    if (!/^[0-9]+$/.test(s))
      throw new RangeError(`${what} '${text}': ${name} '${s}' is not a decimal number`);
    const v = BigInt(s);
    if (v > max) throw new RangeError(`${what} '${text}': ${name} ${s} is larger than ${max}`);
    return v;
  };
  return {
    major: num('major', parts[0], U64_MAX),
    minor: parts.length > 1 ? Number(num('minor', parts[1], BigInt(U32_MAX))) : upper ? U32_MAX : 0,
    ino: parts.length > 2 ? num('ino', parts[2], U64_MAX) : upper ? U64_MAX : 0n,
  };
}

export function formatPos(p: WalkPos): string {
  return `${p.major}.${p.minor}.${p.ino}`;
}

export function comparePos(a: WalkPos, b: WalkPos): number {
  if (a.major !== b.major) return a.major < b.major ? -1 : 1;
  if (a.minor !== b.minor) return a.minor < b.minor ? -1 : 1;
  if (a.ino !== b.ino) return a.ino < b.ino ? -1 : 1;
  return 0;
}

/*
 * The position just after p (ino + 1, carrying into minor, then major),
 * or null when p is the greatest position.
 */
export function posAfter(p: WalkPos): WalkPos | null {
  if (p.ino < U64_MAX) return { major: p.major, minor: p.minor, ino: p.ino + 1n };
  if (p.minor < U32_MAX) return { major: p.major, minor: p.minor + 1, ino: 0n };
  if (p.major < U64_MAX) return { major: p.major + 1n, minor: 0, ino: 0n };
  return null;
}

export interface WalkOptions {
  index?: IndexName;
  /* first position (inclusive); default POS_MIN */
  from?: WalkPos;
  /* last position (inclusive); default POS_MAX */
  to?: WalkPos;
  /* entries per ioctl; default DEFAULT_BATCH */
  batch?: number;
  /*
   * Stop at the stable seq read when the walk starts, rather than at
   * the one current at each ioctl: a bounded snapshot while commits go on.
   */
  untilStable?: boolean;
}

/* The synchronous iterator of a walk; return() (a break) closes what it opened. */
export interface WalkIterator extends IterableIterator<WalkEntry> {
  return(value?: unknown): IteratorResult<WalkEntry>;
}

/* a path to open, or an fd already open in the mount (not closed by us) */
export type MountRef = string | number;

/*
 * A walk of one index.  Iterate it entry by entry, synchronously (for
 * ... of: the ioctls are synchronous anyway), asynchronously (for await:
 * the same iteration with one resolved promise per entry, which is what
 * the async iterator protocol costs), or a batch at a time with
 * batches() (one promise per batch).  for-of and batches() are the fast
 * paths; rawBatches() hands out the ioctl buffer itself.
 * `cursor` is always the position to resume from: just after the last
 * entry handed out, and, once an untilStable walk is done, just after the
 * seq it was bounded by (null: past the greatest position).  `done`
 * tells whether the walk finished.
 */
export class InodeWalk implements AsyncIterable<WalkEntry>, Iterable<WalkEntry> {
  readonly index: IndexName;
  done = false;
  private next: WalkPos | null;
  /*
   * What the entry iterator has handed out of the batch in lastBuf: its
   * first handed() entries, of which the first `settled` are accounted
   * for in `next`.  Handing out an entry only counts it; the cursor is
   * worked out when asked for, or before the buffer is filled again.
   */
  private lastBuf: WalkBuffer | null = null;
  private handed: (() => number) | null = null;
  private settled = 0;
  private readonly to: WalkPos;
  private readonly batch: number;
  private readonly untilStable: boolean;

  constructor(
    private readonly mount: MountRef,
    opts: WalkOptions = {},
  ) {
    this.index = opts.index ?? 'meta_seq';
    indexNumber(this.index);
    this.next = { ...(opts.from ?? POS_MIN) };
    this.to = { ...(opts.to ?? POS_MAX) };
    this.batch = opts.batch ?? DEFAULT_BATCH;
    this.untilStable = opts.untilStable ?? false;
  }

  get cursor(): WalkPos | null {
    this.settle();
    return this.next;
  }

  /* fold the last entry handed out into the cursor */
  private settle(): void {
    if (!this.handed) return;
    const n = this.handed();
    if (n <= this.settled) return;
    this.settled = n;
    const b = this.lastBuf!;
    this.next = posAfter({ major: b.major(n - 1), minor: b.minor(n - 1), ino: b.ino(n - 1) });
  }

  /*
   * A hand-written iterator rather than a generator: next() is a plain
   * call with no generator to resume (measured faster with and without
   * V8's JIT), and an entry costs its object, its two bigints and a
   * count in a closure.
   */
  [Symbol.iterator](): WalkIterator {
    const batches = this.rawBatches();
    let words: BigUint64Array = EMPTY_WORDS;
    let i = 0;
    let nr = 0;
    const handed = () => i;
    const it: WalkIterator = {
      next: (): IteratorResult<WalkEntry> => {
        if (i >= nr) {
          // rawBatches settles the cursor before it fills the buffer again
          const r = batches.next();
          if (r.done) return { value: undefined, done: true };
          words = r.value.buf.words;
          i = 0;
          nr = r.value.nr;
          this.lastBuf = r.value.buf;
          this.handed = handed;
          this.settled = 0;
        }
        const o = i++ * 3;
        return { value: { seq: words[o], ino: words[o + 1] }, done: false };
      },
      return: (value?: unknown): IteratorResult<WalkEntry> => {
        nr = 0; // i stays: the cursor is after the entries handed out
        batches.return(undefined);
        return { value, done: true };
      },
      [Symbol.iterator]: () => it,
    };
    return it;
  }

  /* the async form of the same iteration: one resolved promise per entry */
  [Symbol.asyncIterator](): AsyncIterator<WalkEntry> {
    const it = this[Symbol.iterator]();
    return {
      next: () => {
        try {
          return Promise.resolve(it.next());
        } catch (e) {
          return Promise.reject(e);
        }
      },
      return: (value?: unknown) => {
        it.return(undefined);
        return Promise.resolve({ done: true, value: value as WalkEntry });
      },
    };
  }

  /* The entries a batch at a time; each array is fresh. */
  async *batches(): AsyncGenerator<WalkEntry[]> {
    for (const { buf, nr } of this.rawBatches()) {
      const words = buf.words;
      const out: WalkEntry[] = new Array(nr);
      for (let i = 0, o = 0; i < nr; i++, o += 3) out[i] = { seq: words[o], ino: words[o + 1] };
      this.advance(buf, nr);
      yield out;
    }
  }

  /*
   * The synchronous engine: yields the walk's buffer after each ioctl
   * that returned entries; the consumer moves the cursor past the ones
   * it used (advance(), or the iterators do it).  One buffer per run
   * of the walk, filled again at each step.
   */
  *rawBatches(): Generator<{ buf: WalkBuffer; nr: number }> {
    if (this.done) return;
    const { fd, close } = openMount(this.mount);
    try {
      const index = indexNumber(this.index);
      let last = this.to;
      if (this.untilStable) {
        const stable = stableSeq(fd);
        if (stable < last.major) last = { major: stable, minor: U32_MAX, ino: U64_MAX };
      }
      const buf = new WalkBuffer(this.batch);
      for (;;) {
        this.settle();
        if (!this.next || comparePos(this.next, last) > 0) break;
        const nr = walkInodesBatch(fd, index, this.next, last, buf);
        if (nr === 0) break;
        yield { buf, nr };
      }
      this.done = true;
      this.settle();
      if (this.untilStable && last !== this.to && this.next && comparePos(this.next, last) <= 0)
        this.next = posAfter(last);
    } finally {
      close();
    }
  }

  /* move the cursor past the first nr entries of buf */
  advance(buf: WalkBuffer, nr: number): void {
    if (nr === 0) return;
    this.handed = null;
    this.next = posAfter({
      major: buf.major(nr - 1),
      minor: buf.minor(nr - 1),
      ino: buf.ino(nr - 1),
    });
  }
}

const EMPTY_WORDS = new BigUint64Array(0);

function openMount(mount: MountRef): { fd: number; close: () => void } {
  if (typeof mount === 'number') return { fd: mount, close: () => undefined };
  const fd = openPath(mount);
  return { fd, close: () => fs.closeSync(fd) };
}

/* walkInodes(path, opts): an InodeWalk, iterable as { seq, ino } entries. */
export function walkInodes(mount: MountRef, opts: WalkOptions = {}): InodeWalk {
  return new InodeWalk(mount, opts);
}

export interface FollowOptions {
  index?: IndexName;
  from?: WalkPos;
  batch?: number;
  /* milliseconds between polls of the stable seq; default 1000 */
  interval?: number;
  /* stops following (the iteration ends cleanly) */
  signal?: AbortSignal;
  /* awaited before each wait for a commit, with the cursor to resume from */
  onWait?: (cursor: WalkPos) => void | Promise<void>;
}

/*
 * Follow an index: every entry from `from` on, then each new one as its
 * transaction commits, polling the stable seq every `interval` ms, until
 * the signal aborts.  Each round reads the stable seq S first and walks
 * up to S, so afterwards the cursor can move to just after S without
 * skipping anything.  The walker's cursor is the resume position.
 */
export async function* follow(
  mount: MountRef,
  opts: FollowOptions = {},
): AsyncGenerator<WalkEntry, WalkPos | null> {
  const { fd, close } = openMount(mount);
  const interval = opts.interval ?? 1000;
  let cursor: WalkPos | null = { ...(opts.from ?? POS_MIN) };
  try {
    let seen = -1n;
    while (cursor && !opts.signal?.aborted) {
      const stable = stableSeq(fd);
      if (
        stable !== seen &&
        comparePos(cursor, { major: stable, minor: U32_MAX, ino: U64_MAX }) <= 0
      ) {
        const w = new InodeWalk(fd, {
          index: opts.index,
          from: cursor,
          to: { major: stable, minor: U32_MAX, ino: U64_MAX },
          batch: opts.batch,
        });
        for (const e of w) {
          cursor = w.cursor;
          yield e;
          if (opts.signal?.aborted) return cursor;
        }
        cursor = posAfter({ major: stable, minor: U32_MAX, ino: U64_MAX });
        seen = stable;
      }
      if (cursor) await opts.onWait?.(cursor);
      await sleep(interval, opts.signal);
    }
    return cursor;
  } finally {
    close();
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
