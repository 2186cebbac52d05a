/*
 * Golden case "err-bad-rule": field rules the loader refuses, each named
 * with its file and line.
 */
import type { le32, Pad, s8, u8 } from './types';

export const LIMIT = 300;

export interface Bad {
	/** @max NOT_A_CONST */
	a: le32;
	/** @max LIMIT */
	b: u8;
	/** @min 1 */
	c: s8;
	/** @between 1 2 */
	d: u8;
	/** @max */
	e: u8;
	/** @min 1 */
	_pad: Pad<1>;
}
