/* The one on-disk struct the messages embed. */
import type { le64 } from './types';

export interface Ref {
	blkno: le64;
	seq: le64;
}
