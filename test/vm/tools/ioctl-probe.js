#!/usr/bin/env node
/*
 * Raw ioctl and file-handle probes for the VM scenarios, through the
 * built library and native addon (npm run build):
 *
 *   ioctl-probe.js errors MNT FILE      every bad-argument case: name and result
 *   ioctl-probe.js unpriv MNT INO       INO_PATH / GET_REFERRING_ENTRIES as nobody
 *   ioctl-probe.js handle PATH          name_to_handle_at: type and bytes
 *   ioctl-probe.js open-ino MNT INO...  open_by_handle_at by inode number
 *   ioctl-probe.js attr-x FILE MASK     GET_ATTR_X: the bytes written back
 *   ioctl-probe.js seqs FILE...         "FILE ino meta_seq data_seq" (STAT_MORE)
 *   ioctl-probe.js bench-walk MNT       full meta_seq walk: raw ioctl loop vs library
 *
 * Results print as "NAME: rc=N" or "NAME: ECODE", one per line.
 */
'use strict';
const fs = require('fs');
const path = require('path');
const root = path.resolve(__dirname, '../../..');
const lib = require(path.join(root, 'build/utils/src/lib/ioctl.js'));
const gen = require(path.join(root, 'build/utils/src/gen/ioctl.js'));

const U64_MAX = 0xffffffffffffffffn;
const BAD_KERNEL_PTR = 0xffff888000000000n;

function result(name, fn) {
  let out;
  try {
    out = `rc=${fn()}`;
  } catch (e) {
    out = e instanceof lib.IoctlError ? e.code : `threw ${e.message}`;
  }
  console.log(`${name}: ${out}`);
}

function walkArg(over) {
  const w = {
    first: { major: 0n, minor: 0, ino: 0n },
    last: { major: U64_MAX, minor: 0xffffffff, ino: U64_MAX },
    entries_ptr: 0n,
    nr_entries: 0,
    index: 0,
    ...over,
  };
  return gen.IoctlWalkInodes.encode(w);
}

function errors(mnt, file) {
  const fd = fs.openSync(mnt, 'r');
  const ents = new BigUint64Array(3 * 64);
  const ptr = lib.native().address(ents);
  const walk = (name, over, after) =>
    result(name, () => {
      const rc = lib.ioctl(
        fd,
        'WALK_INODES',
        walkArg({ entries_ptr: ptr, nr_entries: 64, ...over }),
      );
      return after ? `${rc} ${after(rc)}` : rc;
    });

  console.log('# WALK_INODES');
  walk('good meta_seq walk', {});
  walk('index 2 (first unknown)', { index: 2 });
  walk('index 255', { index: 255 });
  result('non-zero struct pad', () => {
    const a = walkArg({ entries_ptr: ptr, nr_entries: 64 });
    a[gen.IoctlWalkInodes.OFFSETS._pad + 10] = 1;
    return lib.ioctl(fd, 'WALK_INODES', a);
  });
  result('nr_entries 0 writes nothing', () => {
    ents.fill(0xaaaaaaaaaaaaaaaan);
    const rc = lib.ioctl(fd, 'WALK_INODES', walkArg({ entries_ptr: ptr, nr_entries: 0 }));
    return `${rc} untouched=${ents.every((w) => w === 0xaaaaaaaaaaaaaaaan)}`;
  });
  walk('first > last', {
    first: { major: 5n, minor: 0, ino: 0n },
    last: { major: 4n, minor: 0, ino: U64_MAX },
  });
  walk('first = last past stable', { first: { major: U64_MAX, minor: 0, ino: 0n } });
  walk('minor and entry pads ignored on input', {
    first: { major: 0n, minor: 77, ino: 0n },
    last: { major: U64_MAX, minor: 0, ino: U64_MAX },
  });
  result('entries out: minor 0, pads 0', () => {
    ents.fill(0xaaaaaaaaaaaaaaaan);
    const rc = lib.ioctl(fd, 'WALK_INODES', walkArg({ entries_ptr: ptr, nr_entries: 64 }));
    let clean = true;
    for (let i = 0; i < rc; i++) clean = clean && ents[i * 3 + 2] === 0n;
    return `${rc} clean=${clean} next-untouched=${ents[rc * 3] === 0xaaaaaaaaaaaaaaaan}`;
  });
  walk('nr_entries 1 returns one', { nr_entries: 1 });
  walk('huge nr_entries (capped, few entries)', { nr_entries: 0xffffffff });
  walk('NULL entries_ptr', { entries_ptr: 0n });
  walk('kernel entries_ptr', { entries_ptr: BAD_KERNEL_PTR });
  result('NULL argument', () => lib.ioctl(fd, 'WALK_INODES', 0n));
  result('kernel argument pointer', () => lib.ioctl(fd, 'WALK_INODES', BAD_KERNEL_PTR));

  console.log('# STAT_MORE / STATFS_MORE / GET_ATTR_X');
  result('STAT_MORE NULL', () => lib.ioctl(fd, 'STAT_MORE', 0n));
  result('STATFS_MORE NULL', () => lib.ioctl(fd, 'STATFS_MORE', 0n));
  const ax = (mask, flags) =>
    gen.IoctlInodeAttrX.encode({ ...gen.IoctlInodeAttrX.zero(), x_mask: mask, x_flags: flags });
  result('GET_ATTR_X mask 0', () => lib.ioctl(fd, 'GET_ATTR_X', ax(0n, 0n)));
  result('GET_ATTR_X unknown mask bit 10', () => lib.ioctl(fd, 'GET_ATTR_X', ax(1n << 10n, 0n)));
  result('GET_ATTR_X unknown mask bit 63', () => lib.ioctl(fd, 'GET_ATTR_X', ax(1n << 63n, 0n)));
  result('GET_ATTR_X unknown flag bit 1', () => lib.ioctl(fd, 'GET_ATTR_X', ax(1n, 2n)));
  result('GET_ATTR_X RETENTION (format v1)', () => lib.ioctl(fd, 'GET_ATTR_X', ax(1n << 8n, 0n)));
  result('GET_ATTR_X PROJECT_ID (format v1)', () => lib.ioctl(fd, 'GET_ATTR_X', ax(1n << 9n, 0n)));
  result('GET_ATTR_X NULL', () => lib.ioctl(fd, 'GET_ATTR_X', 0n));

  console.log('# INO_PATH');
  const res = Buffer.alloc(24 + 4096);
  const resPtr = lib.native().address(res);
  const ip = (ino, over = {}) =>
    gen.IoctlInoPath.encode({
      ino,
      dir_ino: 0n,
      dir_pos: 0n,
      result_ptr: resPtr,
      result_bytes: res.length,
      ...over,
    });
  const fileIno = BigInt(fs.statSync(file).ino);
  result('file', () => lib.ioctl(fd, 'INO_PATH', ip(fileIno)));
  result('root inode', () => lib.ioctl(fd, 'INO_PATH', ip(1n)));
  result('no such inode', () => lib.ioctl(fd, 'INO_PATH', ip(999999n)));
  result('cursor past the last link', () =>
    lib.ioctl(fd, 'INO_PATH', ip(fileIno, { dir_ino: U64_MAX })),
  );
  result('result_bytes 0', () => lib.ioctl(fd, 'INO_PATH', ip(fileIno, { result_bytes: 0 })));
  result('result_bytes header + 1', () =>
    lib.ioctl(fd, 'INO_PATH', ip(fileIno, { result_bytes: 25 })),
  );
  result('non-zero pad', () => {
    const a = ip(fileIno);
    a[39] = 1;
    return lib.ioctl(fd, 'INO_PATH', a);
  });
  result('NULL result_ptr', () => lib.ioctl(fd, 'INO_PATH', ip(fileIno, { result_ptr: 0n })));
  result('NULL argument', () => lib.ioctl(fd, 'INO_PATH', 0n));

  console.log('# GET_REFERRING_ENTRIES');
  const eb = Buffer.alloc(4096);
  const ebPtr = lib.native().address(eb);
  const gre = (ino, over = {}) =>
    gen.IoctlGetReferringEntries.encode({
      ino,
      dir_ino: 0n,
      dir_pos: 0n,
      entries_ptr: ebPtr,
      entries_bytes: 4096n,
      ...over,
    });
  result('file', () => lib.ioctl(fd, 'GET_REFERRING_ENTRIES', gre(fileIno)));
  result('no such inode', () => lib.ioctl(fd, 'GET_REFERRING_ENTRIES', gre(999999n)));
  result('root inode', () => lib.ioctl(fd, 'GET_REFERRING_ENTRIES', gre(1n)));
  result('first record does not fit', () =>
    lib.ioctl(fd, 'GET_REFERRING_ENTRIES', gre(fileIno, { entries_bytes: 16n })),
  );
  result('entries_bytes 0', () =>
    lib.ioctl(fd, 'GET_REFERRING_ENTRIES', gre(fileIno, { entries_bytes: 0n })),
  );
  result('NULL entries_ptr', () =>
    lib.ioctl(fd, 'GET_REFERRING_ENTRIES', gre(fileIno, { entries_ptr: 0n })),
  );
  result('NULL argument', () => lib.ioctl(fd, 'GET_REFERRING_ENTRIES', 0n));

  console.log('# commands');
  const raw = (name, req) =>
    result(name, () => {
      try {
        return lib.native().ioctl(fd, req, Buffer.alloc(256));
      } catch (e) {
        throw new lib.IoctlError('raw', e.code, -e.errno, e.message);
      }
    });
  raw('RELEASE (known, not implemented)', gen.IOC.RELEASE);
  raw('nr 26 (unknown)', ((1 << 30) | (8 << 16) | (0xe8 << 8) | 26) >>> 0);
  raw('nr 0', ((1 << 30) | (8 << 16) | (0xe8 << 8) | 0) >>> 0);
  raw('WALK_INODES number with another size', (gen.IOC.WALK_INODES + (1 << 16)) >>> 0);
  raw('another magic', 0x5401);
  fs.closeSync(fd);
}

function unpriv(mnt, ino) {
  const fd = fs.openSync(mnt, 'r');
  process.setgid(65534);
  process.setuid(65534);
  result('INO_PATH as nobody', () => lib.inoPath(fd, BigInt(ino)) && 0);
  result('GET_REFERRING_ENTRIES as nobody', () => lib.getReferringEntries(fd, BigInt(ino)).length);
  result('open_by_handle_at as nobody', () => fs.closeSync(lib.openByIno(fd, BigInt(ino))) ?? 0);
  result('WALK_INODES as nobody', () => {
    const ents = new BigUint64Array(3 * 8);
    return lib.ioctl(
      fd,
      'WALK_INODES',
      walkArg({ entries_ptr: lib.native().address(ents), nr_entries: 8 }),
    );
  });
  result('STATFS_MORE as nobody', () => lib.statfsMore(fd) && 0);
}

function handle(p) {
  const h = lib.native().nameToHandle(p);
  console.log(
    `type 0x${h.type.toString(16)} bytes ${h.handle.length} ino ${h.handle.readBigUInt64LE(0)} st_ino ${fs.statSync(p).ino}`,
  );
}

function openIno(mnt, inos) {
  const mfd = fs.openSync(mnt, 'r');
  for (const ino of inos) {
    result(`open ino ${ino}`, () => {
      const fd = lib.openByIno(mfd, BigInt(ino));
      const st = fs.fstatSync(fd);
      fs.closeSync(fd);
      return `0 st_ino=${st.ino} ${st.isDirectory() ? 'dir' : 'file'} nlink=${st.nlink}`;
    });
  }
  fs.closeSync(mfd);
}

function attrX(file, mask) {
  const fd = fs.openSync(file, 'r');
  const buf = Buffer.from(
    gen.IoctlInodeAttrX.encode({ ...gen.IoctlInodeAttrX.zero(), x_mask: BigInt(mask) }),
  );
  buf.fill(0xaa, 16);
  const rc = lib.ioctl(fd, 'GET_ATTR_X', buf);
  // which 8-byte words came back zero, set, or untouched (0xaa)
  const words = [];
  for (let o = 0; o < buf.length; o += 4) {
    const w = buf.readUInt32LE(o);
    words.push(w === 0xaaaaaaaa ? '.' : w === 0 ? '0' : 'x');
  }
  console.log(`rc=${rc} words32 ${words.join('')}`);
  fs.closeSync(fd);
}

function seqs(...files) {
  for (const f of files) {
    const fd = fs.openSync(f, 'r');
    const s = lib.statMore(fd);
    console.log(`${f} ${fs.fstatSync(fd).ino} ${s.meta_seq} ${s.data_seq}`);
    fs.closeSync(fd);
  }
}

/*
 * Full meta_seq walk throughput, the raw WALK_INODES loop (4096 entries an
 * ioctl, entries not even read; and the same reading each entry's seq and
 * ino as bigints) against each way of iterating the library, in one
 * process.  Warm: WARMUP untimed rounds (BENCH_WALK_WARMUP, default 2:
 * under TCG V8 takes tens of thousands of entries to optimise the loops),
 * then ROUNDS rounds (BENCH_WALK_ROUNDS, default 5) in rotating order; each
 * sample repeats the whole walk until it has seen BENCH_WALK_MIN_ENTRIES
 * (default 200000) entries, so small indexes are not timed over a few ms.
 * Cold (when BENCH_WALK_REMOUNT names a command that remounts MNT with
 * empty caches): COLD_ROUNDS rounds (BENCH_WALK_COLD_ROUNDS, default 3) of
 * one walk per mode, each right after the command, with the JIT already
 * warm from the warm rounds.
 * Two floors, no ioctl, over the same number of entries as one walk: "floor
 * for-await" iterates a trivial async iterator handing out one constant
 * object (the least any entry-by-entry async iterator costs: one promise
 * and one microtask per entry), and "floor objects" makes one { seq, ino }
 * object of two fresh bigints per entry from a buffer already read.
 * Lines: "FLAGS [warmup |cold ]NAME: N entries in S s = R entries/s (K walks)",
 * FLAGS "jit" or "jitless" (node's --jitless).
 */
async function benchWalk(mnt) {
  const walk = require(path.join(root, 'build/utils/src/lib/walk.js'));
  const { execFileSync } = require('child_process');
  let fd = fs.openSync(mnt, 'r');
  const flags = process.execArgv.includes('--jitless') ? 'jitless' : 'jit';
  const raw = () => {
    const buf = new lib.WalkBuffer(4096);
    let first = { major: 0n, minor: 0, ino: 0n };
    let n = 0;
    for (;;) {
      const nr = lib.walkInodesBatch(fd, 0, first, walk.POS_MAX, buf);
      if (nr === 0) break;
      n += nr;
      first = walk.posAfter({
        major: buf.major(nr - 1),
        minor: buf.minor(nr - 1),
        ino: buf.ino(nr - 1),
      });
    }
    return n;
  };
  /* the raw loop reading each entry's seq and ino as bigints: what any bigint API must pay */
  const rawBigints = () => {
    const buf = new lib.WalkBuffer(4096);
    const words = buf.words;
    let first = { major: 0n, minor: 0, ino: 0n };
    let n = 0;
    for (;;) {
      const nr = lib.walkInodesBatch(fd, 0, first, walk.POS_MAX, buf);
      if (nr === 0) break;
      for (let i = 0, o = 0; i < nr; i++, o += 3) if (words[o] && words[o + 1]) n++;
      first = walk.posAfter({
        major: buf.major(nr - 1),
        minor: buf.minor(nr - 1),
        ino: buf.ino(nr - 1),
      });
    }
    return n;
  };
  const libSync = () => {
    let n = 0;
    for (const e of walk.walkInodes(fd)) if (e.ino) n++;
    return n;
  };
  const libAsync = async () => {
    let n = 0;
    for await (const e of walk.walkInodes(fd)) if (e.ino) n++;
    return n;
  };
  const libBatches = async () => {
    let n = 0;
    for await (const b of walk.walkInodes(fd).batches()) for (const e of b) if (e.ino) n++;
    return n;
  };
  const perWalk = raw();
  const floorAwait = async () => {
    const entry = { seq: 1n, ino: 1n };
    let left = perWalk;
    const it = {
      next: () =>
        Promise.resolve(
          left-- > 0 ? { value: entry, done: false } : { value: undefined, done: true },
        ),
      [Symbol.asyncIterator]: () => it,
    };
    let n = 0;
    for await (const e of it) if (e.ino) n++;
    return n;
  };
  /* one batch read once, then perWalk objects made from its words */
  const floorBuf = new lib.WalkBuffer(4096);
  const floorNr = lib.walkInodesBatch(fd, 0, walk.POS_MIN, walk.POS_MAX, floorBuf);
  let sink = null;
  const floorObjects = () => {
    const words = floorBuf.words;
    let n = 0;
    for (let k = 0; k < perWalk;) {
      for (let i = 0, o = 0; i < floorNr && k < perWalk; i++, k++, o += 3) {
        sink = { seq: words[o], ino: words[o + 1] };
        if (sink.ino) n++;
      }
    }
    return n;
  };
  const modes = [
    ['raw ioctl', raw],
    ['raw ioctl + bigints', rawBigints],
    ['library for-of', libSync],
    ['library for-await', libAsync],
    ['library batches()', libBatches],
  ];
  const floors = [
    ['floor for-await', floorAwait],
    ['floor objects', floorObjects],
  ];
  const time = async (label, fn, walks) => {
    const t0 = process.hrtime.bigint();
    let n = 0;
    for (let k = 0; k < walks; k++) n += await fn();
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    console.log(
      `${flags} ${label}: ${n} entries in ${s.toFixed(4)} s = ${Math.round(n / s)} entries/s (${walks} walks)`,
    );
  };
  const rotate = (xs, r) =>
    r < 0 ? xs : [...xs.slice(r % xs.length), ...xs.slice(0, r % xs.length)];
  const rounds = Number(process.env.BENCH_WALK_ROUNDS ?? 5);
  const warmup = Number(process.env.BENCH_WALK_WARMUP ?? 2);
  const walks = Math.max(
    1,
    Math.ceil(Number(process.env.BENCH_WALK_MIN_ENTRIES ?? 200000) / Math.max(1, perWalk)),
  );
  for (let r = -warmup; r < rounds; r++)
    for (const [name, fn] of rotate([...modes, ...floors], r))
      await time(`${r < 0 ? 'warmup ' : ''}${name}`, fn, walks);
  const remount = process.env.BENCH_WALK_REMOUNT;
  const coldRounds = remount ? Number(process.env.BENCH_WALK_COLD_ROUNDS ?? 3) : 0;
  for (let r = 0; r < coldRounds; r++) {
    for (const [name, fn] of rotate(modes, r)) {
      fs.closeSync(fd);
      execFileSync('/bin/sh', ['-c', remount], { stdio: ['ignore', 'ignore', 'inherit'] });
      fd = fs.openSync(mnt, 'r');
      await time(`cold ${name}`, fn, 1);
    }
  }
  fs.closeSync(fd);
}

const [cmd, ...args] = process.argv.slice(2);
const cmds = {
  errors,
  unpriv,
  handle,
  'open-ino': (m, ...i) => openIno(m, i),
  'attr-x': attrX,
  seqs,
  'bench-walk': benchWalk,
};
if (!cmds[cmd]) {
  console.error(`usage: ioctl-probe.js ${Object.keys(cmds).join('|')} ARGS`);
  process.exit(2);
}
cmds[cmd](...args);
