#!/usr/bin/env node
/*
 * A small client of the scoutfs server for the VM scenarios, built on the
 * generated message codecs (utils/src/gen/messages.ts): it speaks the
 * protocol from userspace, correctly or not, and prints what it sent and
 * what came back.
 *
 *   net-client.js hash                   print the utilities' format hash
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
 */
'use strict';
const fs = require('fs');
const net = require('net');
const path = require('path');
const root = path.resolve(__dirname, '../../..');
const m = require(path.join(root, 'build/utils/src/gen/messages.js'));
const { SuperBlock } = require(path.join(root, 'build/utils/src/gen/format.js'));
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
    m.NetGreeting.encode({ fsid, format_hash: hash, server_term: 0n, rid: 0x1234n, flags: 0n }),
  );
}

async function main() {
  const args = process.argv.slice(2);
  if (args[0] === 'hash') {
    console.log(FORMAT_HASH_HEX);
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
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i];
    let msg;
    let label = step;
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
    const r = await conn.recv(why ? 300 : 3000);
    console.log(`  ${describeReply(r, fsid)}`);
  }
  sock.end();
}

main().catch((e) => {
  console.error(`net-client: ${e.message}`);
  process.exit(1);
});
