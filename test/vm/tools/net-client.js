#!/usr/bin/env node
/*
 * A small client of the scoutfs server for the VM scenarios, built on the
 * generated message codecs (utils/src/gen/messages.ts): it speaks the
 * protocol from userspace, correctly or not, and prints what it sent and
 * what came back.
 *
 *   net-client.js hash                   print the utilities' format hash
 *   net-client.js check-holds LOG...     check hold logs (see hold-log)
 *   net-client.js ADDR PORT META STEP... run the steps on one connection
 *
 * META is the metadata device (for the volume's fsid).  Steps:
 *   greet               a greeting with the right fsid and format hash
 *   greet-hash HEX      a greeting with format hash HEX
 *   greet-fsid HEX      a greeting with fsid HEX
 *   statfs, last-seq, farewell, lock   a request without payload... or the
 *                       command's request struct (lock: a zeroed NetLock)
 *   raw NAME HEX        the bytes HEX as they are (NAME labels the output)
 *   bad NAME            a malformed message from the list in BAD below
 * A valid message waits for its response (3 s); a malformed one waits
 * 300 ms for an answer that must not come.  Each sent message is printed with the
 * utilities' own verdict on it (netMessageInvalid), which is the sentence
 * the kernel logs when it drops it.
 *
 * Locks.  The client keeps the mode it holds on each key range (NULL until
 * granted) and, whenever it waits for anything, answers the server's LOCK
 * requests (invalidations) at once: a LOCK response with the request's id
 * and the NetLock {start, end, old_mode: the mode it held, new_mode: the
 * mode it went down to, write_seq 0}.  Each prints
 *   invalidated OLD->NEW [(unexpected)]
 * "(unexpected)" when it held nothing on the range, held another mode than
 * the request's old_mode, or could not go down to the request's new_mode
 * (it then drops to NULL).  Lock steps:
 *   lock-ino MODE INO   ask for MODE (NULL READ WRITE WRITE_ONLY) on the
 *                       inode group of inode INO (decimal), from the mode
 *                       held on it, and wait for the answer (the timeout);
 *                       prints "lock-ino MODE: " and then
 *                       "granted OLD->NEW[ write_seq>0]" (the held mode
 *                       becomes NEW), "error ENAME", "no answer" or
 *                       "connection closed"
 *   lock-index MODE TYPE SEQ  the same on the 1024-seq window of the
 *                       change index TYPE (meta or data) holding SEQ;
 *                       prints "lock-index MODE: ..."
 *   lock-bad-range INO  the same from NULL to WRITE on the inode group of
 *                       INO but with end.fourth 254, not a lock range;
 *                       prints "lock-bad-range: " and the answer as above
 *   lock-raw START END OLD NEW  the same with the keys given as the hex of
 *                       their 32 encoded bytes and the modes (names or
 *                       numbers) as given; prints "lock-raw NEW: ..."
 *   timeout MS          the timeout of the lock and hold-until steps
 *                       (20000 ms until set)
 *   hold MS             answer invalidations for MS ms
 *   hold-until PATH     answer invalidations until PATH exists (polled
 *                       every 50 ms; prints "hold-until: timed out" when
 *                       the timeout passes first)
 *   stall               from now on keep invalidations unanswered (each
 *                       prints "invalidation OLD->NEW waits"): the mount
 *                       that wants the lock must wait
 *   unstall             answer the kept invalidations, and the next ones
 *                       at once again
 *   hold-log PATH       record every mode held: one line per interval
 *                       (range, mode, start and end in CLOCK_MONOTONIC ns,
 *                       pid), written at farewell, quit or the end
 *   random-locks MS SEED INO...  for MS ms, random requests (up to WRITE,
 *                       or back to NULL) on the inode groups of the INOs,
 *                       each held 0-20 ms; quiet from then on; prints
 *                       "random-locks: granted" if anything was
 *   quit                close the socket at once, no farewell (a client
 *                       that dies); must be the last step
 * A lock answer that comes after its step gave up prints
 * "LABEL: granted OLD->NEW (late)" (or the error) when it arrives, and
 * updates the held mode.  Anything else arriving while a lock or hold step
 * waits prints "unexpected: " and what it is; "hold: connection closed"
 * (or hold-until) when the server closes the connection during a hold.
 */
'use strict';
const fs = require('fs');
const net = require('net');
const path = require('path');
const root = path.resolve(__dirname, '../../..');
const m = require(path.join(root, 'build/utils/src/gen/messages.js'));
const { SuperBlock, Key, KeyZone, IndexItemType, LOCK_INODE_GROUP_NR } = require(
  path.join(root, 'build/utils/src/gen/format.js'),
);
const { FORMAT_HASH, FORMAT_HASH_HEX } = require(path.join(root, 'build/utils/src/gen/hash.js'));

const HDR = m.NetHeader.SIZE;
const SUPER_OFFSET = 64 * 1024;
let nextId = 1n;

function message(cmd, data = new Uint8Array(0), o = {}) {
  const buf = new Uint8Array(HDR + data.length);
  m.NetHeader.encode(
    {
      clock_sync_id: 0n,
      seq: nextId,
      recv_seq: 0n,
      id: o.id ?? nextId++,
      data_len: o.dataLen ?? data.length,
      cmd,
      flags: o.flags ?? 0,
      error: o.error ?? 0,
    },
    buf,
  );
  buf.set(data, HDR);
  return buf;
}

/* malformed messages: each breaks one check */
const BAD = {
  'unknown-cmd': () => message(99),
  'short-greeting': () => message(m.NET_CMD.GREETING, new Uint8Array(10)),
  'header-pad': () => {
    const b = message(m.NET_CMD.STATFS);
    b[m.NetHeader.OFFSETS._pad] = 1;
    return b;
  },
  'request-error': () => message(m.NET_CMD.STATFS, undefined, { error: m.NetError.EIO }),
  'unknown-flags': () => message(m.NET_CMD.STATFS, undefined, { flags: 0x80 }),
  'too-long': () => message(m.NET_CMD.STATFS, new Uint8Array(2000)),
  'bad-lock-mode': () => {
    const lock = m.NetLock.encode({ ...m.NetLock.zero(), new_mode: 9 });
    return message(m.NET_CMD.LOCK, lock);
  },
  /* well formed, but answers nothing the server asked */
  'stray-response': () =>
    message(m.NET_CMD.FAREWELL, undefined, { flags: m.NET_FLAG_RESPONSE, id: 12345n }),
};

const errName = (e) => m.NetError[e] ?? `error ${e}`;

class Conn {
  constructor(sock) {
    this.sock = sock;
    this.buf = Buffer.alloc(0);
    this.waiters = [];
    sock.on('data', (d) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.wake();
    });
    sock.on('close', () => {
      this.closed = true;
      this.wake();
    });
    sock.on('error', () => {});
  }
  wake() {
    const w = this.waiters;
    this.waiters = [];
    w.forEach((f) => f());
  }
  /* the next message, or null after ms without one */
  async recv(ms) {
    const until = Date.now() + ms;
    for (;;) {
      if (this.buf.length >= HDR) {
        const len = HDR + this.buf.readUInt16LE(m.NetHeader.OFFSETS.data_len);
        if (this.buf.length >= len) {
          const msg = new Uint8Array(this.buf.subarray(0, len));
          this.buf = this.buf.subarray(len);
          return msg;
        }
      }
      if (this.closed) return 'closed';
      const left = until - Date.now();
      if (left <= 0) return null;
      await new Promise((res) => {
        const t = setTimeout(res, left);
        this.waiters.push(() => {
          clearTimeout(t);
          res();
        });
      });
    }
  }
}

function describeReply(r, fsid) {
  if (r === null) return 'no answer';
  if (r === 'closed') return 'connection closed';
  const why = m.netMessageInvalid(r);
  if (why) return `malformed reply: ${why.message}, found ${why.value}`;
  const h = m.NetHeader.decode(r);
  const name = m.NET_PAYLOADS[h.cmd].name;
  if (h.error) return `${name} response: error ${errName(h.error)}`;
  const data = r.subarray(HDR);
  if (h.cmd === m.NET_CMD.GREETING) {
    const g = m.NetGreeting.decode(data);
    return `GREETING response: fsid ${g.fsid === fsid ? 'ours' : 'other'}, format hash ${
      g.format_hash === FORMAT_HASH ? 'ours' : 'other'
    }`;
  }
  if (h.cmd === m.NET_CMD.STATFS) {
    const s = m.NetStatfs.decode(data);
    return `STATFS response: total_meta_blocks ${s.total_meta_blocks}, total_data_blocks ${s.total_data_blocks}, free below total: ${
      s.free_data_blocks < s.total_data_blocks
    }`;
  }
  if (h.cmd === m.NET_CMD.GET_LAST_SEQ)
    return `GET_LAST_SEQ response: seq above 0: ${m.NetSeq.decode(data).seq > 0n}`;
  return `${name} response: ${data.length} bytes`;
}

function greeting(fsid, hash) {
  return message(
    m.NET_CMD.GREETING,
    m.NetGreeting.encode({
      fsid,
      format_hash: hash,
      server_term: 0n,
      rid: 0x5c0000000n + BigInt(process.pid),
      flags: 0n,
    }),
  );
}

/* lock modes, ranges and the client's side of the lock protocol */
const { LockMode } = m;
const modeName = (x) => LockMode[x] ?? `mode ${x}`;
const U64_MAX = (1n << 64n) - 1n;

function parseMode(s, numbers = false) {
  if (typeof LockMode[s] === 'number') return LockMode[s];
  if (numbers && /^\d+$/.test(s)) return Number(s);
  throw new Error(`unknown lock mode ${s}`);
}

function parseIno(s) {
  if (!/^\d+$/.test(s ?? '')) throw new Error(`bad inode number ${s}`);
  return BigInt(s);
}

/* the lock range of the inode group of ino: every FS-zone key of its inodes */
function inodeGroup(ino) {
  const first = ino & ~BigInt(LOCK_INODE_GROUP_NR - 1);
  return {
    start: { zone: KeyZone.FS, first, type: 0, second: 0n, third: 0n, fourth: 0 },
    end: {
      zone: KeyZone.FS,
      first: first + BigInt(LOCK_INODE_GROUP_NR - 1),
      type: 255,
      second: U64_MAX,
      third: U64_MAX,
      fourth: 255,
    },
  };
}

/* the lock range of the 1024-seq window of index TYPE (meta, data) holding SEQ */
function indexWindow(type, seq) {
  const t = { meta: IndexItemType.META_SEQ, data: IndexItemType.DATA_SEQ }[type];
  if (t === undefined) throw new Error(`index type ${type} is not meta or data`);
  const window = seq & ~1023n;
  return {
    start: { zone: KeyZone.INODE_INDEX, first: 0n, type: t, second: window, third: 0n, fourth: 0 },
    end: {
      zone: KeyZone.INODE_INDEX,
      first: 0n,
      type: t,
      second: window | 1023n,
      third: U64_MAX,
      fourth: 255,
    },
  };
}

function parseKey(hex) {
  const b = Buffer.from(hex ?? '', 'hex');
  if (b.length !== Key.SIZE || b.toString('hex') !== hex.toLowerCase())
    throw new Error(`key ${hex} is not ${Key.SIZE} bytes of hex`);
  return Uint8Array.from(b);
}

const rangeOf = (start, end) =>
  Buffer.from(start).toString('hex') + Buffer.from(end).toString('hex');

/*
 * What a holder of mode have can go down to when asked for want: want
 * itself when it is NULL, what is held, or READ from WRITE; else NULL.
 */
function downTo(have, want) {
  if (want === LockMode.NULL || want === have) return want;
  if (have === LockMode.WRITE && want === LockMode.READ) return want;
  return LockMode.NULL;
}

class Client {
  constructor(conn, fsid) {
    this.conn = conn;
    this.fsid = fsid;
    this.held = new Map(); /* range -> mode held, absent: NULL */
    this.pending = new Map(); /* lock request id -> { label, range } */
    this.timeout = 20000;
    this.stalled = null; /* [header, message] of kept invalidations while stalled */
    this.quiet = false;
    this.holdLog = null; /* path of the hold log, holds its lines */
    this.holds = [];
    this.since = new Map(); /* range -> when the mode held was granted */
  }

  /* the text after "LABEL: " for the answer to a lock request */
  lockAnswer(r, range) {
    const why = m.netMessageInvalid(r);
    const h = m.NetHeader.decode(r);
    if (why || h.cmd !== m.NET_CMD.LOCK) return describeReply(r, this.fsid);
    if (h.error) return `error ${errName(h.error)}`;
    const nl = m.NetLock.decode(r.subarray(HDR));
    this.setHeld(range, nl.new_mode);
    return `granted ${modeName(nl.old_mode)}->${modeName(nl.new_mode)}${
      nl.write_seq > 0n ? ' write_seq>0' : ''
    }`;
  }

  say(line) {
    if (!this.quiet) console.log(line);
  }

  /*
   * The mode held on range changes: with a hold log, the interval of the
   * old mode ends now (CLOCK_MONOTONIC ns, comparable between processes)
   * and one of the new mode starts.  Called on a grant as it arrives,
   * and before an invalidation's answer or a request for NULL is sent.
   */
  setHeld(range, mode) {
    const now = process.hrtime.bigint();
    const old = this.held.get(range) ?? LockMode.NULL;
    if (this.holdLog && old !== LockMode.NULL)
      this.holds.push(`${range} ${old} ${this.since.get(range)} ${now} ${process.pid}`);
    if (mode === LockMode.NULL) this.held.delete(range);
    else this.held.set(range, mode);
    this.since.set(range, now);
  }

  /* every mode still held ends now (the farewell gives them up): write the log */
  writeHoldLog() {
    if (!this.holdLog) return;
    for (const range of [...this.held.keys()]) this.setHeld(range, LockMode.NULL);
    fs.writeFileSync(this.holdLog, this.holds.map((l) => l + '\n').join(''));
  }

  /*
   * Random requests for random modes on the given ranges for ms: up to
   * WRITE, or back to NULL, each held 0-20 ms, invalidations answered at
   * once; quiet, for a hold log.  Returns the number of grants.
   */
  async randomLocks(ms, seed, ranges) {
    let x = BigInt(seed) * 0x9e3779b97f4a7c15n + 1n;
    const rnd = (n) => {
      x ^= (x << 13n) & U64_MAX;
      x ^= x >> 7n;
      x ^= (x << 17n) & U64_MAX;
      return Number(x % BigInt(n));
    };
    const modes = [LockMode.READ, LockMode.WRITE, LockMode.WRITE_ONLY];
    const until = Date.now() + ms;
    let grants = 0;
    this.quiet = true;
    while (Date.now() < until) {
      const { s, e } = ranges[rnd(ranges.length)];
      const range = rangeOf(s, e);
      const held = this.held.get(range) ?? LockMode.NULL;
      let want;
      if (held === LockMode.NULL) want = modes[rnd(3)];
      else if (held !== LockMode.WRITE && rnd(2)) want = LockMode.WRITE;
      else want = LockMode.NULL;
      if (want === LockMode.NULL) this.setHeld(range, LockMode.NULL);
      const ok = await this.lock('random-locks', s, e, held, want);
      if (!ok) break;
      grants++;
      await this.hold('random-locks', Date.now() + rnd(21));
    }
    /* stays quiet: invalidations of what it still holds come at random */
    return grants;
  }

  /* an invalidation: answered at once, or kept until unstall() */
  invalidate(h, r) {
    if (this.stalled) {
      const nl = m.NetLock.decode(r.subarray(HDR));
      this.say(`invalidation ${modeName(nl.old_mode)}->${modeName(nl.new_mode)} waits`);
      this.stalled.push([h, r]);
      return;
    }
    this.answerInvalidation(h, r);
  }

  /* answer the invalidations kept while stalled, and answer at once again */
  unstall() {
    const kept = this.stalled ?? [];
    this.stalled = null;
    kept.forEach(([h, r]) => this.answerInvalidation(h, r));
  }

  /* answer an invalidation: go down to what it asks, or as far as we can */
  answerInvalidation(h, r) {
    const nl = m.NetLock.decode(r.subarray(HDR));
    const start = r.subarray(
      HDR + m.NetLock.OFFSETS.start,
      HDR + m.NetLock.OFFSETS.start + Key.SIZE,
    );
    const end = r.subarray(HDR + m.NetLock.OFFSETS.end, HDR + m.NetLock.OFFSETS.end + Key.SIZE);
    const range = rangeOf(start, end);
    const have = this.held.get(range) ?? LockMode.NULL;
    if (have === LockMode.NULL) {
      /* given back (or never held): the request for NULL answers it */
      this.conn.sock.write(
        message(m.NET_CMD.LOCK, undefined, {
          id: h.id,
          flags: m.NET_FLAG_RESPONSE,
          error: m.NetError.ENOENT,
        }),
      );
      this.say(`invalidation ${modeName(nl.old_mode)}->${modeName(nl.new_mode)}: not held, ENOENT`);
      return;
    }
    const to = downTo(have, nl.new_mode);
    const unexpected = have !== nl.old_mode || to !== nl.new_mode;
    /* stop using the mode before the server hears it is given up */
    this.setHeld(range, to);
    const reply = m.NetLock.encode({ ...nl, write_seq: 0n, old_mode: have, new_mode: to });
    this.conn.sock.write(message(m.NET_CMD.LOCK, reply, { id: h.id, flags: m.NET_FLAG_RESPONSE }));
    this.say(`invalidated ${modeName(have)}->${modeName(to)}${unexpected ? ' (unexpected)' : ''}`);
  }

  /*
   * Deal with a message that needs no one waiting for it: an invalidation,
   * or the late answer to a lock request whose step gave up.  False for
   * anything else (and for null and 'closed').
   */
  handleAsync(r) {
    if (!(r instanceof Uint8Array) || m.netMessageInvalid(r)) return false;
    const h = m.NetHeader.decode(r);
    if (h.cmd !== m.NET_CMD.LOCK) return false;
    if (!(h.flags & m.NET_FLAG_RESPONSE)) {
      this.invalidate(h, r);
      return true;
    }
    const p = this.pending.get(h.id);
    if (!p) return false;
    this.pending.delete(h.id);
    console.log(`${p.label}: ${this.lockAnswer(r, p.range)} (late)`);
    return true;
  }

  /* the next message no one else takes, or null after ms, or 'closed' */
  async recv(ms) {
    const until = Date.now() + ms;
    for (;;) {
      const r = await this.conn.recv(Math.max(0, until - Date.now()));
      if (!this.handleAsync(r)) return r;
    }
  }

  /* send a LOCK request and wait for its answer */
  async lock(label, start, end, oldMode, newMode) {
    const payload = new Uint8Array(m.NetLock.SIZE);
    payload.set(start, m.NetLock.OFFSETS.start);
    payload.set(end, m.NetLock.OFFSETS.end);
    payload[m.NetLock.OFFSETS.old_mode] = oldMode;
    payload[m.NetLock.OFFSETS.new_mode] = newMode;
    const id = nextId;
    const msg = message(m.NET_CMD.LOCK, payload);
    const why = m.netMessageInvalid(msg);
    if (why) throw new Error(`${label}: malformed request: ${why.message}, found ${why.value}`);
    const range = rangeOf(start, end);
    this.conn.sock.write(msg);
    const until = Date.now() + this.timeout;
    for (;;) {
      const r = await this.recv(Math.max(0, until - Date.now()));
      if (r === null || r === 'closed') {
        console.log(`${label}: ${describeReply(r, this.fsid)}`);
        /* its answer may still come */
        if (r === null) this.pending.set(id, { label, range });
        return false;
      }
      const h = m.NetHeader.decode(r);
      if (h.id === id && h.flags & m.NET_FLAG_RESPONSE) {
        const answer = this.lockAnswer(r, range);
        if (!this.quiet || !answer.startsWith('granted')) console.log(`${label}: ${answer}`);
        return answer.startsWith('granted');
      }
      console.log(`unexpected: ${describeReply(r, this.fsid)}`);
    }
  }

  /* answer invalidations until done() or the deadline; false if it passed */
  async hold(label, until, done = () => false) {
    for (;;) {
      if (done()) {
        /* take what has already come in before moving on */
        await new Promise((res) => setImmediate(res));
        for (let r; (r = await this.recv(0)) instanceof Uint8Array;)
          console.log(`unexpected: ${describeReply(r, this.fsid)}`);
        return true;
      }
      const left = until - Date.now();
      if (left <= 0) return false;
      const r = await this.recv(Math.min(left, 50));
      if (r === 'closed') {
        console.log(`${label}: connection closed`);
        return true;
      }
      if (r !== null) console.log(`unexpected: ${describeReply(r, this.fsid)}`);
    }
  }
}

async function main() {
  const args = process.argv.slice(2);
  if (args[0] === 'hash') {
    console.log(FORMAT_HASH_HEX);
    return;
  }
  if (args[0] === 'check-holds') {
    process.exitCode = checkHolds(args.slice(1));
    return;
  }
  const [addr, port, meta, ...steps] = args;
  if (!steps.length) {
    console.error('usage: net-client.js hash | ADDR PORT META STEP...');
    process.exit(2);
  }
  const fd = fs.openSync(meta, 'r');
  const sup = Buffer.alloc(SuperBlock.SIZE);
  fs.readSync(fd, sup, 0, sup.length, SUPER_OFFSET);
  fs.closeSync(fd);
  const fsid = SuperBlock.decode(sup).hdr.fsid;

  const sock = net.connect(Number(port), addr);
  await new Promise((res, rej) => {
    sock.once('connect', res);
    sock.once('error', rej);
  });
  const conn = new Conn(sock);
  const client = new Client(conn, fsid);
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i];
    let msg;
    let label = step;
    if (step === 'lock-ino') {
      const mode = parseMode(steps[++i]);
      const { start, end } = inodeGroup(parseIno(steps[++i]));
      const s = Key.encode(start);
      const e = Key.encode(end);
      const held = client.held.get(rangeOf(s, e)) ?? LockMode.NULL;
      await client.lock(`lock-ino ${modeName(mode)}`, s, e, held, mode);
      continue;
    }
    if (step === 'lock-index') {
      const mode = parseMode(steps[++i]);
      const type = steps[++i];
      const { start, end } = indexWindow(type, parseIno(steps[++i]));
      const s = Key.encode(start);
      const e = Key.encode(end);
      const held = client.held.get(rangeOf(s, e)) ?? LockMode.NULL;
      await client.lock(`lock-index ${modeName(mode)}`, s, e, held, mode);
      continue;
    }
    if (step === 'lock-bad-range') {
      const { start, end } = inodeGroup(parseIno(steps[++i]));
      end.fourth = 254;
      await client.lock(step, Key.encode(start), Key.encode(end), LockMode.NULL, LockMode.WRITE);
      continue;
    }
    if (step === 'lock-raw') {
      const s = parseKey(steps[++i]);
      const e = parseKey(steps[++i]);
      const oldMode = parseMode(steps[++i], true);
      const newMode = parseMode(steps[++i], true);
      await client.lock(`lock-raw ${steps[i]}`, s, e, oldMode, newMode);
      continue;
    }
    if (step === 'timeout' || step === 'hold') {
      const ms = steps[++i];
      if (!/^\d+$/.test(ms ?? '')) throw new Error(`${step}: bad milliseconds ${ms}`);
      if (step === 'timeout') client.timeout = Number(ms);
      else await client.hold(step, Date.now() + Number(ms));
      continue;
    }
    if (step === 'hold-until') {
      const file = steps[++i];
      if (!file) throw new Error('hold-until: no path');
      const until = Date.now() + client.timeout;
      if (!(await client.hold(step, until, () => fs.existsSync(file))))
        console.log('hold-until: timed out');
      continue;
    }
    if (step === 'hold-log') {
      client.holdLog = steps[++i];
      continue;
    }
    if (step === 'random-locks') {
      const ms = Number(steps[++i]);
      const seed = Number(steps[++i]);
      const ranges = [];
      while (i + 1 < steps.length && /^\d+$/.test(steps[i + 1])) {
        const { start, end } = inodeGroup(parseIno(steps[++i]));
        ranges.push({ s: Key.encode(start), e: Key.encode(end) });
      }
      if (!ranges.length || !(ms > 0)) throw new Error('random-locks: MS SEED INO...');
      const grants = await client.randomLocks(ms, seed, ranges);
      console.log(`random-locks: ${grants > 0 ? 'granted' : 'nothing granted'}`);
      continue;
    }
    if (step === 'stall') {
      client.stalled = client.stalled ?? [];
      continue;
    }
    if (step === 'unstall') {
      client.unstall();
      continue;
    }
    if (step === 'quit') {
      if (i !== steps.length - 1) throw new Error('quit must be the last step');
      client.writeHoldLog();
      sock.destroy();
      return;
    }
    if (step === 'farewell') client.writeHoldLog();
    if (step === 'greet') msg = greeting(fsid, FORMAT_HASH);
    else if (step === 'greet-hash') msg = greeting(fsid, BigInt('0x' + steps[++i]));
    else if (step === 'greet-fsid') msg = greeting(BigInt('0x' + steps[++i]), FORMAT_HASH);
    else if (step === 'statfs') msg = message(m.NET_CMD.STATFS);
    else if (step === 'last-seq') msg = message(m.NET_CMD.GET_LAST_SEQ);
    else if (step === 'farewell') msg = message(m.NET_CMD.FAREWELL);
    else if (step === 'lock') msg = message(m.NET_CMD.LOCK, m.NetLock.encode(m.NetLock.zero()));
    else if (step === 'raw') {
      label = steps[++i];
      msg = Uint8Array.from(Buffer.from(steps[++i], 'hex'));
    } else if (step === 'bad') {
      label = steps[++i];
      msg = BAD[label]();
    } else throw new Error(`unknown step ${step}`);
    const why = m.netMessageInvalid(msg);
    console.log(
      `${label}: sent ${msg.length} bytes, ${why ? `malformed: ${why.message}, found ${why.value}` : 'valid'}`,
    );
    sock.write(msg);
    const r = await client.recv(why ? 300 : 3000);
    console.log(`  ${describeReply(r, fsid)}`);
  }
  client.writeHoldLog();
  sock.end();
}

/*
 * check-holds LOG...: the hold logs of clients that ran at once; two
 * clients must never have held modes that conflict (anything but READ
 * with READ and WRITE_ONLY with WRITE_ONLY) on one range at one time.
 */
function checkHolds(files) {
  const holds = files.flatMap((f) =>
    fs
      .readFileSync(f, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => {
        const [range, mode, start, end, pid] = l.split(' ');
        return { range, mode: Number(mode), start: BigInt(start), end: BigInt(end), pid };
      }),
  );
  const ok = (a, b) => a === b && a !== LockMode.WRITE;
  let conflicts = 0;
  for (let i = 0; i < holds.length; i++)
    for (let j = i + 1; j < holds.length; j++) {
      const a = holds[i];
      const b = holds[j];
      if (a.pid === b.pid || a.range !== b.range || ok(a.mode, b.mode)) continue;
      if (a.start < b.end && b.start < a.end) {
        conflicts++;
        if (conflicts <= 5)
          console.log(
            `conflict: ${modeName(a.mode)} by ${a.pid} and ${modeName(b.mode)} by ${b.pid} overlap by ${
              (a.end < b.end ? a.end : b.end) - (a.start > b.start ? a.start : b.start)
            } ns`,
          );
      }
    }
  console.log(
    conflicts
      ? `check-holds: ${conflicts} conflicting holds`
      : `check-holds: no conflicting holds (${holds.length >= 30 ? 'at least 30' : 'fewer than 30'} holds)`,
  );
  return conflicts ? 1 : 0;
}

main().catch((e) => {
  console.error(`net-client: ${e.message}`);
  process.exit(1);
});
