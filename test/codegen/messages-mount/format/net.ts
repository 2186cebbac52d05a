/*
 * Golden case "messages-mount": a message header with a flexible payload,
 * payload structs embedding an on-disk struct, and the Messages interface
 * with None in either direction and a gap in the command numbers.
 */
import type { Flex, le16, le64, Message, None, Pad, u8 } from './types';
import type { Ref } from './disk';

export const NET_MAX = 1100;

export enum NetErr {
	NONE = 0,
	EIO = 1,
}

export interface NetHeader {
	seq: le64;
	data_len: le16;
	cmd: u8;
	error: u8;
	_pad: Pad<4>;
	data: Flex<u8>;
}

export interface NetHello {
	hash: le64;
	ref: Ref;
}

export interface NetSeq {
	seq: le64;
}

export interface Messages {
	HELLO: Message<0, NetHello, NetHello>;
	GET_SEQ: Message<1, None, NetSeq>;
	PUT_SEQ: Message<2, NetSeq, None>;
	SYNC: Message<5, None, None>;
}
