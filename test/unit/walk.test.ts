/*
 * The walk library and walk-inodes argument handling, against an
 * in-memory fake of the native addon that implements WALK_INODES and
 * STATFS_MORE with the kernel's semantics (sorted (seq, ino) entries,
 * clamped to a stable seq, nr_entries cap, minor 0).
 */
import * as os from 'os';
import {
  IOC,
  IoctlStatfsMore,
  IoctlWalkInodes,
  IoctlWalkInodesEntry,
} from '../../utils/src/gen/ioctl';
import { NativeAddon, useNative, IoctlError, WalkBuffer } from '../../utils/src/lib/ioctl';
import {
  InodeWalk,
  POS_MAX,
  POS_MIN,
  comparePos,
  follow,
  formatPos,
  parsePos,
  posAfter,
  walkInodes,
  WalkEntry,
  WalkPos,
} from '../../utils/src/lib/walk';
import {
  checkWalkArgs,
  formatHeader,
  formatJson,
  formatRow,
} from '../../utils/src/cmd/walk-inodes';
import { mountPath, parseIno } from '../../utils/src/lib/ioctl-args';

const U64_MAX = 0xffffffffffffffffn;

/* an index that behaves like the kernel's: one entry per inode, at its latest seq */
class FakeFs {
  seqOf = new Map<bigint, bigint>(); // ino -> seq, committed and not
  stable = 0n;
  open = 1n; // the open transaction's seq
  calls = 0;
  private bufs = new Map<bigint, Uint8Array>();
  private nextAddr = 0x1000n;

  touch(ino: bigint): void {
    this.seqOf.set(ino, this.open);
  }
  remove(ino: bigint): void {
    this.seqOf.delete(ino);
  }
  commit(): void {
    this.stable = this.open;
    this.open++;
  }

  addon(): NativeAddon {
    return {
      address: (buf) => {
        const a = this.nextAddr;
        this.nextAddr += 0x100000n;
        this.bufs.set(
          a,
          buf instanceof Uint8Array
            ? buf
            : new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength),
        );
        return a;
      },
      ioctl: (_fd, req, arg) => {
        if (typeof arg === 'bigint')
          throw Object.assign(new Error('ioctl: EFAULT'), { code: 'EFAULT', errno: -14 });
        return this.ioctl(req, arg);
      },
      nameToHandle: () => {
        throw new Error('not faked');
      },
      openByHandle: () => {
        throw new Error('not faked');
      },
    };
  }

  private ioctl(req: number, arg: Uint8Array): number {
    this.calls++;
    if (req === IOC.STATFS_MORE) {
      IoctlStatfsMore.encode({ ...IoctlStatfsMore.zero(), committed_seq: this.stable }, arg);
      return 0;
    }
    if (req !== IOC.WALK_INODES)
      throw Object.assign(new Error('ioctl: ENOTTY'), { code: 'ENOTTY', errno: -25 });
    const w = IoctlWalkInodes.decode(arg);
    if (w.index > 1)
      throw Object.assign(new Error('ioctl: EINVAL'), { code: 'EINVAL', errno: -22 });
    if (w.nr_entries === 0) return 0;
    let last = w.last;
    if (last.major > this.stable) last = { major: this.stable, minor: 0, ino: U64_MAX };
    const ents = [...this.seqOf.entries()]
      .map(([ino, seq]) => ({ seq, ino }))
      .filter((e) => e.seq <= this.stable)
      .sort((a, b) =>
        a.seq !== b.seq ? (a.seq < b.seq ? -1 : 1) : a.ino < b.ino ? -1 : a.ino > b.ino ? 1 : 0,
      )
      .filter(
        (e) =>
          (e.seq > w.first.major || (e.seq === w.first.major && e.ino >= w.first.ino)) &&
          (e.seq < last.major || (e.seq === last.major && e.ino <= last.ino)),
      )
      .slice(0, w.nr_entries);
    const out = this.bufs.get(w.entries_ptr)!;
    const dv = new DataView(out.buffer, out.byteOffset, out.byteLength);
    ents.forEach((e, i) => {
      dv.setBigUint64(i * 24, e.seq, true);
      dv.setBigUint64(i * 24 + 8, e.ino, true);
      dv.setBigUint64(i * 24 + 16, 0n, true);
    });
    return ents.length;
  }
}

let fake: FakeFs;
beforeEach(() => {
  fake = new FakeFs();
  useNative(fake.addon());
});
afterAll(() => useNative(undefined));

async function collect(it: AsyncIterable<WalkEntry>): Promise<string[]> {
  const out: string[] = [];
  for await (const e of it) out.push(`${e.seq}:${e.ino}`);
  return out;
}

describe('positions', () => {
  test('parse major[.minor[.ino]] with defaults for lower and upper bounds', () => {
    expect(parsePos('FIRST', '5', false)).toEqual({ major: 5n, minor: 0, ino: 0n });
    expect(parsePos('LAST', '5', true)).toEqual({ major: 5n, minor: 0xffffffff, ino: U64_MAX });
    expect(parsePos('FIRST', '5.1', false)).toEqual({ major: 5n, minor: 1, ino: 0n });
    expect(parsePos('FIRST', '5.0.1025', false)).toEqual({ major: 5n, minor: 0, ino: 1025n });
    expect(parsePos('FIRST', '-1', false)).toEqual(POS_MAX);
    expect(parsePos('LAST', '18446744073709551615.4294967295.18446744073709551615', true)).toEqual(
      POS_MAX,
    );
  });

  test.each([
    ['', /is not major/],
    ['1..2', /is not major/],
    ['1.2.3.4', /is not major/],
    ['-2', /major '-2' is not a decimal number/],
    ['0x10', /major '0x10' is not a decimal/],
    ['1.x', /minor 'x' is not a decimal/],
    ['1.4294967296', /minor 4294967296 is larger than 4294967295/],
    ['18446744073709551616', /major 18446744073709551616 is larger/],
    ['1.0.18446744073709551616', /ino 18446744073709551616 is larger/],
  ])('FIRST %p is refused naming the part', (text, re) => {
    expect(() => parsePos('FIRST', text, false)).toThrow(re);
    expect(() => parsePos('FIRST', text, false)).toThrow(/^FIRST/);
  });

  test('posAfter carries ino into minor into major, null at the end', () => {
    expect(posAfter({ major: 3n, minor: 0, ino: 7n })).toEqual({ major: 3n, minor: 0, ino: 8n });
    expect(posAfter({ major: 3n, minor: 0, ino: U64_MAX })).toEqual({
      major: 3n,
      minor: 1,
      ino: 0n,
    });
    expect(posAfter({ major: 3n, minor: 0xffffffff, ino: U64_MAX })).toEqual({
      major: 4n,
      minor: 0,
      ino: 0n,
    });
    expect(posAfter(POS_MAX)).toBeNull();
    expect(comparePos(POS_MIN, POS_MAX)).toBe(-1);
    expect(formatPos({ major: 12n, minor: 0, ino: 1026n })).toBe('12.0.1026');
  });
});

describe('walk-inodes arguments and output', () => {
  const base = { index: 'meta_seq', first: '0', last: '-1', batch: 128, interval: 1 };
  test('good arguments', () => {
    const w = checkWalkArgs(base);
    expect(w.first).toEqual(POS_MIN);
    expect(w.last).toEqual(POS_MAX);
    expect(w.intervalMs).toBe(1000);
  });
  test.each([
    [{ index: 'mtime' }, /^INDEX 'mtime' is not an index/],
    [{ first: 'a' }, /^FIRST 'a'/],
    [{ last: '1.2.3.4' }, /^LAST '1.2.3.4'/],
    [{ first: '9', last: '3' }, /^FIRST 9.0.0 is after LAST 3/],
    [{ batch: 0 }, /^--batch 0/],
    [{ batch: 1.5 }, /^--batch 1.5/],
    [{ interval: 0 }, /^--interval 0/],
    [{ follow: true, 'until-stable': true }, /--follow and --until-stable/],
  ])('%p is refused naming the argument', (over, re) => {
    expect(() => checkWalkArgs({ ...base, ...over })).toThrow(re);
  });
  test('rows, header and json', () => {
    expect(formatHeader()).toBe('major                minor      ino');
    expect(formatRow(5n, 0, 1025n)).toBe('5                    0          1025');
    expect(formatJson('data_seq', 5n, 1025n)).toBe('{"index":"data_seq","seq":5,"ino":1025}');
  });
  test('mount path: PATH/--path, then $SCOUTFS_MOUNT_PATH, then cwd', () => {
    const env = process.env.SCOUTFS_MOUNT_PATH;
    try {
      process.env.SCOUTFS_MOUNT_PATH = '/mnt/env';
      expect(mountPath('/mnt/x')).toEqual({ path: '/mnt/x', what: 'PATH' });
      expect(mountPath(['/a', '/a'])).toEqual({ path: '/a', what: 'PATH' });
      expect(() => mountPath(['/a', '/b'])).toThrow(/disagree/);
      expect(mountPath(undefined)).toEqual({ path: '/mnt/env', what: '$SCOUTFS_MOUNT_PATH' });
      delete process.env.SCOUTFS_MOUNT_PATH;
      expect(mountPath(undefined)).toEqual({ path: process.cwd(), what: 'the current directory' });
    } finally {
      if (env === undefined) delete process.env.SCOUTFS_MOUNT_PATH;
      else process.env.SCOUTFS_MOUNT_PATH = env;
    }
  });
  test('inode numbers', () => {
    expect(parseIno('INO', '1025')).toBe(1025n);
    expect(() => parseIno('INO', '-1')).toThrow(/^INO '-1' is not an inode number/);
    expect(() => parseIno('INO', '18446744073709551616')).toThrow(/larger/);
  });
});

describe('walkInodes', () => {
  test('entries in (seq, ino) order, only up to the stable seq, in batches', async () => {
    fake.touch(1n);
    fake.commit(); // seq 1
    fake.touch(1030n);
    fake.touch(1025n);
    fake.commit(); // seq 2
    fake.touch(1040n); // open, seq 3: invisible
    expect(await collect(walkInodes(3, { batch: 1 }))).toEqual(['1:1', '2:1025', '2:1030']);
    // batch 1: one ioctl per entry plus the final empty one
    expect(fake.calls).toBe(4);
  });

  test('each inode once, at its latest seq', async () => {
    fake.touch(1025n);
    fake.commit();
    fake.touch(1026n);
    fake.commit();
    fake.touch(1025n);
    fake.commit();
    expect(await collect(walkInodes(3))).toEqual(['2:1026', '3:1025']);
    // the synchronous iteration is the same walk
    const w = walkInodes(3);
    expect([...w].map((e) => `${e.seq}:${e.ino}`)).toEqual(['2:1026', '3:1025']);
    expect(formatPos(w.cursor!)).toBe('3.0.1026');
  });

  test('bounds and data index', async () => {
    for (let i = 0n; i < 10n; i++) {
      fake.touch(1024n + i);
      fake.commit();
    }
    const from = parsePos('FIRST', '3', false);
    const to = parsePos('LAST', '5', true);
    expect(await collect(walkInodes(3, { from, to, index: 'data_seq' }))).toEqual([
      '3:1026',
      '4:1027',
      '5:1028',
    ]);
  });

  test('a cursor saved mid-walk resumes with no gap and no duplicate while files change', async () => {
    for (let i = 0n; i < 50n; i++) fake.touch(1024n + i);
    fake.commit();
    const w = new InodeWalk(3, { batch: 7 });
    const got: string[] = [];
    for await (const e of w) {
      got.push(`${e.seq}:${e.ino}`);
      if (got.length === 20) break;
    }
    const saved = w.cursor!;
    expect(formatPos(saved)).toBe('1.0.1044');
    // meanwhile: some already returned and some not yet returned files change
    fake.touch(1030n); // returned: moves to seq 2, must come again
    fake.touch(1060n); // not returned: moves to seq 2
    fake.touch(2000n); // new
    fake.commit();
    const rest = await collect(walkInodes(3, { from: saved, batch: 7 }));
    const all = [...got, ...rest];
    const expected = [
      ...Array.from({ length: 50 }, (_, i) => `1:${1024 + i}`).filter((s) => s !== '1:1060'),
      '2:1030',
      '2:1060',
      '2:2000',
    ];
    // 1:1030 was returned before it moved; 1:1060 moved before it was reached
    expect(all).toEqual([...expected.slice(0, 20), ...expected.slice(20)]);
    expect(new Set(rest).size).toBe(rest.length);
    expect(
      rest.every(
        (s) =>
          comparePos(
            { major: BigInt(s.split(':')[0]), minor: 0, ino: BigInt(s.split(':')[1]) },
            saved,
          ) >= 0,
      ),
    ).toBe(true);
  });

  test('untilStable bounds the walk by the stable seq at its start and moves the cursor past it', async () => {
    fake.touch(1025n);
    fake.commit();
    const w = new InodeWalk(3, { untilStable: true });
    const it = w[Symbol.asyncIterator]();
    expect((await it.next()).value).toEqual({ seq: 1n, ino: 1025n });
    fake.touch(1026n);
    fake.commit(); // after the walk began: not in this snapshot
    expect((await it.next()).done).toBe(true);
    expect(w.done).toBe(true);
    expect(formatPos(w.cursor!)).toBe('2.0.0');
    expect(await collect(walkInodes(3, { from: w.cursor! }))).toEqual(['2:1026']);
  });

  test('errors carry the call and the code', async () => {
    await expect(collect(walkInodes(3, { index: 'meta_seq' as const, batch: 0 }))).rejects.toThrow(
      /walk batch size 0/,
    );
    expect(() => new InodeWalk(3, { index: 'atime' as never })).toThrow(/unknown index 'atime'/);
    const einval = () => {
      throw Object.assign(new Error('ioctl: Invalid argument (EINVAL)'), {
        code: 'EINVAL',
        errno: -22,
      });
    };
    try {
      useNative({ ...fake.addon(), ioctl: einval });
      await collect(walkInodes(3));
      throw new Error('not reached');
    } catch (e) {
      expect(e).toBeInstanceOf(IoctlError);
      expect((e as IoctlError).call).toBe('WALK_INODES');
      expect((e as IoctlError).code).toBe('EINVAL');
    }
  });
});

describe('walk buffer and iterators', () => {
  test('WalkBuffer reads the entry layout of the generated codec', () => {
    const b = new WalkBuffer(3);
    const ents = [
      { major: 7n, ino: 1025n, minor: 0 },
      { major: U64_MAX, ino: U64_MAX - 1n, minor: 0xfffffffe },
      { major: 1n << 63n, ino: (1n << 32n) + 5n, minor: 0x80000001 },
    ];
    ents.forEach((e, i) => IoctlWalkInodesEntry.encode(e, b.bytes, i * IoctlWalkInodesEntry.SIZE));
    expect(b.bytes.length).toBe(3 * IoctlWalkInodesEntry.SIZE);
    ents.forEach((e, i) =>
      expect({ major: b.major(i), ino: b.ino(i), minor: b.minor(i) }).toEqual(e),
    );
  });

  function eight(): void {
    for (let i = 0n; i < 4n; i++) fake.touch(1024n + i);
    fake.commit();
    for (let i = 4n; i < 8n; i++) fake.touch(1024n + i);
    fake.commit();
  }
  const after = (seq: bigint, ino: bigint): string =>
    formatPos({ major: seq, minor: 0, ino: ino + 1n });

  test('for-of: the cursor is just after each entry, across batches, and after a break', () => {
    eight();
    const w = walkInodes(3, { batch: 3 });
    expect(formatPos(w.cursor!)).toBe('0.0.0');
    const got: string[] = [];
    for (const e of w) {
      expect(formatPos(w.cursor!)).toBe(after(e.seq, e.ino));
      got.push(`${e.seq}:${e.ino}`);
      if (got.length === 5) break;
    }
    expect(w.done).toBe(false);
    expect(formatPos(w.cursor!)).toBe('2.0.1029');
    // the same walk goes on from its cursor, and so does a new one
    expect(
      [...walkInodes(3, { from: w.cursor!, batch: 3 })].map((e) => `${e.seq}:${e.ino}`),
    ).toEqual(['2:1029', '2:1030', '2:1031']);
    expect([...w].map((e) => `${e.seq}:${e.ino}`)).toEqual(['2:1029', '2:1030', '2:1031']);
    expect(w.done).toBe(true);
    expect(formatPos(w.cursor!)).toBe('2.0.1032');
    expect([...w]).toEqual([]);
  });

  test('the iterator by hand: next after the end and return', () => {
    eight();
    const it = walkInodes(3, { batch: 4 })[Symbol.iterator]();
    expect(it[Symbol.iterator]()).toBe(it);
    const seen: WalkEntry[] = [];
    for (let r = it.next(); !r.done; r = it.next()) seen.push(r.value);
    expect(seen).toHaveLength(8);
    expect(seen[0]).toEqual({ seq: 1n, ino: 1024n });
    expect(it.next()).toEqual({ value: undefined, done: true });
    const w = walkInodes(3, { batch: 4 });
    const it2 = w[Symbol.iterator]();
    expect(it2.next().value).toEqual({ seq: 1n, ino: 1024n });
    expect(it2.return(42)).toEqual({ value: 42, done: true });
    expect(it2.next().done).toBe(true);
    expect(formatPos(w.cursor!)).toBe('1.0.1025');
  });

  test('batches() and rawBatches() move the cursor a batch at a time', async () => {
    eight();
    const w = walkInodes(3, { batch: 3 });
    const sizes: number[] = [];
    const cursors: string[] = [];
    for await (const b of w.batches()) {
      sizes.push(b.length);
      cursors.push(formatPos(w.cursor!));
    }
    expect(sizes).toEqual([3, 3, 2]);
    expect(cursors).toEqual(['1.0.1027', '2.0.1030', '2.0.1032']);
    const r = walkInodes(3, { batch: 5 });
    const inos: bigint[] = [];
    for (const { buf, nr } of r.rawBatches()) {
      for (let i = 0; i < nr; i++) inos.push(buf.ino(i));
      r.advance(buf, nr);
      expect(formatPos(r.cursor!)).toBe(after(buf.major(nr - 1), buf.ino(nr - 1)));
    }
    expect(inos).toEqual(Array.from({ length: 8 }, (_, i) => 1024n + BigInt(i)));
  });

  test('a walk of a path closes its fd when done, on a break and on an error', async () => {
    eight();
    // the module object itself (an import * namespace cannot be spied on)
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const nodeFs: typeof import('fs') = require('fs');
    const open = jest.spyOn(nodeFs, 'openSync');
    const close = jest.spyOn(nodeFs, 'closeSync');
    const balanced = () => {
      const opened = open.mock.results.map((r) => r.value as number);
      expect(opened.length).toBeGreaterThan(0);
      expect(close.mock.calls.map((c) => c[0]).sort()).toEqual(opened.sort());
      open.mockClear();
      close.mockClear();
    };
    try {
      const dir = os.tmpdir();
      expect([...walkInodes(dir, { batch: 3 })]).toHaveLength(8);
      balanced();
      for (const e of walkInodes(dir, { batch: 3 })) if (e.ino === 1028n) break;
      balanced();
      for await (const e of walkInodes(dir, { batch: 3 })) if (e.ino === 1025n) break;
      balanced();
      const w = walkInodes(dir, { batch: 3 });
      useNative({
        ...fake.addon(),
        ioctl: () => {
          throw Object.assign(new Error('ioctl: EIO'), { code: 'EIO', errno: -5 });
        },
      });
      expect(() => [...w]).toThrow(/^WALK_INODES: /);
      const cursor: WalkPos | null = w.cursor;
      expect(cursor).toEqual(POS_MIN);
      balanced();
    } finally {
      open.mockRestore();
      close.mockRestore();
    }
  });
});

describe('follow', () => {
  test('returns entries as they commit, each change once, and the cursor to resume from', async () => {
    fake.touch(1025n);
    fake.commit();
    const ac = new AbortController();
    const got: string[] = [];
    let waits = 0;
    const it = follow(3, {
      interval: 1,
      signal: ac.signal,
      onWait: () => {
        waits++;
        if (waits === 1) {
          fake.touch(1026n);
          fake.touch(1025n);
        }
        if (waits === 2) fake.commit();
        if (waits === 3) fake.touch(1027n); // never committed
        if (waits === 5) ac.abort();
      },
    });
    let r = await it.next();
    while (!r.done) {
      got.push(`${r.value.seq}:${r.value.ino}`);
      r = await it.next();
    }
    expect(got).toEqual(['1:1025', '2:1025', '2:1026']);
    expect(formatPos(r.value!)).toBe('3.0.0');
  });
});
