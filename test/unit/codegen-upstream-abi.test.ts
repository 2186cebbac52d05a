/*
 * The ioctl ABI pinned to upstream scoutfs (shared/design/UPSTREAM-NOTES.md
 * section 7): request numbers, argument struct sizes, every field offset of
 * section 7.2, signedness and the constants of section 7.3.  The numbers
 * are written out here, not derived from format/, so a schema edit that
 * moves a byte of the ABI fails this test.
 */
import * as fs from 'fs';
import * as path from 'path';
import { fitC } from '../../codegen/src/emit/common';
import { computeLayout } from '../../codegen/src/layout';
import { loadSchemas } from '../../codegen/src/loader';
import * as ioctl from '../../utils/src/gen/ioctl';
import { REAL_FORMAT, ROOT } from './helpers/schema';

type Dir = 'R' | 'W' | 'WR';

/* section 7.1: nr, name, macro, argument struct, its size, the request number */
const IOCTLS: [number, keyof typeof ioctl.IOC, Dir, string, number, number][] = [
  [1, 'WALK_INODES', 'W', 'IoctlWalkInodes', 72, 0x4048e801],
  [2, 'INO_PATH', 'W', 'IoctlInoPath', 40, 0x4028e802],
  [3, 'RELEASE', 'W', 'IoctlRelease', 24, 0x4018e803],
  [4, 'STAGE', 'W', 'IoctlStage', 32, 0x4020e804],
  [5, 'STAT_MORE', 'R', 'IoctlStatMore', 56, 0x8038e805],
  [6, 'DATA_WAITING', 'W', 'IoctlDataWaiting', 40, 0x4028e806],
  [7, 'SETATTR_MORE', 'W', 'IoctlSetattrMore', 48, 0x4030e807],
  [8, 'LISTXATTR_HIDDEN', 'WR', 'IoctlListxattrHidden', 24, 0xc018e808],
  [9, 'SEARCH_XATTRS', 'W', 'IoctlSearchXattrs', 56, 0x4038e809],
  [10, 'STATFS_MORE', 'R', 'IoctlStatfsMore', 48, 0x8030e80a],
  [11, 'DATA_WAIT_ERR', 'W', 'IoctlDataWaitErr', 48, 0x4030e80b],
  [12, 'ALLOC_DETAIL', 'W', 'IoctlAllocDetail', 16, 0x4010e80c],
  [13, 'MOVE_BLOCKS', 'W', 'IoctlMoveBlocks', 48, 0x4030e80d],
  [14, 'RESIZE_DEVICES', 'W', 'IoctlResizeDevices', 16, 0x4010e80e],
  [15, 'READ_XATTR_TOTALS', 'W', 'IoctlReadXattrTotals', 40, 0x4028e80f],
  [16, 'GET_ALLOCATED_INOS', 'W', 'IoctlGetAllocatedInos', 24, 0x4018e810],
  [17, 'GET_REFERRING_ENTRIES', 'W', 'IoctlGetReferringEntries', 40, 0x4028e811],
  [18, 'GET_ATTR_X', 'W', 'IoctlInodeAttrX', 104, 0x4068e812],
  [19, 'SET_ATTR_X', 'W', 'IoctlInodeAttrX', 104, 0x4068e813],
  [20, 'GET_QUOTA_RULES', 'R', 'IoctlGetQuotaRules', 32, 0x8020e814],
  [21, 'ADD_QUOTA_RULE', 'W', 'IoctlQuotaRule', 48, 0x4030e815],
  [22, 'DEL_QUOTA_RULE', 'W', 'IoctlQuotaRule', 48, 0x4030e816],
  [23, 'READ_XATTR_INDEX', 'R', 'IoctlReadXattrIndex', 72, 0x8048e817],
  [24, 'PUNCH_OFFLINE', 'W', 'IoctlPunchOffline', 32, 0x4020e818],
  [25, 'INJECT_TOTL_DELTA', 'W', 'IoctlInjectTotlDelta', 40, 0x4028e819],
];

/* section 7.2: size and every field's offset (pads included, named as in format/ioctl.ts) */
const STRUCTS: Record<string, [number, Record<string, number>]> = {
  IoctlKey: [
    32,
    {
      _sk_first: 0,
      _sk_second: 8,
      _sk_third: 16,
      _sk_fourth: 24,
      sk_type: 25,
      sk_zone: 26,
      _pad: 27,
    },
  ],
  IoctlWalkInodesEntry: [24, { major: 0, ino: 8, minor: 16, _pad: 20 }],
  IoctlWalkInodes: [
    72,
    { first: 0, last: 24, entries_ptr: 48, nr_entries: 56, index: 60, _pad: 61 },
  ],
  IoctlInoPath: [
    40,
    { ino: 0, dir_ino: 8, dir_pos: 16, result_ptr: 24, result_bytes: 32, _pad: 34 },
  ],
  IoctlInoPathResult: [24, { dir_ino: 0, dir_pos: 8, path_bytes: 16, _pad: 18, path: 24 }],
  IoctlRelease: [24, { offset: 0, length: 8, data_version: 16 }],
  IoctlStage: [32, { data_version: 0, buf_ptr: 8, offset: 16, length: 24, _pad: 28 }],
  IoctlStatMore: [
    56,
    {
      meta_seq: 0,
      data_seq: 8,
      data_version: 16,
      online_blocks: 24,
      offline_blocks: 32,
      crtime_sec: 40,
      crtime_nsec: 48,
      _pad: 52,
    },
  ],
  IoctlDataWaitingEntry: [24, { ino: 0, iblock: 8, op: 16, _pad: 17 }],
  IoctlDataWaiting: [
    40,
    { flags: 0, after_ino: 8, after_iblock: 16, ents_ptr: 24, ents_nr: 32, _pad: 34 },
  ],
  IoctlSetattrMore: [
    48,
    {
      data_version: 0,
      i_size: 8,
      flags: 16,
      ctime_sec: 24,
      ctime_nsec: 32,
      crtime_nsec: 36,
      crtime_sec: 40,
    },
  ],
  IoctlListxattrHidden: [24, { id_pos: 0, buf_ptr: 8, buf_bytes: 16, hash_pos: 20 }],
  IoctlSearchXattrs: [
    56,
    {
      next_ino: 0,
      last_ino: 8,
      name_ptr: 16,
      inodes_ptr: 24,
      output_flags: 32,
      nr_inodes: 40,
      name_bytes: 48,
      _pad: 50,
    },
  ],
  IoctlStatfsMore: [
    48,
    {
      fsid: 0,
      rid: 8,
      committed_seq: 16,
      total_meta_blocks: 24,
      total_data_blocks: 32,
      reserved_meta_blocks: 40,
    },
  ],
  IoctlDataWaitErr: [48, { ino: 0, data_version: 8, offset: 16, count: 24, op: 32, err: 40 }],
  IoctlAllocDetail: [16, { entries_ptr: 0, entries_nr: 8 }],
  IoctlAllocDetailEntry: [24, { id: 0, blocks: 8, type: 16, flags: 17, _pad: 18 }],
  IoctlMoveBlocks: [
    48,
    { from_fd: 0, from_off: 8, len: 16, to_off: 24, data_version: 32, flags: 40 },
  ],
  IoctlResizeDevices: [16, { new_total_meta_blocks: 0, new_total_data_blocks: 8 }],
  IoctlReadXattrTotals: [40, { pos_name: 0, totals_ptr: 24, totals_bytes: 32 }],
  IoctlXattrTotal: [40, { name: 0, total: 24, count: 32 }],
  IoctlGetAllocatedInos: [24, { start_ino: 0, inos_ptr: 8, inos_bytes: 16 }],
  IoctlGetReferringEntries: [
    40,
    { ino: 0, dir_ino: 8, dir_pos: 16, entries_ptr: 24, entries_bytes: 32 },
  ],
  IoctlDirent: [
    32,
    {
      dir_ino: 0,
      dir_pos: 8,
      ino: 16,
      entry_bytes: 24,
      flags: 26,
      d_type: 27,
      name_len: 28,
      name: 29,
    },
  ],
  IoctlInodeAttrX: [
    104,
    {
      x_mask: 0,
      x_flags: 8,
      meta_seq: 16,
      data_seq: 24,
      data_version: 32,
      online_blocks: 40,
      offline_blocks: 48,
      ctime_sec: 56,
      ctime_nsec: 64,
      crtime_nsec: 68,
      crtime_sec: 72,
      size: 80,
      bits: 88,
      project_id: 96,
    },
  ],
  IoctlQuotaRule: [
    48,
    {
      name_val: 0,
      limit: 24,
      prio: 32,
      op: 33,
      rule_flags: 34,
      name_source: 35,
      name_flags: 38,
      _pad: 41,
    },
  ],
  IoctlGetQuotaRules: [32, { iterator: 0, rules_ptr: 16, rules_nr: 24 }],
  IoctlXattrIndexEntry: [24, { minor: 0, ino: 8, major: 16, _pad: 17 }],
  IoctlReadXattrIndex: [72, { flags: 0, first: 8, last: 32, entries_ptr: 56, entries_nr: 64 }],
  IoctlPunchOffline: [32, { offset: 0, len: 8, data_version: 16, flags: 24 }],
  IoctlInjectTotlDelta: [40, { name: 0, total: 24, count: 32 }],
};

/* upstream's C struct names (struct scoutfs_ioctl_NAME), kept for C users of ioctl.h */
const C_NAMES: Record<string, string> = {
  IoctlKey: 'key',
  IoctlWalkInodesEntry: 'walk_inodes_entry',
  IoctlWalkInodes: 'walk_inodes',
  IoctlInoPath: 'ino_path',
  IoctlInoPathResult: 'ino_path_result',
  IoctlRelease: 'release',
  IoctlStage: 'stage',
  IoctlStatMore: 'stat_more',
  IoctlDataWaitingEntry: 'data_waiting_entry',
  IoctlDataWaiting: 'data_waiting',
  IoctlSetattrMore: 'setattr_more',
  IoctlListxattrHidden: 'listxattr_hidden',
  IoctlSearchXattrs: 'search_xattrs',
  IoctlStatfsMore: 'statfs_more',
  IoctlDataWaitErr: 'data_wait_err',
  IoctlAllocDetail: 'alloc_detail',
  IoctlAllocDetailEntry: 'alloc_detail_entry',
  IoctlMoveBlocks: 'move_blocks',
  IoctlResizeDevices: 'resize_devices',
  IoctlReadXattrTotals: 'read_xattr_totals',
  IoctlXattrTotal: 'xattr_total',
  IoctlGetAllocatedInos: 'get_allocated_inos',
  IoctlGetReferringEntries: 'get_referring_entries',
  IoctlDirent: 'dirent',
  IoctlInodeAttrX: 'inode_attr_x',
  IoctlQuotaRule: 'quota_rule',
  IoctlGetQuotaRules: 'get_quota_rules',
  IoctlXattrIndexEntry: 'xattr_index_entry',
  IoctlReadXattrIndex: 'read_xattr_index',
  IoctlPunchOffline: 'punch_offline',
  IoctlInjectTotlDelta: 'inject_totl_delta',
};

/* the only signed integers of the ABI */
const SIGNED = [
  'IoctlStage.length:s32',
  'IoctlDataWaitErr.err:s64',
  'IoctlInjectTotlDelta.total:s64',
  'IoctlInjectTotlDelta.count:s64',
];

type Codecs = Record<string, { SIZE: number; OFFSETS: Readonly<Record<string, number>> }>;
const codecs = ioctl as unknown as Codecs;
const layout = computeLayout(loadSchemas(REAL_FORMAT, ROOT));

test('the table itself follows the _IOC encoding (dir << 30 | size << 16 | 0xe8 << 8 | nr)', () => {
  const dirBits: Record<Dir, number> = { W: 1, R: 2, WR: 3 };
  for (const [nr, , dir, , size, value] of IOCTLS)
    expect(((dirBits[dir] << 30) | (size << 16) | (0xe8 << 8) | nr) >>> 0).toBe(value);
});

test.each(IOCTLS)(
  'ioctl %d %s: number, direction and argument size',
  (nr, name, dir, arg, size, value) => {
    expect(ioctl.IOC[name]).toBe(value);
    expect(codecs[arg].SIZE).toBe(size);
    const decl = layout.ir.ioctls.find((i) => i.name === name);
    expect(decl).toMatchObject({ nr, dir, arg });
  },
);

test.each(Object.entries(STRUCTS))(
  'struct %s: size and every field offset',
  (name, [size, offsets]) => {
    expect(codecs[name].SIZE).toBe(size);
    expect(codecs[name].OFFSETS).toEqual(offsets);
  },
);

test('every upstream struct is an ioctl struct of the layout (new ones may be added)', () => {
  const ours = new Set(layout.structs.filter((s) => s.area === 'ioctl').map((s) => s.name));
  expect(Object.keys(STRUCTS).filter((n) => !ours.has(n))).toEqual([]);
});

test('signedness: only stage.length, data_wait_err.err and inject_totl_delta total/count are signed', () => {
  const signed: string[] = [];
  for (const s of layout.structs.filter((x) => x.name in STRUCTS))
    for (const f of s.fields)
      if (f.type.kind === 'prim' && f.type.prim.startsWith('s'))
        signed.push(`${s.name}.${f.name}:${f.type.prim}`);
  expect(signed.sort()).toEqual([...SIGNED].sort());
});

test('section 7.3 constants', () => {
  expect(ioctl.IOCTL_MAGIC).toBe(0xe8);
  expect([
    ioctl.WalkInodesIndex.META_SEQ,
    ioctl.WalkInodesIndex.DATA_SEQ,
    ioctl.WALK_INODES_INDEX_UNKNOWN,
  ]).toEqual([0, 1, 2]);
  expect([ioctl.DataWaitOp.READ, ioctl.DataWaitOp.WRITE, ioctl.DataWaitOp.CHANGE_SIZE]).toEqual([
    1, 2, 4,
  ]);
  expect(ioctl.DATA_WAIT_OP_UNKNOWN_MASK).toBe(0xff << 3);
  expect([
    ioctl.SETATTR_MORE_OFFLINE,
    ioctl.SEARCH_XATTRS_OFLAG_END,
    ioctl.MOVE_BLOCKS_FLAG_STAGE,
    ioctl.DIRENT_FLAG_LAST,
  ]).toEqual([1, 1, 1, 1]);
  expect([ioctl.ALLOC_DETAIL_META, ioctl.ALLOC_DETAIL_AVAIL]).toEqual([1, 2]);
  const names = [
    'META_SEQ',
    'DATA_SEQ',
    'DATA_VERSION',
    'ONLINE_BLOCKS',
    'OFFLINE_BLOCKS',
    'CTIME',
    'CRTIME',
    'SIZE',
    'RETENTION',
    'PROJECT_ID',
  ];
  expect(names.map((n) => ioctl.AttrXMask[n as keyof typeof ioctl.AttrXMask])).toEqual(
    names.map((_, i) => 1 << i),
  );
  expect(ioctl.ATTR_X_MASK_UNKNOWN).toBe(~((1n << 10n) - 1n) & 0xffffffffffffffffn);
  expect([ioctl.ATTR_X_F_SIZE_OFFLINE, ioctl.ATTR_X_B_RETENTION]).toEqual([1, 1]);
  expect([
    ioctl.QuotaNameSource.LITERAL,
    ioctl.QuotaNameSource.PROJ,
    ioctl.QuotaNameSource.UID,
    ioctl.QuotaNameSource.GID,
  ]).toEqual([0, 1, 2, 3]);
  expect([ioctl.QUOTA_NAME_FLAG_SELECT, ioctl.QUOTA_RULE_FLAG_TOTL_COUNT]).toEqual([1, 1]);
  expect([ioctl.QuotaOp.INODE, ioctl.QuotaOp.DATA]).toEqual([0, 1]);
});

test('ioctl.h uses upstream C names for the structs and request macros', () => {
  const h = fs.readFileSync(path.join(ROOT, 'kmod/src/gen/ioctl.h'), 'utf8');
  expect(Object.keys(C_NAMES).sort()).toEqual(Object.keys(STRUCTS).sort());
  for (const c of Object.values(C_NAMES)) expect(h).toContain(`\nstruct scoutfs_ioctl_${c} {\n`);
  const mac: Record<Dir, string> = { R: '_IOR', W: '_IOW', WR: '_IOWR' };
  for (const [nr, name, dir, arg] of IOCTLS)
    expect(h).toContain(
      `\n${fitC(`#define SCOUTFS_IOC_${name} ${mac[dir]}(SCOUTFS_IOCTL_MAGIC, ${nr}, struct scoutfs_ioctl_${C_NAMES[arg]})`).join('\n')}\n`,
    );
});
