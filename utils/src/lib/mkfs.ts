/*
 * mkfs: write a complete, empty volume.
 *
 * Metadata device (64 KiB blocks from META_DEV_START_BLKNO):
 *   super block (4 KiB at 64 KiB), 15 quorum blocks after it,
 *   block 2: fs btree leaf with the root inode and its meta_seq index item,
 *   block 3: metadata free extent list, block 4: data free extent list,
 *   blocks 5.. free.
 * Data device: a super block without the META_DEV flag; 4 KiB data blocks
 * from DATA_DEV_START_BLKNO are free.
 * The metadata is written first and the super blocks last (data, then
 * metadata), each followed by fsync, so a volume whose mkfs was interrupted
 * has no valid super on the metadata device.
 */
import { randomBytes } from 'crypto';
import {
  BLOCK_LG_SHIFT,
  BLOCK_LG_SIZE,
  BLOCK_SM_SHIFT,
  BLOCK_SM_SIZE,
  BlockMagic,
  DATA_DEV_START_BLKNO,
  ExtentListBlock,
  FIRST_USER_INO,
  FORMAT_VERSION_MAX,
  FreeExtent,
  InodeItem,
  META_DEV_START_BLKNO,
  MIN_DATA_DEV_BYTES,
  MIN_META_DEV_BYTES,
  QUORUM_BLKNO,
  QUORUM_MAX_SLOTS,
  QuorumAddrFamily,
  QuorumBlock,
  QuorumSlot,
  ROOT_INO,
  SUPER_BLKNO,
  SUPER_FLAG_META_DEV,
  SuperBlock,
  Timespec,
} from '../gen/format';
import { FORMAT_HASH } from '../gen/hash';
import { buildLeaf } from './btree';
import { sealBlock } from './crc';
import { closeDevice, Device, openDevice, readAt, syncDevice, writeAt } from './device';
import { UserError } from './errors';
import { inodeKey, metaSeqKey } from './key';
import { hex64, SUPER_OFFSET } from './volume';

export interface QuorumSlotArg {
  nr: number;
  addr: string;
  port: number;
}

export interface MkfsOptions {
  metaPath: string;
  dataPath: string;
  quorum: QuorumSlotArg[];
  force: boolean;
  maxMetaBytes?: bigint;
  maxDataBytes?: bigint;
  /* for reproducible tests */
  now?: Date;
  fsid?: bigint;
  uuid?: Uint8Array;
}

export interface MkfsResult {
  fsid: bigint;
  uuid: Uint8Array;
  totalMetaBlocks: bigint;
  totalDataBlocks: bigint;
  quorum: QuorumSlotArg[];
}

const MKFS_SEQ = 1n;

/* "NR,ADDR,PORT" as given to -Q */
export function parseQuorumArg(text: string): QuorumSlotArg {
  const parts = text.split(',');
  if (parts.length !== 3)
    throw new UserError(`-Q '${text}': expected NR,ADDR,PORT (e.g. 0,127.0.0.1,12345)`);
  const [nrText, addr, portText] = parts.map((p) => p.trim());
  if (!/^[0-9]+$/.test(nrText) || Number(nrText) >= QUORUM_MAX_SLOTS)
    throw new UserError(`-Q '${text}': slot number '${nrText}' must be 0..${QUORUM_MAX_SLOTS - 1}`);
  const octets = addr.split('.');
  if (octets.length !== 4 || octets.some((o) => !/^[0-9]{1,3}$/.test(o) || Number(o) > 255))
    throw new UserError(`-Q '${text}': address '${addr}' is not an IPv4 address (a.b.c.d)`);
  if (!/^[0-9]+$/.test(portText) || Number(portText) < 1 || Number(portText) > 65535)
    throw new UserError(`-Q '${text}': port '${portText}' must be 1..65535`);
  return { nr: Number(nrText), addr, port: Number(portText) };
}

export function checkQuorum(slots: QuorumSlotArg[]): void {
  if (slots.length === 0)
    throw new UserError('at least one quorum slot is needed: -Q NR,ADDR,PORT');
  const bySlot = new Map<number, QuorumSlotArg>();
  const byAddr = new Map<string, QuorumSlotArg>();
  for (const s of slots) {
    if (bySlot.has(s.nr)) throw new UserError(`-Q: slot ${s.nr} is given more than once`);
    bySlot.set(s.nr, s);
    const a = `${s.addr}:${s.port}`;
    const prev = byAddr.get(a);
    if (prev) throw new UserError(`-Q: slots ${prev.nr} and ${s.nr} both use ${a}`);
    byAddr.set(a, s);
  }
}

function ipv4ToNumber(addr: string): number {
  return addr.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
}

/* A description of a filesystem already on the device, if any. */
export function existingSignature(dev: Device): string | undefined {
  const probe = (off: bigint, len: number) =>
    dev.size >= off + BigInt(len) ? readAt(dev, off, len) : undefined;
  const sup = probe(SUPER_OFFSET, BLOCK_SM_SIZE);
  if (sup && SuperBlock.decode(sup).hdr.magic === BlockMagic.SUPER) {
    const sb = SuperBlock.decode(sup);
    return `a scoutfs filesystem (fsid ${hex64(sb.hdr.fsid)})`;
  }
  const ext = probe(1080n, 2);
  if (ext && ext[0] === 0x53 && ext[1] === 0xef) return 'an ext2/3/4 filesystem';
  const xfs = probe(0n, 4);
  if (xfs && Buffer.from(xfs).toString('latin1') === 'XFSB') return 'an XFS filesystem';
  const btrfs = probe(65600n, 8);
  if (btrfs && Buffer.from(btrfs).toString('latin1') === '_BHRfS_M') return 'a btrfs filesystem';
  return undefined;
}

function timespec(d: Date): Timespec {
  const ms = BigInt(d.getTime());
  return { sec: ms / 1000n, nsec: Number(ms % 1000n) * 1_000_000 };
}

function extentListBlock(extents: FreeExtent[], fsid: bigint, blkno: bigint): Uint8Array {
  const block = new Uint8Array(BLOCK_LG_SIZE);
  ExtentListBlock.encode(
    {
      hdr: { crc: 0, magic: BlockMagic.EXTENT_LIST, fsid, seq: MKFS_SEQ, blkno },
      next: { blkno: 0n, seq: 0n },
      nr: extents.length,
    },
    block,
  );
  extents.forEach((e, i) =>
    FreeExtent.encode(e, block, ExtentListBlock.OFFSETS.extents + i * FreeExtent.SIZE),
  );
  return sealBlock(block);
}

export function mkfs(opts: MkfsOptions): MkfsResult {
  checkQuorum(opts.quorum);
  if (opts.metaPath === opts.dataPath)
    throw new UserError('the metadata and data devices must be different');
  const meta = openDevice('metadata device', opts.metaPath, true);
  let data: Device | undefined;
  try {
    data = openDevice('data device', opts.dataPath, true);
    return writeVolume(meta, data, opts);
  } finally {
    closeDevice(meta);
    if (data) closeDevice(data);
  }
}

function writeVolume(meta: Device, data: Device, opts: MkfsOptions): MkfsResult {
  const metaBytes =
    opts.maxMetaBytes !== undefined && opts.maxMetaBytes < meta.size
      ? opts.maxMetaBytes
      : meta.size;
  const dataBytes =
    opts.maxDataBytes !== undefined && opts.maxDataBytes < data.size
      ? opts.maxDataBytes
      : data.size;
  if (metaBytes < MIN_META_DEV_BYTES)
    throw new UserError(
      `metadata device '${meta.path}': ${metaBytes} bytes is too small, at least ${MIN_META_DEV_BYTES} are needed`,
    );
  if (dataBytes < MIN_DATA_DEV_BYTES)
    throw new UserError(
      `data device '${data.path}': ${dataBytes} bytes is too small, at least ${MIN_DATA_DEV_BYTES} are needed`,
    );
  if (!opts.force) {
    for (const [what, dev] of [
      ['metadata', meta],
      ['data', data],
    ] as const) {
      const sig = existingSignature(dev);
      if (sig)
        throw new UserError(
          `${what} device '${dev.path}' already contains ${sig}; use --force to overwrite it`,
        );
    }
  }

  const fsid = opts.fsid ?? randomBytes(8).readBigUInt64LE();
  const uuid = opts.uuid ?? new Uint8Array(randomBytes(16));
  const now = timespec(opts.now ?? new Date());
  const totalMeta = metaBytes >> BigInt(BLOCK_LG_SHIFT);
  const totalData = dataBytes >> BigInt(BLOCK_SM_SHIFT);
  const rootBlkno = BigInt(META_DEV_START_BLKNO);
  const metaListBlkno = rootBlkno + 1n;
  const dataListBlkno = rootBlkno + 2n;
  const firstFreeMeta = rootBlkno + 3n;
  const hdr = (magic: number, blkno: bigint) => ({ crc: 0, magic, fsid, seq: MKFS_SEQ, blkno });

  /* quorum blocks: empty event logs for every slot */
  for (let i = 0; i < QUORUM_MAX_SLOTS; i++) {
    const blkno = BigInt(QUORUM_BLKNO + i);
    const qb = QuorumBlock.encode(
      { ...QuorumBlock.zero(), hdr: hdr(BlockMagic.QUORUM, blkno) },
      new Uint8Array(BLOCK_SM_SIZE),
    );
    writeAt(meta, blkno << BigInt(BLOCK_SM_SHIFT), sealBlock(qb));
  }

  /* the fs btree: root directory inode and its meta_seq index item */
  const root: InodeItem = {
    ...InodeItem.zero(),
    meta_seq: MKFS_SEQ,
    next_readdir_pos: 2n,
    next_xattr_id: 1n,
    nlink: 2,
    mode: 0o040755,
    atime: now,
    ctime: now,
    mtime: now,
    crtime: now,
  };
  const ino = BigInt(ROOT_INO);
  const leaf = buildLeaf(
    [
      { key: inodeKey(ino), seq: MKFS_SEQ, flags: 0, value: InodeItem.encode(root) },
      { key: metaSeqKey(MKFS_SEQ, ino), seq: MKFS_SEQ, flags: 0, value: new Uint8Array(0) },
    ],
    fsid,
    rootBlkno,
    MKFS_SEQ,
  );
  writeAt(meta, rootBlkno << BigInt(BLOCK_LG_SHIFT), leaf);

  const metaFree: FreeExtent[] =
    totalMeta > firstFreeMeta ? [{ blkno: firstFreeMeta, len: totalMeta - firstFreeMeta }] : [];
  const dataStart = BigInt(DATA_DEV_START_BLKNO);
  const dataFree: FreeExtent[] =
    totalData > dataStart ? [{ blkno: dataStart, len: totalData - dataStart }] : [];
  writeAt(
    meta,
    metaListBlkno << BigInt(BLOCK_LG_SHIFT),
    extentListBlock(metaFree, fsid, metaListBlkno),
  );
  writeAt(
    meta,
    dataListBlkno << BigInt(BLOCK_LG_SHIFT),
    extentListBlock(dataFree, fsid, dataListBlkno),
  );
  syncDevice(meta);

  const slots: QuorumSlot[] = Array.from({ length: QUORUM_MAX_SLOTS }, () => QuorumSlot.zero());
  for (const q of opts.quorum)
    slots[q.nr] = { addr: ipv4ToNumber(q.addr), port: q.port, family: QuorumAddrFamily.IPV4 };
  const sum = (l: FreeExtent[]) => l.reduce((a, e) => a + e.len, 0n);
  const sb: SuperBlock = {
    hdr: hdr(BlockMagic.SUPER, BigInt(SUPER_BLKNO)),
    format_hash: FORMAT_HASH,
    version: BigInt(FORMAT_VERSION_MAX),
    flags: 0n,
    uuid,
    seq: MKFS_SEQ + 1n,
    next_ino: BigInt(FIRST_USER_INO),
    inode_count: 1n,
    total_meta_blocks: totalMeta,
    first_meta_blkno: rootBlkno,
    total_data_blocks: totalData,
    first_data_blkno: dataStart,
    quorum: { version: 1n, slots },
    meta_free: {
      ref: { blkno: metaListBlkno, seq: MKFS_SEQ },
      nr_extents: BigInt(metaFree.length),
      total_free: sum(metaFree),
    },
    data_free: {
      ref: { blkno: dataListBlkno, seq: MKFS_SEQ },
      nr_extents: BigInt(dataFree.length),
      total_free: sum(dataFree),
    },
    meta_freed: { ref: { blkno: 0n, seq: 0n }, nr_extents: 0n, total_free: 0n },
    data_freed: { ref: { blkno: 0n, seq: 0n }, nr_extents: 0n, total_free: 0n },
    fs_root: { ref: { blkno: rootBlkno, seq: MKFS_SEQ }, height: 1 },
    logs_root: { ref: { blkno: 0n, seq: 0n }, height: 0 },
  };
  writeAt(data, SUPER_OFFSET, sealBlock(SuperBlock.encode(sb, new Uint8Array(BLOCK_SM_SIZE))));
  syncDevice(data);
  const metaSb = { ...sb, flags: BigInt(SUPER_FLAG_META_DEV) };
  writeAt(meta, SUPER_OFFSET, sealBlock(SuperBlock.encode(metaSb, new Uint8Array(BLOCK_SM_SIZE))));
  syncDevice(meta);

  return {
    fsid,
    uuid,
    totalMetaBlocks: totalMeta,
    totalDataBlocks: totalData,
    quorum: [...opts.quorum].sort((a, b) => a.nr - b.nr),
  };
}
