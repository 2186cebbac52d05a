/*
 * The check of a received network message exists twice as generated code:
 * the kernel's scoutfs_net_msg_invalid() (kmod/src/gen/net_check.c, with
 * the payload rules of rules.c) and the utilities' netMessageInvalid()
 * (utils/src/gen/messages.ts).  This builds the C in userspace and runs
 * both over the same packets: every command in both directions with its
 * payload at, below and above its size, error responses and requests with
 * errors, every header rule on each side of its bound, every pad made
 * non-zero, every command number, lengths around the header's, and seeded
 * random mutations of valid packets.  Both must give the same verdict,
 * sentence and value, packet by packet; and a C side changed in one check
 * must make the comparison fail.
 */
import execa from 'execa';
import { gccWithKshim } from './helpers/kshim-gcc';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Codec } from '../../utils/src/codec';
import {
  NET_FLAG_RESPONSE,
  NET_MAX_DATA_LEN,
  NET_PAYLOADS,
  NetError,
  NetHeader,
  netMessageInvalid,
} from '../../utils/src/gen/messages';
import { rng } from './helpers/values';

const ROOT = path.resolve(__dirname, '../..');
const GEN = path.join(ROOT, 'kmod/src/gen');
const HDR = NetHeader.SIZE;

function put(buf: Uint8Array, off: number, size: number, v: bigint): void {
  for (let i = 0; i < size; i++) buf[off + i] = Number((v >> BigInt(8 * i)) & 0xffn);
}

/* a payload that keeps its struct's rules: each @min field at its bound */
function payload(c: Codec<unknown> | null): Uint8Array {
  const b = new Uint8Array(c ? c.SIZE : 0);
  if (c)
    for (const [off, size, kind, bound] of c.RULES) if (kind === 'min') put(b, off, size, bound);
  return b;
}

function packet(
  cmd: number,
  data: Uint8Array,
  o: { flags?: number; error?: number; dataLen?: number } = {},
): Uint8Array {
  const buf = new Uint8Array(HDR + data.length);
  NetHeader.encode(
    {
      clock_sync_id: 0x1122n,
      seq: 7n,
      recv_seq: 6n,
      id: 0xabcdefn,
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

function cases(): Uint8Array[] {
  const out: Uint8Array[] = [];
  const valid: Uint8Array[] = [];
  for (const [cmdText, p] of Object.entries(NET_PAYLOADS)) {
    const cmd = Number(cmdText);
    for (const resp of [false, true]) {
      const c = resp ? p.reply : p.req;
      const flags = resp ? NET_FLAG_RESPONSE : 0;
      const good = payload(c);
      valid.push(packet(cmd, good, { flags }));
      /* a byte short, a byte long */
      if (good.length) out.push(packet(cmd, good.slice(0, -1), { flags }));
      out.push(packet(cmd, Uint8Array.of(...good, 0), { flags }));
      /* the payload's rules: each side of a bound, pads */
      for (const [off, size, kind, bound] of c ? c.RULES : []) {
        const max = (1n << BigInt(8 * size)) - 1n;
        const vals = kind === 'pad' ? [1n] : [bound, bound + 1n, bound - 1n, max];
        for (const v of vals) {
          if (v < 0n || v > max) continue;
          const b = good.slice();
          if (kind === 'pad') b[off + size - 1] = 1;
          else put(b, off, size, v);
          out.push(packet(cmd, b, { flags }));
        }
      }
    }
    /* errors: only in a response, and then without payload */
    for (const error of [NetError.EIO, NetError.ENOLINK, NetError.ENOLINK + 1]) {
      out.push(packet(cmd, new Uint8Array(0), { flags: NET_FLAG_RESPONSE, error }));
      out.push(packet(cmd, new Uint8Array(8), { flags: NET_FLAG_RESPONSE, error }));
      out.push(packet(cmd, payload(p.req), { error }));
    }
  }
  out.push(...valid);
  /* every command number */
  for (let cmd = 0; cmd < 256; cmd++) out.push(packet(cmd, new Uint8Array(0)));
  /* header: flags, data_len, pads, lengths */
  for (let flags = 0; flags < 256; flags += 17)
    out.push(packet(0, payload(NET_PAYLOADS[0].req), { flags }));
  for (const dataLen of [NET_MAX_DATA_LEN, NET_MAX_DATA_LEN + 1, 0xffff])
    out.push(packet(0, new Uint8Array(Math.min(dataLen, 2000)), { dataLen }));
  for (const [off, n] of NetHeader.PADS)
    for (let i = 0; i < n; i++) {
      const b = valid[0].slice();
      b[off + i] = 0x80;
      out.push(b);
    }
  for (const len of [0, 1, HDR - 1]) out.push(valid[0].slice(0, len));
  out.push(
    packet(0, new Uint8Array(40), { dataLen: 39 }),
    packet(0, new Uint8Array(40), { dataLen: 41 }),
  );

  /* seeded mutations of valid packets: bytes changed, cut or added */
  const next = rng(0x5c0f75);
  for (let n = 0; n < 3000; n++) {
    const b = Array.from(valid[next() % valid.length]);
    const edits = 1 + (next() % 3);
    for (let e = 0; e < edits; e++) {
      const how = next() % 8;
      if (how === 0) b.splice(next() % (b.length + 1), 1);
      else if (how === 1) b.splice(next() % (b.length + 1), 0, next() & 0xff);
      else if (b.length) b[next() % Math.min(b.length, how < 5 ? HDR : b.length)] = next() & 0xff;
    }
    out.push(Uint8Array.from(b));
  }
  return out;
}

const hex = (b: Uint8Array) => (b.length ? Buffer.from(b).toString('hex') : '-');

const MAIN = `#include <stdio.h>
#include <string.h>
#include "net_check.h"

int main(void)
{
	static char line[1 << 14];
	static unsigned long long buf[1 << 10];

	while (fgets(line, sizeof(line), stdin)) {
		char *hex = strtok(line, " \\n");
		size_t i, n = strcmp(hex, "-") ? strlen(hex) / 2 : 0;
		const char *why;
		u64 bad = 0;

		for (i = 0; i < n; i++)
			sscanf(hex + 2 * i, "%2hhx", (unsigned char *)buf + i);
		why = scoutfs_net_msg_invalid(buf, n, &bad);
		if (why)
			printf("%s, found %llu\\n", why, (unsigned long long)bad);
		else
			printf("ok\\n");
	}
	return 0;
}
`;

/* build net_check.c (as given) with rules.c, run the packets, diff with TS */
async function compare(tmp: string, netCheckC: string, input: Uint8Array[]): Promise<string[]> {
  const src = path.join(tmp, 'net_check.c');
  fs.writeFileSync(src, netCheckC);
  fs.writeFileSync(path.join(tmp, 'main.c'), MAIN);
  const exe = path.join(tmp, 'netcheck');
  await gccWithKshim(exe, [src, path.join(GEN, 'rules.c'), path.join(tmp, 'main.c')]);
  const r = await execa(exe, [], { input: input.map(hex).join('\n') + '\n' });
  const got = r.stdout.split('\n');
  const diff = input.flatMap((b, i) => {
    const bad = netMessageInvalid(b);
    const want = bad ? `${bad.message}, found ${bad.value}` : 'ok';
    return want === got[i] ? [] : [`${hex(b)}: TS "${want}", C "${got[i]}"`];
  });
  if (got.length !== input.length) diff.push(`C gave ${got.length} verdicts for ${input.length}`);
  return diff;
}

describe('network message checks', () => {
  let tmp: string;
  const input = cases();
  const netCheckC = fs.readFileSync(path.join(GEN, 'net_check.c'), 'utf8');

  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'scoutfs-netcheck-'));
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  test('the kernel (C) and the utilities (TS) agree on every packet', async () => {
    expect(await compare(tmp, netCheckC, input)).toEqual([]);
    /* the cases reach every check, and valid packets of every command both ways */
    const verdicts = input.map((b) => netMessageInvalid(b)?.message ?? 'ok');
    for (const m of [
      'ok',
      'message shorter than its header (40 bytes)',
      'length is not the header plus data_len',
      'cmd is not a known command',
      'request carries an error',
      'error response carries a payload',
      'data_len above NET_MAX_DATA_LEN (1100)',
      'flags has bits outside NET_FLAG_RESPONSE (0x1)',
      'error above NetError.ENOLINK (6)',
      '_pad is not zero',
      'GREETING request payload is not 40 bytes',
      'STATFS response payload is not 56 bytes',
      'new_mode above LockMode.WRITE_ONLY (3)',
      'lt.item_root._pad is not zero',
    ])
      expect(verdicts).toContain(m);
    for (const cmd of Object.keys(NET_PAYLOADS).map(Number))
      for (const flags of [0, NET_FLAG_RESPONSE])
        expect(
          input.some((b) => b[34] === cmd && b[35] === flags && netMessageInvalid(b) === null),
        ).toBe(true);
  });

  test('a C side that changes one check no longer agrees', async () => {
    const changes: [string, string][] = [
      ['if (len != 56) {', 'if (len != 64) {'],
      ['if (hdr->error && !resp) {', 'if (hdr->error && !resp && hdr->cmd) {'],
      ['"cmd is not a known command"', '"unknown command"'],
    ];
    for (const [from, to] of changes) {
      expect(netCheckC).toContain(from);
      expect(await compare(tmp, netCheckC.replace(from, to), input)).not.toEqual([]);
    }
  });
});
