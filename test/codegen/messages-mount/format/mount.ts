/* Mount options of every kind. */
import type { NoDefault, OptFlag, OptString, OptU32, Optional, Required } from './types';

export interface MountOptions {
	/* a required string */
	metadev_path: OptString<Required>;
	/* an optional string */
	label: OptString<Optional>;
	/* a number without a default */
	slot_nr: OptU32<0, 14, NoDefault>;
	/**
	 * a number with a default, that can change at remount
	 * @remount
	 */
	interval_ms: OptU32<100, 300000, 10000>;
	/* a flag */
	quiet: OptFlag;
}
