/*
 * Golden case "ioctl": host-endian ioctl structs, a flexible result, an
 * enum, constants and the Ioctls interface with the R, W and WR
 * directions (N: see codegen-known-bugs.test.ts).
 */
import type { Arr, Flex, Ioctl, Pad, s32, s64, u16, u32, u64, u8 } from './types';

export const IOCTL_MAGIC = 0xe8;
export const FLAG_A = 1 << 0;
export const FLAG_B = 1 << 1;
export const MASK_UNKNOWN = 0xfffffffffffffffcn;

export enum Mode {
	READ = 0,
	WRITE = 1,
}

export interface IoctlEntry {
	ino: u64;
	minor: u32;
	mode: u8;
	_pad: Pad<3>;
}

export interface IoctlWalk {
	first: IoctlEntry;
	last: IoctlEntry;
	entries_ptr: u64;
	nr: u32;
	err: s32;
	delta: s64;
	names: Arr<u64, 3>;
	len: u16;
	_pad: Pad<6>;
}

export interface IoctlResult {
	bytes: u16;
	_pad: Pad<6>;
	data: Flex<u8>;
}

export interface Ioctls {
	WALK: Ioctl<1, 'W', IoctlWalk>;
	RESULT: Ioctl<2, 'R', IoctlResult>;
	/** @unimplemented */
	BOTH: Ioctl<3, 'WR', IoctlWalk>;
}
