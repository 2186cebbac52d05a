/*
 * The rules between an item's fields, and between an item and its key
 * (nlink 0 needs an orphan item, a directory's nlink is never 1, TRUNCATE
 * only on a regular file, a symlink's size, a data extent's key and its
 * blocks inside the data area, index and orphan keys without stray
 * fields), exist as C the kernel applies (kmod/src/item_rules.h) and as
 * TS `scoutfs check` applies (utils/src/lib/item-rules.ts).  This builds
 * the header in userspace and runs both over ONE table of cases: every
 * combination of each argument's boundary values, then seeded random
 * ones.  Both must give the same verdict, reason and bad value.
 */
import execa from 'execa';
import { gccWithKshim } from './helpers/kshim-gcc';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  BLOCK_SM_SHIFT,
  DATA_DEV_START_BLKNO,
  IndexItemType,
  MAX_FILE_SIZE,
  OrphanItemType,
} from '../../utils/src/gen/format';
import {
  extentBlocksInvalid,
  extentKeyInvalid,
  indexKeyInvalid,
  inodeFieldsInvalid,
  inodeOrphanInvalid,
  orphanKeyInvalid,
  RuleBreak,
} from '../../utils/src/lib/item-rules';

const U64 = (1n << 64n) - 1n;
const U32 = (1n << 32n) - 1n;
const MAXB = BigInt(MAX_FILE_SIZE) >> BigInt(BLOCK_SM_SHIFT);
const START = BigInt(DATA_DEV_START_BLKNO);

/* an argument: its C type's width in bits and the values at its boundaries */
interface Arg {
  bits: number;
  edges: bigint[];
}
interface Rule {
  args: Arg[];
  c: string;
  ts: (a: bigint[]) => RuleBreak | undefined;
}

const u64 = (...e: bigint[]): Arg => ({ bits: 64, edges: [0n, 1n, U64, ...e] });
const u32 = (...e: bigint[]): Arg => ({ bits: 32, edges: [0n, 1n, U32, ...e] });
const u8 = (...e: bigint[]): Arg => ({ bits: 8, edges: [0n, 1n, 255n, ...e] });
/* an int value length: 0..64 KiB */
const valLen: Arg = { bits: 16, edges: [0n, 1n, 16n, 65535n] };
const types = [0o140000n, 0o120000n, 0o100000n, 0o060000n, 0o040000n, 0o020000n, 0o010000n];
const N = Number;

const RULES: Record<string, Rule> = {
  inode_fields: {
    args: [
      u32(...types.map((t) => t | 0o644n), 0o030644n, 0o170000n, 0o160000n),
      u32(2n, 3n),
      u64(4095n, 4096n, 4094n),
      u64(2n, 3n),
      u32(2n, 3n),
    ],
    c: 'scoutfs_inode_fields_invalid((u32)a[0], (u32)a[1], a[2], a[3], (u32)a[4], &bad)',
    ts: (a) => inodeFieldsInvalid(N(a[0]), N(a[1]), a[2], a[3], N(a[4])),
  },
  inode_orphan: {
    args: [u32(2n), { bits: 1, edges: [0n, 1n] }],
    c: 'scoutfs_inode_orphan_invalid((u32)a[0], (int)a[1], &bad)',
    ts: (a) => inodeOrphanInvalid(N(a[0]), a[1] !== 0n),
  },
  extent_key: {
    args: [u64(MAXB - 2n, MAXB - 1n, MAXB, U64 - 1n), u64(2n, MAXB, MAXB + 1n, U64 - 1n), u8()],
    c: 'scoutfs_extent_key_invalid(a[0], a[1], (u8)a[2], &bad)',
    ts: (a) => extentKeyInvalid(a[0], a[1], N(a[2])),
  },
  extent_blocks: {
    args: [
      u64(START - 1n, START, START + 1n, 4095n, 4096n, U64 - 1n, 1n << 63n),
      u64(2n, 4032n, 4033n, 1n << 63n, U64 - START + 1n),
      u8(2n, 3n),
      u64(START, START + 1n, 4096n, 4097n, U64 - 1n),
    ],
    c: 'scoutfs_extent_blocks_invalid(a[0], a[1], (u8)a[2], a[3], &bad)',
    ts: (a) => extentBlocksInvalid(a[0], a[1], N(a[2]), a[3]),
  },
  index_key: {
    args: [
      u64(),
      u8(BigInt(IndexItemType.META_SEQ), BigInt(IndexItemType.DATA_SEQ), 3n, 5n),
      u8(),
      valLen,
    ],
    c: 'scoutfs_index_key_invalid(a[0], (u8)a[1], (u8)a[2], (int)a[3], &bad)',
    ts: (a) => indexKeyInvalid(a[0], N(a[1]), N(a[2]), N(a[3])),
  },
  orphan_key: {
    args: [u64(), u8(BigInt(OrphanItemType.ORPHAN), 3n, 5n), u64(), u8(), valLen],
    c: 'scoutfs_orphan_key_invalid(a[0], (u8)a[1], a[2], (u8)a[3], (int)a[4], &bad)',
    ts: (a) => orphanKeyInvalid(a[0], N(a[1]), a[2], N(a[3]), N(a[4])),
  },
};

/* xorshift64: the same cases every run */
function rng(seed: bigint): () => bigint {
  let x = seed;
  return () => {
    x ^= (x << 13n) & U64;
    x ^= x >> 7n;
    x ^= (x << 17n) & U64;
    return x;
  };
}

function product(args: Arg[]): bigint[][] {
  return args.reduce<bigint[][]>(
    (rows, a) => rows.flatMap((r) => [...new Set(a.edges)].map((v) => [...r, v])),
    [[]],
  );
}

/* boundary combinations, then random rows: each argument an edge, an edge ± a little, or any value */
export function itemRuleCases(seed = 0x2545f4914f6cdd1dn, random = 400): [string, bigint[]][] {
  const next = rng(seed);
  const out: [string, bigint[]][] = [];
  for (const [name, r] of Object.entries(RULES)) {
    for (const row of product(r.args)) out.push([name, row]);
    for (let n = 0; n < random; n++) {
      const row = r.args.map((a) => {
        const mask = (1n << BigInt(a.bits)) - 1n;
        const pick = next() % 3n;
        const edge = a.edges[N(next() % BigInt(a.edges.length))];
        if (pick === 0n) return edge;
        if (pick === 1n) return (edge + (next() % 5n) - 2n) & mask;
        return next() & mask;
      });
      out.push([name, row]);
    }
  }
  return out;
}

function cMain(): string {
  const branches = Object.entries(RULES).map(
    ([name, r]) => `\t\telse if (strcmp(name, "${name}") == 0 && n == ${r.args.length})
\t\t\twhy = ${r.c};`,
  );
  return `#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "item_rules.h"

int main(void)
{
	static char line[4096];

	while (fgets(line, sizeof(line), stdin)) {
		char *name = strtok(line, " \\n");
		unsigned long long a[8];
		const char *why;
		char *tok;
		u64 bad = 0;
		int n = 0;

		while ((tok = strtok(NULL, " \\n")) && n < 8)
			a[n++] = strtoull(tok, NULL, 10);
		if (0)
			why = NULL;
${branches.join('\n')}
		else
			return 2;
		if (why)
			printf("%s, found %llu\\n", why, (unsigned long long)bad);
		else
			printf("ok\\n");
	}
	return 0;
}
`;
}

test('the kernel (C) and check (TS) agree on every rule between fields', async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'scoutfs-item-rules-'));
  try {
    fs.writeFileSync(path.join(tmp, 'main.c'), cMain());
    const exe = path.join(tmp, 'item-rules');
    await gccWithKshim(exe, [path.join(tmp, 'main.c')]);
    const cases = itemRuleCases();
    const input = cases.map(([name, row]) => `${name} ${row.join(' ')}`);
    const want = cases.map(([name, row]) => {
      const r = RULES[name].ts(row);
      return r ? `${r.why}, found ${r.bad}` : 'ok';
    });
    const r = await execa(exe, [], { input: input.join('\n') + '\n' });
    const got = r.stdout.split('\n');
    const diff = want.flatMap((w, i) =>
      w === got[i] ? [] : [`${input[i]}: TS "${w}", C "${got[i]}"`],
    );
    expect(diff.slice(0, 20)).toEqual([]);
    expect(got).toHaveLength(want.length);
    /* the table reaches every reason each rule can give, and its "ok" */
    const reasons = (name: string) =>
      new Set(
        want.filter((_, i) => cases[i][0] === name).map((w) => w.replace(/, found \d+$/, '')),
      );
    expect([...reasons('inode_fields')].sort()).toEqual(
      [
        'ok',
        'mode: not a file type',
        'mode: not a regular file but flags has TRUNCATE',
        "size: a symlink's is not 1..4095",
        "next_readdir_pos: a directory's is below 2",
        "nlink: a directory's is 1",
      ].sort(),
    );
    expect(reasons('inode_orphan').size).toBe(2);
    expect(reasons('extent_key').size).toBe(4);
    expect(reasons('extent_blocks').size).toBe(3);
    expect(reasons('index_key').size).toBe(5);
    expect(reasons('orphan_key').size).toBe(6);
    expect(cases.length).toBeGreaterThan(5000);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
