/*
 * Mount options: name, type, range and default.  The kernel's option
 * struct, fs_parameter_spec table, parsing with range checks, defaults,
 * required options and show_options are generated from this.  Every
 * option here is honoured by the module: one it cannot honour yet
 * (quorum_heartbeat_timeout_ms, before the quorum code) is left out, so
 * mount refuses it rather than ignore it.
 */
import type { NoDefault, OptString, OptU32, Required } from './types';

export interface MountOptions {
  /* path of the metadata device; the mount source is the data device */
  metadev_path: OptString<Required>;
  /* quorum slot this mount uses (0..14) */
  quorum_slot_nr: OptU32<0, 14, NoDefault>;
  /* milliseconds between transaction commits when nothing else forces one */
  commit_interval_ms: OptU32<100, 300000, 10000>;
  /*
   * the most 4 KiB data blocks an extending write preallocates past EOF
   * (1 turns preallocation off)
   */
  data_prealloc_blocks: OptU32<1, 1048576, 2048>;
}
