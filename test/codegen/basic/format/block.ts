/*
 * Golden case "basic": on-disk structs with a nested struct, arrays of
 * structs and bytes, a @cpu struct, an enum and constants computed from
 * other constants, and field rules (@min/@max/@mask) on a struct and on a
 * struct embedded in another.
 */
import type { Arr, le16, le32, le64, Pad, s8, u8 } from './types';

export const SHIFT = 12;
export const BLOCK_SIZE = 1 << SHIFT;
export const BLOCK_MASK = BLOCK_SIZE - 1;
export const BIG = 0xfedcba9876543210n;
export const NEG = -(SHIFT * 2);
export const NR_SLOTS = 3;

/* block kinds */
export enum BlockKind {
	SUPER = 0x1234abcd,
	DATA = 2,
	FREE = 3,
}

export interface Ref {
	blkno: le64;
	seq: le64;
}

export interface Slot {
	addr: le32;
	/** @min 1 @max 0xfffe */
	port: le16;
	/** @mask 1 | 4 */
	flags: u8;
	bias: s8;
}

/**
 * @cpu
 * @rulecheck
 */
export interface Header {
	crc: le32;
	/** @mask BlockKind */
	kind: le32;
	ref: Ref;
	slots: Arr<Slot, 3>;
	uuid: Arr<u8, 16>;
	_pad: Pad<8>;
}
