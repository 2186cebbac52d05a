/*
 * Block checksums: crc32c seeded with all ones and without the final
 * inversion (the kernel's crc32c(~0, p, len)), over the block from the byte
 * after the crc field to its end.  crc-32 (SheetJS) is a maintained, pure
 * JS implementation of the Castagnoli polynomial; it returns the standard
 * (inverted) value, so it is inverted back here.
 */
import * as CRC32C from 'crc-32/crc32c';
import { BlockHeader } from '../gen/format';

export function crc32cRaw(data: Uint8Array): number {
  return ~CRC32C.buf(data, 0) >>> 0;
}

export function blockCrc(block: Uint8Array): number {
  return crc32cRaw(block.subarray(4));
}

/* Set the header's crc field from the block's contents. */
export function sealBlock(block: Uint8Array): Uint8Array {
  new DataView(block.buffer, block.byteOffset, block.byteLength).setUint32(
    0,
    blockCrc(block),
    true,
  );
  return block;
}

export interface BlockExpect {
  magic: number;
  fsid?: bigint;
  blkno: bigint;
  seq?: bigint;
}

/* Why a block fails verification, or undefined when it is good. */
export function blockProblem(block: Uint8Array, want: BlockExpect): string | undefined {
  const hdr = BlockHeader.decode(block);
  const crc = blockCrc(block);
  if (hdr.crc !== crc)
    return `bad checksum (stored 0x${hdr.crc.toString(16)}, computed 0x${crc.toString(16)})`;
  if (hdr.magic !== want.magic)
    return `bad magic 0x${hdr.magic.toString(16)} (expected 0x${want.magic.toString(16)})`;
  if (hdr.blkno !== want.blkno) return `block claims blkno ${hdr.blkno}, read at ${want.blkno}`;
  if (want.fsid !== undefined && hdr.fsid !== want.fsid)
    return `fsid 0x${hdr.fsid.toString(16)} differs from the volume's 0x${want.fsid.toString(16)}`;
  if (want.seq !== undefined && hdr.seq !== want.seq)
    return `seq ${hdr.seq} differs from the reference's ${want.seq}`;
  return undefined;
}
