/*
 * Mount options: name, type, range and default.  The kernel's option
 * struct, fs_parameter_spec table, parsing with range checks, defaults,
 * required options, show_options and remount are generated from this.
 * Every option here is honoured by the module: one it cannot honour yet
 * is left out, so mount refuses it rather than ignore it.
 *
 * Remount: an option tagged @remount takes its new value on the live
 * mount; any other one given at remount must have its mounted value
 * (mount resends every option), or the remount fails with EINVAL.  An
 * option not given at remount keeps its value.
 */
import type { NoDefault, OptString, OptU32, Required } from './types';

export interface MountOptions {
  /* path of the metadata device; the mount source is the data device */
  metadev_path: OptString<Required>;
  /* quorum slot this mount uses (0..14) */
  quorum_slot_nr: OptU32<0, 14, NoDefault>;
  /**
   * milliseconds a quorum member waits without hearing the leader's
   * heartbeat before it stands for election
   * @remount
   */
  quorum_heartbeat_timeout_ms: OptU32<2000, 60000, 10000>;
  /**
   * milliseconds between transaction commits when nothing else forces one
   * @remount
   */
  commit_interval_ms: OptU32<100, 300000, 10000>;
  /**
   * the most 4 KiB data blocks an extending write preallocates past EOF
   * (1 turns preallocation off)
   * @remount
   */
  data_prealloc_blocks: OptU32<1, 1048576, 2048>;
  /**
   * milliseconds between scans of the orphan items, which delete the
   * unlinked inodes no longer in use whose deletion failed or was left
   * by another mount
   * @remount
   */
  orphan_scan_delay_ms: OptU32<100, 3600000, 10000>;
}
