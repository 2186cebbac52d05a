/*
 * Quorum blocks: one 4 KiB block per slot after the super block on the
 * metadata device.  Each is a small log of election events of the member
 * using the slot; terms persist here across restarts.
 */
import type { Arr, le64 } from './types';
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
