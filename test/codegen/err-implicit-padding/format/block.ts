/* Golden error case: holes the compiler would fill are refused. */
import type { le16, le32, le64, u8 } from './types';

export interface Holey {
	a: u8;
	b: le32;
	c: le64;
	d: le16;
}
