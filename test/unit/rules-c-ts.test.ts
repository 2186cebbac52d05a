/*
 * The schema's value rules exist twice as generated code: C for the kernel
 * (kmod/src/gen/rules.c, scoutfs_*_invalid()) and a table the TypeScript
 * invalid() applies for `scoutfs check`.  This builds rules.c in userspace
 * and runs both over the same cases: for every rule a value on each side
 * of its bound, every pad made non-zero, and seeded random bytes.  Both
 * must give the same verdict and the same message and value, case by case.
 * The name hash of entry and xattr keys is compared the same way: the
 * kernel's FNV-1a (kmod/src/name_hash.h) against check's nameHash().
 */
import execa from 'execa';
import { gccWithKshim } from './helpers/kshim-gcc';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { snake } from '../../codegen/src/names';
import { Codec, invalid } from '../../utils/src/codec';
import { nameHash } from '../../utils/src/lib/check';
import * as format from '../../utils/src/gen/format';
import * as messages from '../../utils/src/gen/messages';

const ROOT = path.resolve(__dirname, '../..');
const GEN = path.join(ROOT, 'kmod/src/gen');

function isCodec(v: unknown): v is Codec<unknown> {
  return typeof v === 'object' && v !== null && 'RULES' in v && 'SIZE' in v;
}

/* the structs rules.c has a function for: the ones the kernel checks (@rulecheck) */
const inC = new Set(
  [
    ...fs.readFileSync(path.join(GEN, 'rules.h'), 'utf8').matchAll(/\bscoutfs_(\w+)_invalid\(/g),
  ].map((m) => m[1]),
);
const exported: unknown[] = [...Object.values(format), ...Object.values(messages)];
const codecs = exported.filter(isCodec).filter((c) => inC.has(snake(c.NAME)));

function put(buf: Uint8Array, off: number, size: number, v: bigint): void {
  for (let i = 0; i < size; i++) buf[off + i] = Number((v >> BigInt(8 * i)) & 0xffn);
}

/* xorshift64: the same cases every run */
function rng(seed: bigint): () => bigint {
  let x = seed;
  return () => {
    x ^= (x << 13n) & 0xffffffffffffffffn;
    x ^= x >> 7n;
    x ^= (x << 17n) & 0xffffffffffffffffn;
    return x;
  };
}

function cases(c: Codec<unknown>): Uint8Array[] {
  const out: Uint8Array[] = [];
  const base = new Uint8Array(c.SIZE);
  /* a struct that keeps every rule: each min field at its bound */
  for (const [off, size, kind, bound] of c.RULES) if (kind === 'min') put(base, off, size, bound);
  out.push(new Uint8Array(c.SIZE), base);
  for (const [off, size, kind, bound] of c.RULES) {
    const max = (1n << BigInt(8 * size)) - 1n;
    const vals =
      kind === 'pad'
        ? [1n]
        : kind === 'mask'
          ? [bound, ~bound & max, max]
          : [bound, bound + 1n, bound - 1n, 0n, max];
    for (const v of vals) {
      if (v < 0n || v > max) continue;
      const b = base.slice();
      if (kind === 'pad') b[off + size - 1] = Number(v);
      else put(b, off, size, v);
      out.push(b);
    }
  }
  const next = rng(0x9e3779b97f4a7c15n ^ BigInt(c.SIZE));
  for (let n = 0; n < 50; n++) {
    const b = base.slice();
    for (const [off, size] of c.RULES) if (next() % 3n === 0n) put(b, off, size, next());
    out.push(b);
  }
  return out;
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

function cMain(): string {
  const rows = codecs.map(
    (c) => `\t{ "${c.NAME}", ${c.SIZE}, (fn_t)scoutfs_${snake(c.NAME)}_invalid },`,
  );
  return `#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "rules.h"
#include "name_hash.h"

typedef const char *(*fn_t)(const void *p, u64 *bad);
static const struct { const char *name; size_t size; fn_t fn; } fns[] = {
${rows.join('\n')}
};

int main(void)
{
	static char line[1 << 16];
	static unsigned char buf[1 << 15];

	while (fgets(line, sizeof(line), stdin)) {
		char *name = strtok(line, " \\n");
		char *hex = strtok(NULL, " \\n");
		size_t i, n = strlen(hex) / 2;
		const char *why;
		u64 bad = 0;

		for (i = 0; i < n; i++)
			sscanf(hex + 2 * i, "%2hhx", &buf[i]);
		if (strcmp(name, "HASH") == 0) {
			printf("%016llx\\n", (unsigned long long)scoutfs_name_hash((const char *)buf, n));
			continue;
		}
		for (i = 0; i < sizeof(fns) / sizeof(fns[0]); i++)
			if (strcmp(fns[i].name, name) == 0 && fns[i].size == n)
				break;
		if (i == sizeof(fns) / sizeof(fns[0]))
			return 2;
		why = fns[i].fn(buf, &bad);
		if (why)
			printf("%s, found %llu\\n", why, (unsigned long long)bad);
		else
			printf("ok\\n");
	}
	return 0;
}
`;
}

test('the kernel rules (C) and check rules (TS) agree on every case', async () => {
  expect(codecs.map((c) => c.NAME)).toEqual(
    expect.arrayContaining([
      'InodeItem',
      'XattrHdr',
      'Dirent',
      'DataExtent',
      'BtreeItem',
      'NetHeader',
      'NetLock',
    ]),
  );
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'scoutfs-rules-'));
  try {
    fs.writeFileSync(path.join(tmp, 'main.c'), cMain());
    const exe = path.join(tmp, 'rules');
    await gccWithKshim(
      exe,
      [path.join(GEN, 'rules.c'), path.join(tmp, 'main.c')],
      ['-Wno-cast-function-type'],
    );
    const input: string[] = [];
    const want: string[] = [];
    for (const c of codecs) {
      for (const b of cases(c)) {
        input.push(`${c.NAME} ${hex(b)}`);
        const bad = invalid(c, b);
        want.push(bad ? `${bad.message}, found ${bad.value}` : 'ok');
      }
    }
    /* names: FNV-1a's published vectors, every byte value, seeded random names of 1..255 bytes */
    const names: Uint8Array[] = [Buffer.from('a'), Buffer.from('foobar'), Buffer.from('user.big')];
    for (let b = 0; b < 256; b++) names.push(Uint8Array.of(b, 255 - b));
    const next = rng(0x51ed270b27e4d3c3n);
    for (let n = 0; n < 300; n++)
      names.push(
        Uint8Array.from({ length: 1 + Number(next() % 255n) }, () => Number(next() & 0xffn)),
      );
    for (const nm of names) {
      input.push(`HASH ${hex(nm)}`);
      want.push(nameHash(nm).toString(16).padStart(16, '0'));
    }
    expect(want.slice(-names.length, -names.length + 2)).toEqual([
      'af63dc4c8601ec8c',
      '85944171f73967e8',
    ]);
    const r = await execa(exe, [], { input: input.join('\n') + '\n' });
    const got = r.stdout.split('\n');
    const diff = want.flatMap((w, i) =>
      w === got[i] ? [] : [`${input[i]}: TS "${w}", C "${got[i]}"`],
    );
    expect(diff).toEqual([]);
    expect(got).toHaveLength(want.length);
    /* the cases reach both verdicts for every struct */
    for (const c of codecs) {
      const mine = want.filter((_, i) => input[i].startsWith(`${c.NAME} `));
      if (mine.length === 0) throw new Error(`no cases for ${c.NAME}`);
      expect(mine.filter((w) => w === 'ok').length).toBeGreaterThan(0);
      expect(mine.filter((w) => w !== 'ok').length).toBeGreaterThan(0);
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
