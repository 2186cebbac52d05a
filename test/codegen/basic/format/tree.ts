/*
 * A second on-disk file embedding the first one's structs, with a
 * flexible tail.
 */
import type { Arr, Flex, le64, Pad, u8 } from './types';
import type { Header, Ref } from './block';

/** @cpu */
export interface Root {
	ref: Ref;
	height: u8;
	_pad: Pad<7>;
}

/** @padcheck */
export interface Node {
	hdr: Header;
	roots: Arr<Root, 2>;
	nr: le64;
	items: Flex<le64>;
}
