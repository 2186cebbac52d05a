/*
 * Mount options: name, type, range and default.  The kernel's
 * fs_parameter_spec table and range checks are generated from this.
 */
import type { NoDefault, OptString, OptU32, Required } from './types';

export interface MountOptions {
  /* path of the metadata device; the mount source is the data device */
  metadev_path: OptString<Required>;
  /* quorum slot this mount uses (0..14) */
  quorum_slot_nr: OptU32<0, 14, NoDefault>;
  /* milliseconds between transaction commits when nothing else forces one */
  commit_interval_ms: OptU32<100, 300000, 10000>;
  /* delay between scans for orphaned inodes */
  orphan_scan_delay_ms: OptU32<100, 3600000, 10000>;
  /* how long followers wait for leader heartbeats before an election */
  quorum_heartbeat_timeout_ms: OptU32<2000, 60000, 10000>;
  /* data blocks preallocated past a streaming write (4 KiB units) */
  data_prealloc_blocks: OptU32<1, 1048576, 2048>;
}
