/*
 * The ioctl ABI.  Binary compatible with upstream scoutfs: magic 0xE8,
 * numbers 1..25, and every struct's field order, size and offsets (see
 * shared/design/UPSTREAM-NOTES.md section 7).  Existing archive agents and
 * the upstream Go client depend on these bytes: never change a layout here,
 * add new ioctls at new numbers instead.
 *
 * Integers are host-endian; pointers travel as u64.
 */
import type { Arr, Flex, Ioctl, Pad, s32, s64, u16, u32, u64, u8 } from './types';

export const IOCTL_MAGIC = 0xe8;

/* walk_inodes.index */
export enum WalkInodesIndex {
  META_SEQ = 0,
  DATA_SEQ = 1,
}
export const WALK_INODES_INDEX_UNKNOWN = 2;

/* data waiting ops */
export enum DataWaitOp {
  READ = 1,
  WRITE = 2,
  CHANGE_SIZE = 4,
}
export const DATA_WAIT_OP_UNKNOWN_MASK = 0x7f8;

export const SETATTR_MORE_OFFLINE = 1;
export const SEARCH_XATTRS_OFLAG_END = 1;
export const MOVE_BLOCKS_FLAG_STAGE = 1;
export const DIRENT_FLAG_LAST = 1;
export const ALLOC_DETAIL_META = 1;
export const ALLOC_DETAIL_AVAIL = 2;

/* inode_attr_x.x_mask */
export enum AttrXMask {
  META_SEQ = 1,
  DATA_SEQ = 2,
  DATA_VERSION = 4,
  ONLINE_BLOCKS = 8,
  OFFLINE_BLOCKS = 16,
  CTIME = 32,
  CRTIME = 64,
  SIZE = 128,
  RETENTION = 256,
  PROJECT_ID = 512,
}
export const ATTR_X_MASK_UNKNOWN = 0xfffffffffffffc00n;
export const ATTR_X_F_SIZE_OFFLINE = 1;
export const ATTR_X_B_RETENTION = 1;

export enum QuotaNameSource {
  LITERAL = 0,
  PROJ = 1,
  UID = 2,
  GID = 3,
}
export const QUOTA_NAME_FLAG_SELECT = 1;
export enum QuotaOp {
  INODE = 0,
  DATA = 1,
}
export const QUOTA_RULE_FLAG_TOTL_COUNT = 1;

/* Defined by the ABI but not used by any call. */
export interface IoctlKey {
  _sk_first: u64;
  _sk_second: u64;
  _sk_third: u64;
  _sk_fourth: u8;
  sk_type: u8;
  sk_zone: u8;
  _pad: Pad<5>;
}

export interface IoctlWalkInodesEntry {
  major: u64;
  ino: u64;
  minor: u32;
  _pad: Pad<4>;
}

export interface IoctlWalkInodes {
  first: IoctlWalkInodesEntry;
  last: IoctlWalkInodesEntry;
  entries_ptr: u64;
  nr_entries: u32;
  index: u8;
  _pad: Pad<11>;
}

export interface IoctlInoPath {
  ino: u64;
  dir_ino: u64;
  dir_pos: u64;
  result_ptr: u64;
  result_bytes: u16;
  _pad: Pad<6>;
}

export interface IoctlInoPathResult {
  dir_ino: u64;
  dir_pos: u64;
  path_bytes: u16;
  _pad: Pad<6>;
  path: Flex<u8>;
}

export interface IoctlRelease {
  offset: u64;
  length: u64;
  data_version: u64;
}

export interface IoctlStage {
  data_version: u64;
  buf_ptr: u64;
  offset: u64;
  length: s32;
  _pad: Pad<4>;
}

export interface IoctlStatMore {
  meta_seq: u64;
  data_seq: u64;
  data_version: u64;
  online_blocks: u64;
  offline_blocks: u64;
  crtime_sec: u64;
  crtime_nsec: u32;
  _pad: Pad<4>;
}

export interface IoctlDataWaitingEntry {
  ino: u64;
  iblock: u64;
  op: u8;
  _pad: Pad<7>;
}

export interface IoctlDataWaiting {
  flags: u64;
  after_ino: u64;
  after_iblock: u64;
  ents_ptr: u64;
  ents_nr: u16;
  _pad: Pad<6>;
}

export interface IoctlSetattrMore {
  data_version: u64;
  i_size: u64;
  flags: u64;
  ctime_sec: u64;
  ctime_nsec: u32;
  crtime_nsec: u32;
  crtime_sec: u64;
}

export interface IoctlListxattrHidden {
  id_pos: u64;
  buf_ptr: u64;
  buf_bytes: u32;
  hash_pos: u32;
}

export interface IoctlSearchXattrs {
  next_ino: u64;
  last_ino: u64;
  name_ptr: u64;
  inodes_ptr: u64;
  output_flags: u64;
  nr_inodes: u64;
  name_bytes: u16;
  _pad: Pad<6>;
}

export interface IoctlStatfsMore {
  fsid: u64;
  rid: u64;
  committed_seq: u64;
  total_meta_blocks: u64;
  total_data_blocks: u64;
  reserved_meta_blocks: u64;
}

export interface IoctlDataWaitErr {
  ino: u64;
  data_version: u64;
  offset: u64;
  count: u64;
  op: u64;
  err: s64;
}

export interface IoctlAllocDetail {
  entries_ptr: u64;
  entries_nr: u64;
}

/* flags: ALLOC_DETAIL_META (bit 0), ALLOC_DETAIL_AVAIL (bit 1) */
export interface IoctlAllocDetailEntry {
  id: u64;
  blocks: u64;
  type: u8;
  flags: u8;
  _pad: Pad<6>;
}

export interface IoctlMoveBlocks {
  from_fd: u64;
  from_off: u64;
  len: u64;
  to_off: u64;
  data_version: u64;
  flags: u64;
}

export interface IoctlResizeDevices {
  new_total_meta_blocks: u64;
  new_total_data_blocks: u64;
}

export interface IoctlReadXattrTotals {
  pos_name: Arr<u64, 3>;
  totals_ptr: u64;
  totals_bytes: u64;
}

export interface IoctlXattrTotal {
  name: Arr<u64, 3>;
  total: u64;
  count: u64;
}

export interface IoctlGetAllocatedInos {
  start_ino: u64;
  inos_ptr: u64;
  inos_bytes: u64;
}

export interface IoctlGetReferringEntries {
  ino: u64;
  dir_ino: u64;
  dir_pos: u64;
  entries_ptr: u64;
  entries_bytes: u64;
}

/*
 * One record of GET_REFERRING_ENTRIES: entry_bytes is the record's padded
 * length, name is NUL terminated and runs past the nominal 3 bytes.
 */
export interface IoctlDirent {
  dir_ino: u64;
  dir_pos: u64;
  ino: u64;
  entry_bytes: u16;
  flags: u8;
  d_type: u8;
  name_len: u8;
  name: Arr<u8, 3>;
}

export interface IoctlInodeAttrX {
  x_mask: u64;
  x_flags: u64;
  meta_seq: u64;
  data_seq: u64;
  data_version: u64;
  online_blocks: u64;
  offline_blocks: u64;
  ctime_sec: u64;
  ctime_nsec: u32;
  crtime_nsec: u32;
  crtime_sec: u64;
  size: u64;
  bits: u64;
  project_id: u64;
}

export interface IoctlQuotaRule {
  name_val: Arr<u64, 3>;
  limit: u64;
  prio: u8;
  op: u8;
  rule_flags: u8;
  name_source: Arr<u8, 3>;
  name_flags: Arr<u8, 3>;
  _pad: Pad<7>;
}

export interface IoctlGetQuotaRules {
  iterator: Arr<u64, 2>;
  rules_ptr: u64;
  rules_nr: u64;
}

export interface IoctlXattrIndexEntry {
  minor: u64;
  ino: u64;
  major: u8;
  _pad: Pad<7>;
}

export interface IoctlReadXattrIndex {
  flags: u64;
  first: IoctlXattrIndexEntry;
  last: IoctlXattrIndexEntry;
  entries_ptr: u64;
  entries_nr: u64;
}

export interface IoctlPunchOffline {
  offset: u64;
  len: u64;
  data_version: u64;
  flags: u64;
}

export interface IoctlInjectTotlDelta {
  name: Arr<u64, 3>;
  total: s64;
  count: s64;
}

/*
 * The calls: number, direction and argument struct.  The module has a
 * handler, scoutfs_ioc_<name>() in kmod/src/ioctl.c, for each one not
 * marked @unimplemented (the build fails without it); the others fail
 * with EOPNOTSUPP until they are implemented, and other numbers with ENOTTY.
 */
export interface Ioctls {
  WALK_INODES: Ioctl<1, 'W', IoctlWalkInodes>;
  INO_PATH: Ioctl<2, 'W', IoctlInoPath>;
  /** @unimplemented */
  RELEASE: Ioctl<3, 'W', IoctlRelease>;
  /** @unimplemented */
  STAGE: Ioctl<4, 'W', IoctlStage>;
  STAT_MORE: Ioctl<5, 'R', IoctlStatMore>;
  /** @unimplemented */
  DATA_WAITING: Ioctl<6, 'W', IoctlDataWaiting>;
  /** @unimplemented */
  SETATTR_MORE: Ioctl<7, 'W', IoctlSetattrMore>;
  /** @unimplemented */
  LISTXATTR_HIDDEN: Ioctl<8, 'WR', IoctlListxattrHidden>;
  /** @unimplemented */
  SEARCH_XATTRS: Ioctl<9, 'W', IoctlSearchXattrs>;
  STATFS_MORE: Ioctl<10, 'R', IoctlStatfsMore>;
  /** @unimplemented */
  DATA_WAIT_ERR: Ioctl<11, 'W', IoctlDataWaitErr>;
  /** @unimplemented */
  ALLOC_DETAIL: Ioctl<12, 'W', IoctlAllocDetail>;
  /** @unimplemented */
  MOVE_BLOCKS: Ioctl<13, 'W', IoctlMoveBlocks>;
  /** @unimplemented */
  RESIZE_DEVICES: Ioctl<14, 'W', IoctlResizeDevices>;
  /** @unimplemented */
  READ_XATTR_TOTALS: Ioctl<15, 'W', IoctlReadXattrTotals>;
  /** @unimplemented */
  GET_ALLOCATED_INOS: Ioctl<16, 'W', IoctlGetAllocatedInos>;
  GET_REFERRING_ENTRIES: Ioctl<17, 'W', IoctlGetReferringEntries>;
  GET_ATTR_X: Ioctl<18, 'W', IoctlInodeAttrX>;
  /** @unimplemented */
  SET_ATTR_X: Ioctl<19, 'W', IoctlInodeAttrX>;
  /** @unimplemented */
  GET_QUOTA_RULES: Ioctl<20, 'R', IoctlGetQuotaRules>;
  /** @unimplemented */
  ADD_QUOTA_RULE: Ioctl<21, 'W', IoctlQuotaRule>;
  /** @unimplemented */
  DEL_QUOTA_RULE: Ioctl<22, 'W', IoctlQuotaRule>;
  /** @unimplemented */
  READ_XATTR_INDEX: Ioctl<23, 'R', IoctlReadXattrIndex>;
  /** @unimplemented */
  PUNCH_OFFLINE: Ioctl<24, 'W', IoctlPunchOffline>;
  /** @unimplemented */
  INJECT_TOTL_DELTA: Ioctl<25, 'W', IoctlInjectTotlDelta>;
}
