/* Golden error case: constructs outside the schema vocabulary. */
import type { le64 } from './types';

export type Alias = le64;

export function helper(): number {
	return 1;
}

export interface Fine {
	a: le64;
}
