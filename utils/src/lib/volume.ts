/*
 * Reading a volume's fixed structures: super blocks, quorum blocks and
 * extent lists, with every check that mount does.
 */
import {
  BLOCK_LG_SHIFT,
  BLOCK_LG_SIZE,
  BLOCK_SM_SHIFT,
  BLOCK_SM_SIZE,
  BlockMagic,
  ExtentListBlock,
  ExtentListRoot,
  FORMAT_VERSION_MAX,
  FORMAT_VERSION_MIN,
  FreeExtent,
  QUORUM_BLKNO,
  QUORUM_MAX_SLOTS,
  QuorumBlock,
  SUPER_BLKNO,
  SUPER_FLAG_META_DEV,
  SuperBlock,
} from '../gen/format';
import { FORMAT_HASH } from '../gen/hash';
import { blockProblem } from './crc';
import { Device, readAt } from './device';
import { UserError } from './errors';

export const SUPER_OFFSET = BigInt(SUPER_BLKNO) << BigInt(BLOCK_SM_SHIFT);

export const hex64 = (v: bigint): string => v.toString(16).padStart(16, '0');

/* Read and verify a super block; `which` names the device in errors. */
export function readSuper(dev: Device, which: 'metadata' | 'data'): SuperBlock {
  if (dev.size < SUPER_OFFSET + BigInt(BLOCK_SM_SIZE))
    throw new UserError(`${dev.path}: too small to hold a scoutfs super block (${dev.size} bytes)`);
  const block = readAt(dev, SUPER_OFFSET, BLOCK_SM_SIZE);
  const sb = SuperBlock.decode(block);
  if (sb.hdr.magic !== BlockMagic.SUPER)
    throw new UserError(
      `${dev.path}: no scoutfs super block (magic 0x${sb.hdr.magic.toString(16)})`,
    );
  const problem = blockProblem(block, { magic: BlockMagic.SUPER, blkno: BigInt(SUPER_BLKNO) });
  if (problem) throw new UserError(`${dev.path}: super block: ${problem}`);
  const isMeta = (sb.flags & BigInt(SUPER_FLAG_META_DEV)) !== 0n;
  if (which === 'metadata' && !isMeta)
    throw new UserError(`${dev.path}: this is a scoutfs data device; give the metadata device`);
  if (which === 'data' && isMeta)
    throw new UserError(`${dev.path}: this is a scoutfs metadata device; give the data device`);
  if (sb.version < BigInt(FORMAT_VERSION_MIN) || sb.version > BigInt(FORMAT_VERSION_MAX))
    throw new UserError(
      `${dev.path}: format version ${sb.version} is outside the supported ${FORMAT_VERSION_MIN}..${FORMAT_VERSION_MAX}`,
    );
  if (sb.format_hash !== FORMAT_HASH)
    throw new UserError(
      `${dev.path}: format hash ${hex64(sb.format_hash)} differs from these utilities' ${hex64(FORMAT_HASH)}; use utilities built from the same format`,
    );
  return sb;
}

/* A 4 KiB quorum block of a slot, or the problem with it. */
export function readQuorumBlock(dev: Device, slot: number, fsid: bigint): QuorumBlock | string {
  if (slot < 0 || slot >= QUORUM_MAX_SLOTS) throw new RangeError(`quorum slot ${slot}`);
  const blkno = BigInt(QUORUM_BLKNO + slot);
  const block = readAt(dev, blkno << BigInt(BLOCK_SM_SHIFT), BLOCK_SM_SIZE);
  return (
    blockProblem(block, { magic: BlockMagic.QUORUM, blkno, fsid }) ?? QuorumBlock.decode(block)
  );
}

export function readMetaBlock(dev: Device, blkno: bigint): Uint8Array {
  return readAt(dev, blkno << BigInt(BLOCK_LG_SHIFT), BLOCK_LG_SIZE);
}

export const EXTENTS_PER_LIST_BLOCK = Math.floor(
  (BLOCK_LG_SIZE - ExtentListBlock.SIZE) / FreeExtent.SIZE,
);

/* Every extent of an extent list, following the chain. */
export function readExtentList(dev: Device, root: ExtentListRoot, fsid: bigint): FreeExtent[] {
  const out: FreeExtent[] = [];
  let ref = root.ref;
  let hops = 0;
  while (ref.blkno !== 0n) {
    if (++hops > 1_000_000) throw new Error('extent list chain does not end');
    const block = readMetaBlock(dev, ref.blkno);
    const problem = blockProblem(block, {
      magic: BlockMagic.EXTENT_LIST,
      blkno: ref.blkno,
      seq: ref.seq,
      fsid,
    });
    if (problem) throw new Error(`extent list block ${ref.blkno}: ${problem}`);
    const b = ExtentListBlock.decode(block);
    if (b.nr > EXTENTS_PER_LIST_BLOCK)
      throw new Error(
        `extent list block ${ref.blkno}: nr ${b.nr} exceeds ${EXTENTS_PER_LIST_BLOCK}`,
      );
    for (let i = 0; i < b.nr; i++)
      out.push(FreeExtent.decode(block, ExtentListBlock.OFFSETS.extents + i * FreeExtent.SIZE));
    ref = b.next;
  }
  if (BigInt(out.length) !== root.nr_extents)
    throw new Error(`extent list holds ${out.length} extents, its root says ${root.nr_extents}`);
  return out;
}
