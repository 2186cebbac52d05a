/*
 * Golden case "messages-mount": a message header with a flexible payload,
 * payload structs embedding an on-disk struct, and the Messages interface
 * with None in either direction and a gap in the command numbers; the
 * header's rules, a payload with a rule, and @server/@client handlers give
 * the generated message check and dispatch tables.
 */
import type { Flex, le16, le64, Message, None, Pad, u8 } from './types';
import type { Ref } from './disk';

export const NET_MAX = 1100;
export const NET_FLAG_RESPONSE = 1;

export enum NetErr {
	NONE = 0,
	EIO = 1,
}

export interface NetHeader {
	seq: le64;
	/** @max NET_MAX */
	data_len: le16;
	cmd: u8;
	/** @mask NET_FLAG_RESPONSE */
	flags: u8;
	/** @max NetErr.EIO */
	error: u8;
	_pad: Pad<3>;
	data: Flex<u8>;
}

export interface NetHello {
	hash: le64;
	ref: Ref;
}

export interface NetSeq {
	/** @min 1 */
	seq: le64;
}

export interface Messages {
	/** @server */
	HELLO: Message<0, NetHello, NetHello>;
	GET_SEQ: Message<1, None, NetSeq>;
	PUT_SEQ: Message<2, NetSeq, None>;
	/**
	 * @client
	 * @server
	 */
	SYNC: Message<5, None, None>;
}
