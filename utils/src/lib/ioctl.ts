/*
 * Typed wrappers of the scoutfs query ioctls over the native addon
 * (utils/native, built by `npm run build`).  Each call encodes its
 * argument struct with the generated codecs (gen/ioctl.ts), makes one
 * ioctl and decodes the reply.  Failures throw IoctlError, which names the
 * call and carries the errno code.
 *
 * All calls take an open fd of any file or directory in the mount; see
 * openPath().
 */
import * as fs from 'fs';
import * as path from 'path';
import {
  IOC,
  IoctlStatfsMore,
  IoctlStatMore,
  IoctlInodeAttrX,
  IoctlInoPath,
  IoctlInoPathResult,
  IoctlGetReferringEntries,
  IoctlDirent,
  IoctlWalkInodes,
  IoctlWalkInodesEntry,
  DIRENT_FLAG_LAST,
} from '../gen/ioctl';

export interface NativeAddon {
  ioctl(fd: number, request: number, arg: Uint8Array | bigint): number;
  address(buf: Uint8Array | BigUint64Array): bigint;
  nameToHandle(path: string): { type: number; handle: Buffer; mountId: number };
  openByHandle(mountFd: number, type: number, handle: Uint8Array, flags: number): number;
}

let addon: NativeAddon | undefined;

/*
 * The addon is found next to the compiled utilities (build/native/) or,
 * when running from the sources (ts-jest), in <root>/build/native/.
 */
export function native(): NativeAddon {
  if (addon) return addon;
  const name = 'native/scoutfs_native.node';
  const candidates = [
    process.env.SCOUTFS_NATIVE_ADDON,
    path.resolve(__dirname, '../../..', name),
    path.resolve(__dirname, '../../../build', name),
  ].filter((p): p is string => !!p);
  const found = candidates.find((p) => fs.existsSync(p));
  if (!found)
    throw new Error(
      `scoutfs native addon not found (looked for ${candidates.join(', ')}): run 'npm run build'`,
    );
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  addon = require(found) as NativeAddon;
  return addon;
}

/* Replace the addon (tests use an in-memory fake); undefined restores it. */
export function useNative(a: NativeAddon | undefined): void {
  addon = a;
}

/* A failed ioctl: which call, the errno code ("EINVAL") and its text. */
export class IoctlError extends Error {
  constructor(
    readonly call: string,
    readonly code: string,
    readonly errno: number,
    detail: string,
  ) {
    super(`${call}: ${detail}`);
    this.name = 'IoctlError';
  }
}

function sysError(call: string, e: unknown): unknown {
  const err = e as { code?: unknown; errno?: unknown; message?: unknown };
  if (typeof err?.code !== 'string' || typeof err.errno !== 'number') return e;
  const text = String(err.message).replace(/^[a-z_]+: /, '');
  return new IoctlError(call, err.code, -err.errno, text);
}

/* ioctl(fd, request, arg); returns the call's result or throws IoctlError */
export function ioctl(fd: number, call: keyof typeof IOC, arg: Uint8Array | bigint): number {
  try {
    return native().ioctl(fd, IOC[call], arg);
  } catch (e) {
    throw sysError(call, e);
  }
}

/* An fd for the ioctls: read-only, never blocking (fifos), following links. */
export function openPath(p: string): number {
  return fs.openSync(p, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
}

export function statfsMore(fd: number): IoctlStatfsMore {
  const buf = new Uint8Array(IoctlStatfsMore.SIZE);
  ioctl(fd, 'STATFS_MORE', buf);
  return IoctlStatfsMore.decode(buf);
}

/* the stable seq: walks return nothing past it */
export function stableSeq(fd: number): bigint {
  return statfsMore(fd).committed_seq;
}

export function statMore(fd: number): IoctlStatMore {
  const buf = new Uint8Array(IoctlStatMore.SIZE);
  ioctl(fd, 'STAT_MORE', buf);
  return IoctlStatMore.decode(buf);
}

/* GET_ATTR_X: the fields in mask (AttrXMask bits); the others are 0 */
export function getAttrX(fd: number, mask: bigint, flags = 0n): IoctlInodeAttrX {
  const buf = IoctlInodeAttrX.encode({ ...IoctlInodeAttrX.zero(), x_mask: mask, x_flags: flags });
  ioctl(fd, 'GET_ATTR_X', buf);
  return IoctlInodeAttrX.decode(buf);
}

/* ------------------------------------------------------------ walk */

export interface WalkPos {
  major: bigint;
  minor: number;
  ino: bigint;
}

/*
 * A buffer for walk entries, 8-byte aligned: each 24-byte entry
 * (IoctlWalkInodesEntry: u64 major, u64 ino, u32 minor, u32 pad) is
 * three u64 words, read through typed-array views of the one buffer
 * without DataViews: major and ino from `words` (3 words an entry), minor
 * from `u32` (6 words an entry, minor at 4).
 */
export class WalkBuffer {
  readonly words: BigUint64Array;
  readonly u32: Uint32Array;
  readonly bytes: Uint8Array;
  readonly ptr: bigint;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1 || capacity > 0xffffffff)
      throw new RangeError(
        `walk batch size ${capacity} must be an integer from 1 to ${0xffffffff}`,
      );
    this.words = new BigUint64Array(capacity * (IoctlWalkInodesEntry.SIZE / 8));
    this.u32 = new Uint32Array(this.words.buffer);
    this.bytes = new Uint8Array(this.words.buffer);
    this.ptr = native().address(this.words);
  }

  major(i: number): bigint {
    return this.words[i * 3];
  }

  ino(i: number): bigint {
    return this.words[i * 3 + 1];
  }

  minor(i: number): number {
    return this.u32[i * 6 + 4];
  }
}

/*
 * One WALK_INODES call: entries from first to last (inclusive) into buf;
 * returns how many (0 = none left).
 */
export function walkInodesBatch(
  fd: number,
  index: number,
  first: WalkPos,
  last: WalkPos,
  buf: WalkBuffer,
): number {
  const arg = IoctlWalkInodes.encode({
    first: { major: first.major, minor: first.minor, ino: first.ino },
    last: { major: last.major, minor: last.minor, ino: last.ino },
    entries_ptr: buf.ptr,
    nr_entries: buf.capacity,
    index,
  });
  return ioctl(fd, 'WALK_INODES', arg);
}

/* ----------------------------------------------------------- links */

export interface InoPath {
  dirIno: bigint;
  dirPos: bigint;
  /* relative to the mount, no leading '/' */
  path: string;
}

/* room for the reply header and PATH_MAX bytes of path */
const INO_PATH_RESULT_BYTES = IoctlInoPathResult.SIZE + 4096;

/* The path of ino's first link at or after (dirIno, dirPos); null when none. */
export function inoPath(fd: number, ino: bigint, dirIno = 0n, dirPos = 0n): InoPath | null {
  const res = Buffer.alloc(INO_PATH_RESULT_BYTES);
  const arg = IoctlInoPath.encode({
    ino,
    dir_ino: dirIno,
    dir_pos: dirPos,
    result_ptr: native().address(res),
    result_bytes: res.length,
  });
  try {
    ioctl(fd, 'INO_PATH', arg);
  } catch (e) {
    if (e instanceof IoctlError && e.code === 'ENOENT') return null;
    throw e;
  }
  const hdr = IoctlInoPathResult.decode(res);
  const end = IoctlInoPathResult.SIZE + hdr.path_bytes - 1; // without the NUL
  return {
    dirIno: hdr.dir_ino,
    dirPos: hdr.dir_pos,
    path: res.toString('utf8', IoctlInoPathResult.SIZE, end),
  };
}

/* (dirIno, dirPos) + 1 with carry; null past the last position */
function nextLinkPos(dirIno: bigint, dirPos: bigint): [bigint, bigint] | null {
  const MAX = 0xffffffffffffffffn;
  if (dirPos < MAX) return [dirIno, dirPos + 1n];
  if (dirIno < MAX) return [dirIno + 1n, 0n];
  return null;
}

/* Every path of ino, one per link, in link order. */
export function inoPaths(fd: number, ino: bigint): InoPath[] {
  const out: InoPath[] = [];
  let pos: [bigint, bigint] | null = [0n, 0n];
  while (pos) {
    const p = inoPath(fd, ino, pos[0], pos[1]);
    if (!p) break;
    out.push(p);
    pos = nextLinkPos(p.dirIno, p.dirPos);
  }
  return out;
}

export interface ReferringEntry {
  dirIno: bigint;
  dirPos: bigint;
  ino: bigint;
  dType: number;
  name: string;
  last: boolean;
}

/* One GET_REFERRING_ENTRIES call from (dirIno, dirPos), bufBytes of room. */
export function getReferringEntries(
  fd: number,
  ino: bigint,
  dirIno = 0n,
  dirPos = 0n,
  bufBytes = 4096,
): ReferringEntry[] {
  // 16-byte aligned records: a BigUint64Array's buffer is at least 8-aligned; ask for 16 via over-allocation
  const backing = Buffer.alloc(bufBytes + 16);
  const addr = native().address(backing);
  const skew = Number((16n - (addr % 16n)) % 16n);
  const buf = backing.subarray(skew, skew + bufBytes);
  const arg = IoctlGetReferringEntries.encode({
    ino,
    dir_ino: dirIno,
    dir_pos: dirPos,
    entries_ptr: addr + BigInt(skew),
    entries_bytes: BigInt(bufBytes),
  });
  const nr = ioctl(fd, 'GET_REFERRING_ENTRIES', arg);
  const out: ReferringEntry[] = [];
  const nameOff = IoctlDirent.OFFSETS.name;
  for (let i = 0, off = 0; i < nr; i++) {
    const d = IoctlDirent.decode(buf, off);
    out.push({
      dirIno: d.dir_ino,
      dirPos: d.dir_pos,
      ino: d.ino,
      dType: d.d_type,
      name: buf.toString('utf8', off + nameOff, off + nameOff + d.name_len),
      last: (d.flags & DIRENT_FLAG_LAST) !== 0,
    });
    if (d.entry_bytes < IoctlDirent.SIZE)
      throw new Error(`GET_REFERRING_ENTRIES: record ${i} has entry_bytes ${d.entry_bytes}`);
    off += d.entry_bytes;
  }
  return out;
}

/* Every directory entry that links ino, continuing until the LAST flag. */
export function allReferringEntries(fd: number, ino: bigint): ReferringEntry[] {
  const out: ReferringEntry[] = [];
  let pos: [bigint, bigint] | null = [0n, 0n];
  while (pos) {
    const got = getReferringEntries(fd, ino, pos[0], pos[1]);
    if (got.length === 0) break;
    out.push(...got);
    const last = got[got.length - 1];
    if (last.last) break;
    pos = nextLinkPos(last.dirIno, last.dirPos);
  }
  return out;
}

/* ---------------------------------------------------- file handles */

/* scoutfs's handle of an inode by number (export.c: 8 bytes, le64 ino) */
export const FILEID_INO = 0x81;

/*
 * open_by_handle_at(2) of inode ino in the mount that mountFd is in (any
 * fd in it).  Needs CAP_DAC_READ_SEARCH; ESTALE once the inode is deleted.
 */
export function openByIno(mountFd: number, ino: bigint, flags = fs.constants.O_RDONLY): number {
  const handle = Buffer.alloc(8);
  handle.writeBigUInt64LE(ino);
  try {
    return native().openByHandle(mountFd, FILEID_INO, handle, flags);
  } catch (e) {
    throw sysError('open_by_handle_at', e);
  }
}
