/*
 * Quorum blocks: one 4 KiB block per slot after the super block on the
 * metadata device.  Each is a small log of election events of the member
 * using the slot; terms persist here across restarts.
 */
import type { Arr, le64, Pad, u8 } from './types';
import type { BlockHeader, Timespec } from './block';

export enum QuorumEvent {
  BEGIN = 0,
  TERM = 1,
  ELECT = 2,
  FENCE = 3,
  STOP = 4,
  END = 5,
}
export const QUORUM_EVENT_NR = 6;

export interface QuorumEventRecord {
  rid: le64;
  term: le64;
  ts: Timespec;
}

export interface QuorumBlock {
  hdr: BlockHeader;
  write_nr: le64;
  events: Arr<QuorumEventRecord, 6>;
}

/*
 * Election messages: one UDP datagram each, sent by a member from its
 * slot's address and port to every other slot's.  A receiver drops a
 * datagram of another size, another fsid or format hash, or one that
 * breaks a rule below, and counts it.
 */
export enum QuorumMsgType {
  REQUEST_VOTE = 0,
  VOTE = 1,
  HEARTBEAT = 2,
  RESIGNATION = 3,
}

/** @rulecheck */
export interface QuorumMessage {
  fsid: le64;
  /* the sender's format hash: members of different formats never elect together */
  format_hash: le64;
  /* terms start at 1 */
  /** @min 1 */
  term: le64;
  /** @max QuorumMsgType.RESIGNATION */
  type: u8;
  /* the sender's slot */
  /** @max QUORUM_LAST_SLOT */
  from: u8;
  _pad: Pad<6>;
}
