/*
 * The image-mutation library of the fuzzer (utils/src/lib/mutate.ts) on
 * volumes made by mkfs on image files: what it lists, and that each
 * mutation changes exactly what it says (checked by decoding the bytes
 * and by `scoutfs check` on the written image).
 */
import * as fs from 'fs';
import * as path from 'path';
import {
  BLOCK_LG_SIZE,
  BtreeItem,
  DataExtent,
  InodeItem,
  ITEM_FLAG_DELETION,
  SuperBlock,
  Timespec,
  XattrHdr,
} from '../../utils/src/gen/format';
import type { Codec } from '../../utils/src/codec';
import { inodeKey } from '../../utils/src/lib/key';
import { mkfs } from '../../utils/src/lib/mkfs';
import {
  fieldOf,
  HEADER_FIELDS,
  ITEM_KINDS,
  MetaImage,
  readUint,
  structFields,
  SUPER_LG_BLKNO,
  writeUint,
} from '../../utils/src/lib/mutate';
import { check, S_IFIFO, Volume } from './check-volume';

let vol: Volume;
beforeEach(() => {
  vol = Volume.temp();
});
afterEach(() => vol.dispose());

/* one item of every kind, an orphan included, over a three-level tree */
function rich(v: Volume): { f: bigint; gone: bigint } {
  const d = v.mkdir(1n, 'dir');
  const f = v.create(d, 'file', 10000n, 3n);
  v.link(1n, 'hardlink', f);
  v.symlink(1n, 'short', 'target');
  v.symlink(1n, 'long', 'x'.repeat(2000));
  const fifo = v.inode(v.nextIno++, S_IFIFO | 0o600);
  v.entry(1n, 'fifo', fifo, 1);
  v.xattr(f, 'user.small', 10);
  v.xattr(f, 'user.big', 5000);
  const gone = v.inode(v.nextIno++, 0o100644, { nlink: 0 });
  v.orphan(gone);
  return { f, gone };
}

test('struct fields come from the generated offsets, nested structs flattened', () => {
  const inode = structFields(InodeItem as Codec<unknown>);
  expect(inode.find((f) => f.path === 'nlink')).toEqual({
    path: 'nlink',
    off: 80,
    width: 4,
    integer: true,
    pad: false,
  });
  expect(inode.find((f) => f.path === 'atime.nsec')).toEqual({
    path: 'atime.nsec',
    off: 104 + Timespec.OFFSETS.nsec,
    width: 4,
    integer: true,
    pad: false,
  });
  expect(inode.find((f) => f.path === 'crtime._pad')).toMatchObject({
    off: 152 + 12,
    width: 4,
    pad: true,
    integer: false,
  });
  expect(inode.reduce((a, f) => a + f.width, 0)).toBe(InodeItem.SIZE);
  expect(structFields(XattrHdr as Codec<unknown>).map((f) => [f.path, f.width])).toEqual([
    ['val_len', 4],
    ['name_len', 1],
    ['_pad', 3],
  ]);
  expect(HEADER_FIELDS.map((f) => f.path)).toEqual([
    'key.first',
    'key.second',
    'key.third',
    'key.fourth',
    'key.type',
    'key.zone',
    'key._pad',
    'seq',
    'val_off',
    'val_len',
    'flags',
    '_pad',
  ]);
  expect(HEADER_FIELDS.reduce((a, f) => a + f.width, 0)).toBe(BtreeItem.SIZE);
  const sb = structFields(SuperBlock as Codec<unknown>);
  expect(sb.find((f) => f.path === 'fs_root.ref.blkno')).toMatchObject({
    off: SuperBlock.OFFSETS.fs_root,
    width: 8,
    integer: true,
  });
  expect(sb.find((f) => f.path === 'uuid')).toMatchObject({ width: 16, integer: false });
  expect(() => fieldOf(InodeItem as Codec<unknown>, 'nope')).toThrow(/InodeItem has no field nope/);
});

test('writeUint and readUint are little-endian and refuse values that do not fit', () => {
  const b = new Uint8Array(8);
  writeUint(b, 0, 8, 0x0102030405060708n);
  expect([...b]).toEqual([8, 7, 6, 5, 4, 3, 2, 1]);
  expect(readUint(b, 0, 8)).toBe(0x0102030405060708n);
  writeUint(b, 2, 2, 0xffffn);
  expect(readUint(b, 2, 2)).toBe(0xffffn);
  expect(() => writeUint(b, 0, 2, 0x10000n)).toThrow(RangeError);
  expect(() => writeUint(b, 0, 1, -1n)).toThrow(RangeError);
  expect(() => writeUint(b, 7, 2, 1n)).toThrow(RangeError);
});

test('a fresh mkfs volume: the super block, one leaf, the root inode and its index item', () => {
  const meta = path.join(vol.dir, 'm.img');
  const data = path.join(vol.dir, 'd.img');
  for (const [f, n] of [
    [meta, 64 << 20],
    [data, 16 << 20],
  ] as const) {
    fs.writeFileSync(f, '');
    fs.truncateSync(f, n);
  }
  mkfs({
    metaPath: meta,
    dataPath: data,
    quorum: [{ nr: 0, addr: '127.0.0.1', port: 1 }],
    force: true,
  });
  const img = MetaImage.open(meta);
  try {
    expect(img.blocks[0]).toEqual({ kind: 'super', blkno: SUPER_LG_BLKNO });
    expect(img.blocks.filter((b) => b.kind === 'btree')).toHaveLength(1);
    expect(img.items.map((i) => [i.kind, i.key.first, i.key.third])).toEqual([
      ['meta_seq', 0n, 1n],
      ['inode', 1n, 0n],
    ]);
    const inode = img.items[1];
    expect(inode.struct).toBe('InodeItem');
    expect(inode.valLen).toBe(InodeItem.SIZE);
    expect(InodeItem.decode(img.value(inode)).nlink).toBe(2);
  } finally {
    img.close();
  }
});

test('every item kind of a rich volume is listed with its block, index and value', () => {
  rich(vol);
  const w = vol.write({ fanout: 5 });
  const img = MetaImage.open(w.meta);
  try {
    const kinds = new Set(img.items.map((i) => i.kind));
    /* LogTrees records only in a forest (below) */
    for (const k of ITEM_KINDS.filter((k) => k !== 'log_trees')) expect(kinds).toContain(k);
    expect(img.items).toHaveLength(vol.items.length);
    expect(new Set(img.items.map((i) => i.tree))).toEqual(new Set(['fs']));
    expect(img.items.filter((i) => i.kind === 'unknown')).toEqual([]);
    /* leaves in key order, indexes within each leaf from 0 */
    for (const it of img.items) expect(w.leaves).toContain(it.blkno);
    expect(img.blocks.filter((b) => b.kind === 'btree').length).toBe(w.treeBlocks.flat().length);
    expect(img.blocks.filter((b) => b.kind === 'extent_list').map((b) => b.blkno)).toEqual(
      w.listBlocks,
    );
    const x = img.items.filter((i) => i.kind === 'xattr_hdr');
    expect(x.map((i) => XattrHdr.decode(img.value(i)).val_len).sort()).toEqual([10, 5000]);
    expect(img.items.filter((i) => i.kind === 'xattr_part')).toHaveLength(5);
    expect(img.items.filter((i) => i.kind === 'symlink').map((i) => i.valLen)).toEqual([
      7, 896, 896, 209,
    ]);
    const ext = img.items.find((i) => i.kind === 'extent')!;
    expect(DataExtent.decode(img.value(ext)).blkno).toBe(64n);
    /* the value offsets are the ones in the block */
    for (const it of img.items) {
      const b = img.block(it.blkno);
      const h = BtreeItem.decode(b, 48 + it.index * BtreeItem.SIZE);
      expect([h.val_off, h.val_len, h.seq]).toEqual([it.valOff, it.valLen, it.seq]);
    }
  } finally {
    img.close();
  }
});

test('the blocks and items of logs_root and the log btrees are listed with their trees', () => {
  const { f } = rich(vol);
  const log = vol.log(0x99n, 4n);
  log.add(inodeKey(f), vol.find(inodeKey(f))!.value).marker(inodeKey(5000n));
  vol.log(0x99n, 5n);
  const w = vol.write({ fanout: 5 });
  expect(check(w).problems).toEqual([]);
  const img = MetaImage.open(w.meta);
  try {
    const tree = (t: string) => img.items.filter((i) => i.tree === t);
    expect(tree('fs')).toHaveLength(vol.items.length);
    expect(tree('logs_root').map((i) => [i.kind, i.struct, i.key.first, i.key.second])).toEqual([
      ['log_trees', 'LogTrees', 0x99n, 4n],
      ['log_trees', 'LogTrees', 0x99n, 5n],
    ]);
    const items = tree('log btree rid 0x0000000000000099 nr 4');
    expect(items.map((i) => [i.kind, i.key.first, i.flags, i.valLen])).toEqual([
      ['inode', f, 0, InodeItem.SIZE],
      ['inode', 5000n, ITEM_FLAG_DELETION, 0],
    ]);
    const btree = img.blocks.filter((b) => b.kind === 'btree');
    expect(btree.map((b) => b.blkno).sort((a, b) => (a < b ? -1 : 1))).toEqual(
      [...w.treeBlocks.flat(), ...w.logsRootBlocks, ...w.logs.flatMap((l) => l.blocks)].sort(
        (a, b) => (a < b ? -1 : 1),
      ),
    );
    expect(btree.find((b) => b.blkno === w.logs[0].blocks[0])?.tree).toBe(
      'log btree rid 0x0000000000000099 nr 4',
    );
    /* the merged view: the log's copy of f's inode, not the marker, every other fs item */
    const visible = img.visibleItems();
    expect(visible).toHaveLength(vol.items.length);
    expect(visible.find((i) => i.kind === 'inode' && i.key.first === f)?.tree).toBe(
      'log btree rid 0x0000000000000099 nr 4',
    );
    expect(visible.filter((i) => i.tree === 'logs_root' || i.flags)).toEqual([]);
    /* a LogTrees field set through the item: check reports it with its tree */
    img.setValueField(tree('logs_root')[0], 'flags', 4n);
    const out = path.join(vol.dir, 'mut.img');
    img.writeTo(out);
    expect(check({ meta: out, data: w.data }).problems).toEqual([
      'log btree rid 0x0000000000000099 nr 4: flags has bits outside LOG_TREES_FINALIZED (0x1), found 4',
    ]);
  } finally {
    img.close();
  }
});

test('setting a value field changes that field only, resealed: check reports exactly it', () => {
  const { f } = rich(vol);
  const w = vol.write();
  const img = MetaImage.open(w.meta);
  const inode = img.items.find((i) => i.kind === 'inode' && i.key.first === f)!;
  const before = Uint8Array.from(img.block(inode.blkno));
  img.setValueField(inode, 'nlink', 7n);
  expect(InodeItem.decode(img.value(inode)).nlink).toBe(7);
  expect(img.crcOk(inode.blkno)).toBe(true);
  const after = img.block(inode.blkno);
  const diff = [...after.keys()].filter((i) => after[i] !== before[i]);
  /* the nlink byte and the crc bytes */
  expect(diff.filter((i) => i >= 4)).toEqual([inode.valOff + InodeItem.OFFSETS.nlink]);
  const out = path.join(vol.dir, 'mut.img');
  img.writeTo(out);
  img.close();
  expect(check({ meta: out, data: w.data }).problems).toEqual([
    `inode ${f}: nlink 7, but 2 link backrefs`,
  ]);
  expect(check({ meta: w.meta, data: w.data }).problems).toEqual([]);
});

test('not resealing leaves a bad checksum, which check reports', () => {
  const { f } = rich(vol);
  const w = vol.write();
  const img = MetaImage.open(w.meta);
  const ext = img.items.find((i) => i.kind === 'extent' && i.key.first === f)!;
  img.setValueField(ext, 'blkno', 1n << 40n, false);
  expect(img.crcOk(ext.blkno)).toBe(false);
  const out = path.join(vol.dir, 'mut.img');
  img.writeTo(out);
  img.close();
  expect(check({ meta: out, data: w.data }).problems[0]).toMatch(
    new RegExp(`^btree block ${ext.blkno} \\(referenced by root\\): bad checksum`),
  );
});

test('item header fields: val_len, flags and seq', () => {
  const { f } = rich(vol);
  const w = vol.write();
  const img = MetaImage.open(w.meta);
  const x = img.items.find(
    (i) =>
      i.kind === 'xattr_hdr' && i.key.first === f && XattrHdr.decode(img.value(i)).val_len === 10,
  )!;
  img.setHeaderField(x, 'flags', 1n);
  img.setHeaderField(x, 'seq', 0xffffffffffffffffn);
  const b = img.block(x.blkno);
  const h = BtreeItem.decode(b, 48 + x.index * BtreeItem.SIZE);
  expect([h.flags, h.seq, h.val_len]).toEqual([1, 0xffffffffffffffffn, 28]);
  img.setHeaderField(x, 'val_len', 27n);
  expect(BtreeItem.decode(img.block(x.blkno), 48 + x.index * BtreeItem.SIZE).val_len).toBe(27);
  expect(() => img.setHeaderField(x, 'val_len', 0x10000n)).toThrow(RangeError);
  expect(img.crcOk(x.blkno)).toBe(true);
  const out = path.join(vol.dir, 'mut.img');
  img.writeTo(out);
  img.close();
  const problems = check({ meta: out, data: w.data }).problems;
  expect(problems).toContainEqual(expect.stringMatching(/a deletion marker in the fs btree/));
});

test('value fields are refused where a kind has no struct or the value is too short', () => {
  rich(vol);
  const w = vol.write();
  const img = MetaImage.open(w.meta);
  try {
    const orphan = img.items.find((i) => i.kind === 'orphan')!;
    expect(() => img.setValueField(orphan, 'nlink', 1n)).toThrow(/orphan item value has no struct/);
    const inode = img.items.find((i) => i.kind === 'inode')!;
    expect(() => img.setValueField(inode, 'nlink', 1n << 32n)).toThrow(RangeError);
    expect(img.patches.size).toBe(0);
  } finally {
    img.close();
  }
});

test('byte flips in the super, a btree block and an extent list, resealed or not', () => {
  rich(vol);
  const w = vol.write();
  const img = MetaImage.open(w.meta);
  let seed = 1;
  const rand = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (const kind of ['super', 'btree', 'extent_list'] as const) {
    for (const reseal of [true, false]) {
      img.reset();
      const b = img.blocks.find((x) => x.kind === kind)!;
      const offs = img.flipBytes(b, 3, rand, reseal);
      expect(offs).toHaveLength(3);
      const limit = kind === 'super' ? 4096 : BLOCK_LG_SIZE;
      for (const o of offs) expect(o).toBeGreaterThanOrEqual(0);
      for (const o of offs) expect(o).toBeLessThan(limit);
      /* only the flipped bytes (and the crc) changed */
      const orig = img.original(b.blkno);
      const now = img.block(b.blkno);
      const changed = [...now.keys()].filter((i) => i >= 4 && now[i] !== orig[i]);
      for (const i of changed) expect(offs).toContain(i);
      if (new Set(offs).size === offs.length)
        expect(changed.length).toBe(offs.filter((o) => o >= 4).length);
      if (reseal) expect(img.crcOk(b.blkno)).toBe(true);
      else if (offs.some((o) => o >= 4)) expect(img.crcOk(b.blkno)).toBe(false);
    }
  }
  /* a resealed super block with a changed field: check names it */
  img.reset();
  img.setBlockField(img.blocks[0], 'next_ino', 5n);
  expect(img.crcOk(SUPER_LG_BLKNO)).toBe(true);
  const out = path.join(vol.dir, 'mut.img');
  img.writeTo(out);
  img.close();
  expect(check({ meta: out, data: w.data }).problems).toContainEqual(
    expect.stringMatching(/next_ino 5 is below 1024/),
  );
});
