/*
 * print: a read-only, best-effort dump of a metadata device for debugging:
 * super block, quorum blocks, free extent lists, every fs btree item
 * decoded by type, logs_root's LogTrees records and every log btree's
 * items (deletion markers included: these are the trees as stored, not
 * their merged view).  Problems found on the way are printed in place and the
 * dump goes on; the caller learns whether any were found.
 */
import {
  BlockRef,
  BtreeRoot,
  DataExtent,
  Dirent,
  ExtentFlag,
  FsItemType,
  IndexItemType,
  InodeItem,
  ITEM_FLAG_DELETION,
  KeyZone,
  LOG_TREES_FINALIZED,
  LogTrees,
  QUORUM_MAX_SLOTS,
  QuorumAddrFamily,
  QuorumEvent,
  SUPER_FLAG_META_DEV,
  SuperBlock,
  XattrHdr,
} from '../gen/format';
import { FORMAT_HASH } from '../gen/hash';
import { Item, treeItems, walkTree } from './btree';
import { Device } from './device';
import { compareKeys, keyString } from './key';
import { hex64, readExtentList, readMetaBlock, readQuorumBlock } from './volume';

const hexBytes = (b: Uint8Array) => Buffer.from(b).toString('hex');

function uuidString(u: Uint8Array): string {
  const h = hexBytes(u);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function printable(b: Uint8Array): string {
  return JSON.stringify(Buffer.from(b).toString('latin1'));
}

function ipv4(n: number): string {
  return [24, 16, 8, 0].map((s) => (n >>> s) & 0xff).join('.');
}

/* Flatten a decoded struct into "name=value" pairs. */
export function fields(obj: object, prefix = ''): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(obj)) {
    if (v instanceof Uint8Array) out.push(`${prefix}${k}=${hexBytes(v)}`);
    else if (Array.isArray(v))
      v.forEach((e, i) =>
        out.push(
          ...(typeof e === 'object'
            ? fields(e as object, `${prefix}${k}[${i}].`)
            : [`${prefix}${k}[${i}]=${e}`]),
        ),
      );
    else if (typeof v === 'object' && v !== null)
      out.push(...fields(v as object, `${prefix}${k}.`));
    else out.push(`${prefix}${k}=${v}`);
  }
  return out;
}

export function describeItem(it: Item): string {
  const k = it.key;
  if (it.flags & ITEM_FLAG_DELETION) return 'deletion marker';
  try {
    if (k.zone === KeyZone.INODE_INDEX) {
      const name =
        k.type === IndexItemType.META_SEQ
          ? 'meta_seq'
          : k.type === IndexItemType.DATA_SEQ
            ? 'data_seq'
            : `type ${k.type}`;
      return `${name} ${k.second} ino ${k.third}`;
    }
    if (k.zone === KeyZone.ORPHAN) return `orphan ino ${k.second}`;
    if (k.zone === KeyZone.FS) {
      switch (k.type) {
        case FsItemType.INODE: {
          const i = InodeItem.decode(it.value);
          return (
            `inode mode=0${i.mode.toString(8)} ` +
            fields(i)
              .filter((f) => !f.startsWith('mode='))
              .join(' ')
          );
        }
        case FsItemType.DIRENT:
        case FsItemType.READDIR:
        case FsItemType.LINK_BACKREF: {
          const d = Dirent.decode(it.value);
          const name = it.value.subarray(Dirent.OFFSETS.name);
          return `dirent ino=${d.ino} hash=0x${d.hash.toString(16)} pos=${d.pos} type=${d.type} name=${printable(name)}`;
        }
        case FsItemType.XATTR: {
          if (k.fourth !== 0)
            return `xattr id=${k.third} part=${k.fourth} ${it.value.length} value bytes`;
          const x = XattrHdr.decode(it.value);
          const name = it.value.subarray(XattrHdr.SIZE, XattrHdr.SIZE + x.name_len);
          return `xattr id=${k.third} name=${printable(name)} val_len=${x.val_len}`;
        }
        case FsItemType.SYMLINK:
          return `symlink part=${k.second} target=${printable(it.value)}`;
        case FsItemType.DATA_EXTENT: {
          const e = DataExtent.decode(it.value);
          const flags = [
            e.flags & ExtentFlag.OFFLINE ? 'offline' : '',
            e.flags & ExtentFlag.UNWRITTEN ? 'unwritten' : '',
          ].filter(Boolean);
          const len = k.third;
          return `extent iblocks [${k.second - len + 1n}, ${k.second}] blkno=${e.blkno}${flags.length ? ' ' + flags.join(',') : ''}`;
        }
      }
    }
  } catch (e) {
    return `UNDECODABLE: ${(e as Error).message}`;
  }
  return `${it.value.length} value bytes`;
}

export function printSuper(sb: SuperBlock, out: (s: string) => void): void {
  const h = sb.hdr;
  out(`super block:`);
  out(
    `  hdr: magic=0x${h.magic.toString(16)} crc=0x${h.crc.toString(16)} fsid=${hex64(h.fsid)} seq=${h.seq} blkno=${h.blkno}`,
  );
  out(
    `  format_hash: ${hex64(sb.format_hash)}${sb.format_hash === FORMAT_HASH ? ' (matches these utilities)' : ` (these utilities: ${hex64(FORMAT_HASH)})`}`,
  );
  out(`  version: ${sb.version}`);
  out(
    `  flags: 0x${sb.flags.toString(16)}${sb.flags & BigInt(SUPER_FLAG_META_DEV) ? ' (META_DEV)' : ''}`,
  );
  out(`  uuid: ${uuidString(sb.uuid)}`);
  out(`  seq: ${sb.seq}`);
  out(`  next_ino: ${sb.next_ino}`);
  out(`  inode_count: ${sb.inode_count}`);
  out(
    `  total_meta_blocks: ${sb.total_meta_blocks} (64 KiB) first_meta_blkno: ${sb.first_meta_blkno}`,
  );
  out(
    `  total_data_blocks: ${sb.total_data_blocks} (4 KiB) first_data_blkno: ${sb.first_data_blkno}`,
  );
  out(`  quorum config version ${sb.quorum.version}:`);
  sb.quorum.slots.forEach((s, i) => {
    if (s.family === QuorumAddrFamily.IPV4) out(`    slot ${i}: ${ipv4(s.addr)}:${s.port}`);
    else if (s.family !== QuorumAddrFamily.UNUSED)
      out(`    slot ${i}: unknown address family ${s.family}`);
  });
  const ref = (r: BlockRef) => `blkno=${r.blkno} seq=${r.seq}`;
  out(
    `  meta_free: ${ref(sb.meta_free.ref)} extents=${sb.meta_free.nr_extents} free=${sb.meta_free.total_free}`,
  );
  out(
    `  data_free: ${ref(sb.data_free.ref)} extents=${sb.data_free.nr_extents} free=${sb.data_free.total_free}`,
  );
  out(
    `  meta_freed: ${ref(sb.meta_freed.ref)} extents=${sb.meta_freed.nr_extents} free=${sb.meta_freed.total_free}`,
  );
  out(
    `  data_freed: ${ref(sb.data_freed.ref)} extents=${sb.data_freed.nr_extents} free=${sb.data_freed.total_free}`,
  );
  out(`  fs_root: ${ref(sb.fs_root.ref)} height=${sb.fs_root.height}`);
  out(`  logs_root: ${ref(sb.logs_root.ref)} height=${sb.logs_root.height}`);
}

/* Returns the number of problems found. */
/*
 * merged: after the trees, every item that exists as the kernel reads it
 * (of all copies of a key the newest; a deletion marker hides the key).
 */
export function printVolume(
  dev: Device,
  sb: SuperBlock,
  out: (s: string) => void,
  merged = false,
): number {
  let problems = 0;
  const fsid = sb.hdr.fsid;
  printSuper(sb, out);

  out('quorum blocks:');
  for (let slot = 0; slot < QUORUM_MAX_SLOTS; slot++) {
    const qb = readQuorumBlock(dev, slot, fsid);
    if (typeof qb === 'string') {
      out(`  slot ${slot}: PROBLEM: ${qb}`);
      problems++;
      continue;
    }
    const events = qb.events
      .map((e, i) =>
        e.term || e.rid ? `${QuorumEvent[i] ?? i}(term=${e.term} rid=${hex64(e.rid)})` : '',
      )
      .filter(Boolean);
    out(
      `  slot ${slot}: write_nr=${qb.write_nr}${events.length ? ' ' + events.join(' ') : ' no events'}`,
    );
  }

  for (const [name, root] of [
    ['meta', sb.meta_free],
    ['data', sb.data_free],
    ['meta freed', sb.meta_freed],
    ['data freed', sb.data_freed],
  ] as const) {
    out(`${name} free extents:`);
    try {
      for (const e of readExtentList(dev, root, fsid))
        out(`  [${e.blkno}, ${e.blkno + e.len - 1n}] len=${e.len}`);
    } catch (e) {
      out(`  PROBLEM: ${(e as Error).message}`);
      problems++;
    }
  }

  /* a tree's blocks and items, parents first; leaf items described by `leaf` */
  const tree = (root: BtreeRoot, leaf: (it: Item) => string): void => {
    try {
      walkTree(
        root,
        fsid,
        (blkno) => readMetaBlock(dev, blkno),
        (b) => {
          out(`  btree block ${b.blkno} level ${b.level} items ${b.items.length}`);
          for (const it of b.items) {
            const desc = b.level > 0 ? `child ${BlockRef.decode(it.value).blkno}` : leaf(it);
            out(`    ${keyString(it.key)} seq=${it.seq}: ${desc}`);
          }
        },
      );
    } catch (e) {
      out(`  PROBLEM: ${(e as Error).message}`);
      problems++;
    }
  };

  out('fs items:');
  tree(sb.fs_root, describeItem);

  /* the forest: logs_root's records, then each log btree's items (deletion markers too) */
  const logs: LogTrees[] = [];
  if (sb.logs_root.height === 0) {
    out('log btrees: none');
  } else {
    out('log btrees:');
    tree(sb.logs_root, (it) => {
      if (it.value.length !== LogTrees.SIZE || it.flags & ITEM_FLAG_DELETION)
        return `not a LogTrees record (${it.value.length} value bytes, flags ${it.flags})`;
      const r = LogTrees.decode(it.value);
      logs.push(r);
      return describeLogTrees(r);
    });
  }
  for (const r of logs) {
    out(`log btree rid 0x${hex64(r.rid)} nr ${r.nr} items:`);
    tree(r.item_root, describeItem);
  }
  if (merged) {
    out('merged items:');
    try {
      const read = (blkno: bigint): Uint8Array => readMetaBlock(dev, blkno);
      const newest = new Map<string, Item>();
      for (const root of [sb.fs_root, ...logs.map((r) => r.item_root)]) {
        for (const it of treeItems(root, fsid, read)) {
          const k = keyString(it.key);
          const have = newest.get(k);
          if (!have || it.seq > have.seq) newest.set(k, it);
        }
      }
      const items = [...newest.values()]
        .filter((it) => !(it.flags & ITEM_FLAG_DELETION))
        .sort((a, b) => compareKeys(a.key, b.key));
      for (const it of items) out(`    ${keyString(it.key)} seq=${it.seq}: ${describeItem(it)}`);
    } catch (e) {
      out(`  PROBLEM: ${(e as Error).message}`);
      problems++;
    }
  }
  return problems;
}

/* One LogTrees record: its log btree, seqs, flags and root (its allocators when used). */
export function describeLogTrees(r: LogTrees): string {
  const flags = r.flags & BigInt(LOG_TREES_FINALIZED) ? ' (FINALIZED)' : '';
  const root = r.item_root;
  let s =
    `log btree rid=0x${hex64(r.rid)} nr=${r.nr} get_trans_seq=${r.get_trans_seq} ` +
    `commit_trans_seq=${r.commit_trans_seq} max_item_seq=${r.max_item_seq} ` +
    `inode_count_delta=${BigInt.asIntN(64, r.inode_count_delta)} flags=0x${r.flags.toString(16)}${flags} ` +
    `item_root: blkno=${root.ref.blkno} seq=${root.ref.seq} height=${root.height}`;
  const rest = fields({
    meta_avail: r.meta_avail,
    meta_freed: r.meta_freed,
    data_avail: r.data_avail,
    data_freed: r.data_freed,
    bloom_ref: r.bloom_ref,
  }).filter((f) => !f.endsWith('=0'));
  if (rest.length) s += ' ' + rest.join(' ');
  return s;
}
