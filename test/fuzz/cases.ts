// Fuzz cases: deterministic mutations of one base image (utils/src/lib/mutate.ts).
//
// Case INDEX of seed SEED is a pure function of (SEED, INDEX, base image):
// every fourth case (INDEX % 4 == 3) flips random bytes of a random metadata
// block (resealed 70% of the time); the others walk a seed-shuffled list of
// every (target, field, value class): each item kind's value struct fields
// and item header fields (key included), raw value bytes of the kinds
// without a struct, and the super block's, btree blocks' and extent-list
// blocks' own fields, each set to 0, 1, max, max-1, the top bit, the
// original +-1, a random value and the field's own limits +-1 where the
// format has one.  Which item of a kind is changed is chosen per case.
import type { Codec } from '../../utils/src/codec';
import {
  BtreeBlock,
  ExtentListBlock,
  ITEM_MAX_VAL_SIZE,
  MAX_FILE_SIZE,
  SuperBlock,
  SYMLINK_MAX_SIZE,
  XATTR_MAX_VAL_LEN,
} from '../../utils/src/gen/format';
import {
  Field,
  HEADER_FIELDS,
  ItemKind,
  KIND_STRUCT,
  LeafItem,
  maxOf,
  MetaBlock,
  MetaImage,
  readUint,
  structFields,
} from '../../utils/src/lib/mutate';

/* A small seeded PRNG (sfc32), seeded from (seed, index) through splitmix32. */
export function rng(seed: number, index: number): () => number {
  let s = (seed ^ Math.imul(index + 1, 0x9e3779b9)) >>> 0;
  const mix = (): number => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = mix(),
    b = mix(),
    c = mix(),
    d = mix();
  return () => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
}

const randBig = (r: () => number, width: number): bigint => {
  let v = 0n;
  for (let i = 0; i < width; i++) v = (v << 8n) | BigInt(Math.floor(r() * 256));
  return v;
};

export type Target = ItemKind | 'super' | 'btree_block' | 'extent_list_block';
export type Where = 'value' | 'header' | 'bytes' | 'block';

/* One entry of the systematic list: what to set, and to which value class. */
export interface Plan {
  target: Target;
  where: Where;
  field: string;
  cls: string;
  /* the Nth item of the kind (named plans); else a seeded pick */
  item?: number;
}

export interface Case {
  id: string;
  index: number;
  /* "set" or "flip" */
  op: string;
  target: string;
  field?: string;
  cls?: string;
  value?: string;
  reseal: boolean;
  /* what was changed, in words */
  what: string;
  patches: Map<bigint, Uint8Array>;
}

/* Limits the format gives some fields, beyond their width. */
function limits(target: Target, where: Where, field: string, img: MetaImage): [string, bigint][] {
  const out: [string, bigint][] = [];
  const lim = (name: string, v: bigint) => out.push([name, v], [name + '+1', v + 1n]);
  if (where === 'header' && (field === 'val_len' || field === 'val_off')) {
    lim('item_max_val', BigInt(ITEM_MAX_VAL_SIZE));
    lim('block', 65536n - 1n);
  }
  if (where === 'value' && target === 'inode') {
    if (field === 'size') {
      lim('max_file_size', BigInt(MAX_FILE_SIZE));
      lim('symlink_max', BigInt(SYMLINK_MAX_SIZE));
    }
    if (field === 'nlink') lim('u32', 0xfffffffen);
    if (field.endsWith('nsec')) lim('ns', 999999999n);
    if (field === 'mode')
      out.push(
        ['dir', 0o40755n],
        ['reg', 0o100644n],
        ['lnk', 0o120777n],
        ['fifo', 0o10644n],
        ['bad_type', 0o170644n],
      );
    if (field.endsWith('_seq')) lim('super_seq', img.sb.hdr.seq);
  }
  if (where === 'value' && target === 'xattr_hdr') {
    if (field === 'val_len') lim('xattr_max', BigInt(XATTR_MAX_VAL_LEN));
    if (field === 'name_len') lim('name_max', 255n - 1n);
  }
  if (where === 'value' && target === 'extent' && field === 'blkno') {
    out.push(['data_super', 16n], ['data_start-1', 63n]);
    lim('data_total', img.sb.total_data_blocks - 1n);
  }
  if (where === 'value' && target === 'extent' && field === 'flags')
    out.push(['offline', 1n], ['unwritten', 2n], ['both', 3n]);
  if (where === 'value' && ['dirent', 'readdir', 'backref'].includes(target) && field === 'type')
    out.push(['dir', 4n], ['reg', 8n], ['lnk', 10n]);
  if (where === 'value' && ['dirent', 'readdir', 'backref'].includes(target) && field === 'ino')
    out.push(['root', 1n], ['next_ino', img.sb.next_ino]);
  if (where === 'block' && field.endsWith('blkno')) {
    lim('meta_total', img.sb.total_meta_blocks - 1n);
    out.push(['super', 1n]);
  }
  if (where === 'block' && field === 'nr_items')
    lim('max_items', BigInt(Math.floor((65536 - 48) / 48)));
  if (where === 'block' && field === 'height') lim('btree_max', 20n - 1n);
  return out;
}

const CLASSES = ['0', '1', 'max', 'max-1', 'top', 'orig+1', 'orig-1', 'random'];

function blockCodec(t: Target): Codec<unknown> {
  return (
    t === 'super' ? SuperBlock : t === 'btree_block' ? BtreeBlock : ExtentListBlock
  ) as Codec<unknown>;
}

/* Integer fields worth setting (pads too: they must be zero). */
const settable = (fields: Field[]): Field[] =>
  fields.filter((f) => f.integer || (f.pad && f.width <= 8));

/* The systematic list for this image: every (target, field, class). */
export function plans(img: MetaImage): Plan[] {
  const out: Plan[] = [];
  const kinds = [...new Set(img.items.map((i) => i.kind))].filter((k) => k !== 'unknown');
  const add = (target: Target, where: Where, fields: Field[]) => {
    for (const f of settable(fields)) {
      const extra = limits(target, where, f.path, img).map(([n]) => n);
      const classes = f.pad ? ['1', 'max'] : [...CLASSES, ...extra];
      for (const cls of classes) out.push({ target, where, field: f.path, cls });
    }
  };
  for (const k of kinds) {
    const codec = KIND_STRUCT[k];
    if (codec) add(k, 'value', structFields(codec));
    add(k, 'header', [...HEADER_FIELDS]);
    if (['symlink', 'xattr_part', 'xattr_hdr', 'dirent', 'readdir', 'backref'].includes(k))
      for (const cls of ['0', 'slash', 'random', 'last0', 'lastx'])
        out.push({ target: k, where: 'bytes', field: 'byte', cls });
  }
  add(
    'super',
    'block',
    structFields(SuperBlock as Codec<unknown>).filter((f) => f.path !== 'hdr.crc'),
  );
  add(
    'btree_block',
    'block',
    structFields(BtreeBlock as Codec<unknown>).filter((f) => f.path !== 'hdr.crc'),
  );
  if (img.blocks.some((b) => b.kind === 'extent_list'))
    add(
      'extent_list_block',
      'block',
      structFields(ExtentListBlock as Codec<unknown>).filter((f) => f.path !== 'hdr.crc'),
    );
  return out;
}

/* Deterministic shuffle of the plans by seed. */
export function shuffled<T>(list: T[], seed: number): T[] {
  const r = rng(seed, -1);
  const a = [...list];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

function valueFor(
  cls: string,
  f: Field,
  orig: bigint,
  r: () => number,
  lim: [string, bigint][],
): bigint | undefined {
  const max = maxOf(f.width);
  switch (cls) {
    case '0':
      return 0n;
    case '1':
      return 1n;
    case 'max':
      return max;
    case 'max-1':
      return max - 1n;
    case 'top':
      return 1n << BigInt(8 * f.width - 1);
    case 'orig+1':
      return orig === max ? 0n : orig + 1n;
    case 'orig-1':
      return orig === 0n ? max : orig - 1n;
    case 'random':
      return randBig(r, f.width);
  }
  if (/^\d+$/.test(cls)) return BigInt(cls) <= max ? BigInt(cls) : undefined;
  const l = lim.find(([n]) => n === cls);
  return l && l[1] <= max ? l[1] : undefined;
}

/* A value class that would leave the field as it is does not make a case. */
function changed(
  cls: string,
  f: Field,
  orig: bigint,
  r: () => number,
  lim: [string, bigint][],
): bigint | undefined {
  const v = valueFor(cls, f, orig, r, lim);
  return v === orig ? undefined : v;
}

/* Build case INDEX (throws nothing: a plan that does not apply falls back to a flip). */
export function makeCase(img: MetaImage, seed: number, index: number, list: Plan[]): Case {
  img.reset();
  const r = rng(seed, index);
  const id = `${seed}-${index}`;
  if (index % 4 !== 3 && list.length) {
    const n = Math.floor(index / 4) * 3 + (index % 4);
    const p = list[n % list.length];
    const c = applyPlan(img, p, r, id, index);
    if (c) return c;
  }
  return flipCase(img, r, id, index);
}

function pick<T>(r: () => number, a: T[]): T {
  return a[Math.floor(r() * a.length)];
}

function applyPlan(
  img: MetaImage,
  p: Plan,
  r: () => number,
  id: string,
  index: number,
): Case | undefined {
  const base = { id, index, op: 'set', target: p.target, field: p.field, cls: p.cls, reseal: true };
  if (p.where === 'block') {
    const kind =
      p.target === 'super' ? 'super' : p.target === 'btree_block' ? 'btree' : 'extent_list';
    const b: MetaBlock = pick(
      r,
      img.blocks.filter((x) => x.kind === kind),
    );
    const codec = blockCodec(p.target);
    const f = structFields(codec).find((x) => x.path === p.field)!;
    const start = kind === 'super' ? 0 : 0;
    const orig = readUint(img.block(b.blkno), start + f.off, f.width);
    const v = changed(p.cls, f, orig, r, limits(p.target, p.where, p.field, img));
    if (v === undefined) return undefined;
    img.setBlockField(b, p.field, v);
    return {
      ...base,
      value: v.toString(),
      what: `${kind} block ${b.blkno} ${codec.NAME}.${p.field} ${orig} -> ${v}`,
      patches: new Map(img.patches),
    };
  }
  const items = img.items.filter((i) => i.kind === p.target);
  if (!items.length) return undefined;
  const it: LeafItem = p.item !== undefined ? items[p.item] : pick(r, items);
  if (!it) return undefined;
  const tree = it.tree === 'fs' ? '' : `, ${it.tree}`;
  const where = `block ${it.blkno} item ${it.index} (${it.kind} ino/first ${it.key.first}${tree})`;
  if (p.where === 'bytes') {
    const skip =
      p.target === 'xattr_hdr' ? 8 : ['dirent', 'readdir', 'backref'].includes(p.target) ? 32 : 0;
    if (it.valLen <= skip) return undefined;
    const off =
      p.cls === 'last0' || p.cls === 'lastx'
        ? it.valLen - 1
        : skip + Math.floor(r() * (it.valLen - skip));
    const byte =
      p.cls === '0' || p.cls === 'last0'
        ? 0
        : p.cls === 'slash'
          ? 0x2f
          : p.cls === 'lastx'
            ? 0x78
            : Math.floor(r() * 256);
    img.setValueBytes(it, off, Uint8Array.of(byte));
    return {
      ...base,
      value: String(byte),
      what: `${where} value byte ${off} -> ${byte}`,
      patches: new Map(img.patches),
    };
  }
  if (p.where === 'value') {
    const codec = KIND_STRUCT[it.kind]!;
    const f = structFields(codec).find((x) => x.path === p.field)!;
    if (f.off + f.width > it.valLen) return undefined;
    const orig = readUint(img.value(it), f.off, f.width);
    const v = changed(p.cls, f, orig, r, limits(p.target, p.where, p.field, img));
    if (v === undefined) return undefined;
    img.setValueField(it, p.field, v);
    return {
      ...base,
      value: v.toString(),
      what: `${where} ${codec.NAME}.${p.field} ${orig} -> ${v}`,
      patches: new Map(img.patches),
    };
  }
  const f = HEADER_FIELDS.find((x) => x.path === p.field)!;
  const orig = readUint(img.block(it.blkno), 48 + it.index * 48 + f.off, f.width);
  const v = changed(p.cls, f, orig, r, limits(p.target, p.where, p.field, img));
  if (v === undefined) return undefined;
  img.setHeaderField(it, p.field, v);
  return {
    ...base,
    value: v.toString(),
    what: `${where} header ${p.field} ${orig} -> ${v}`,
    patches: new Map(img.patches),
  };
}

function flipCase(img: MetaImage, r: () => number, id: string, index: number): Case {
  const b = pick(r, img.blocks);
  const reseal = r() < 0.7;
  const n = 1 + Math.floor(r() * r() * 16);
  const offs = img.flipBytes(b, n, r, reseal);
  return {
    id,
    index,
    op: 'flip',
    target: b.kind,
    reseal,
    what: `${b.kind} block ${b.blkno}${b.level !== undefined ? ` (level ${b.level})` : ''}: ${n} bytes flipped at ${offs.join(',')}${reseal ? ', resealed' : ', crc left stale'}`,
    patches: new Map(img.patches),
  };
}
