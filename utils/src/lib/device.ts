/*
 * Devices: block devices or regular files holding a scoutfs volume.
 * Block device sizes come from sysfs (no ioctl needed); block devices
 * opened to write, or to check, are opened with O_EXCL so the kernel
 * refuses a mounted device (a mount claims both of its devices).
 */
import * as fs from 'fs';
import { UserError } from './errors';

export interface Device {
  path: string;
  fd: number;
  size: bigint;
  isBlock: boolean;
}

function blockDevSize(path: string, st: fs.Stats): bigint {
  const major = Math.floor(st.rdev / 256) & 0xfff;
  const minor = (st.rdev & 0xff) | ((st.rdev >> 12) & 0xfff00);
  const sys = `/sys/dev/block/${major}:${minor}/size`;
  try {
    return BigInt(fs.readFileSync(sys, 'utf8').trim()) * 512n;
  } catch (e) {
    throw new UserError(
      `${path}: cannot read the device size from ${sys}: ${(e as Error).message}`,
    );
  }
}

export function openDevice(what: string, path: string, write: boolean, exclusive = write): Device {
  let st: fs.Stats;
  try {
    st = fs.statSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserError(
      code === 'ENOENT'
        ? `${what} '${path}' does not exist (create a file with e.g. 'truncate -s 64G ${path}', or name a block device)`
        : `${what} '${path}': ${(e as Error).message}`,
    );
  }
  const isBlock = st.isBlockDevice();
  if (!isBlock && !st.isFile())
    throw new UserError(`${what} '${path}' is neither a block device nor a regular file`);
  let flags = write ? fs.constants.O_RDWR : fs.constants.O_RDONLY;
  if (isBlock && exclusive) flags |= fs.constants.O_EXCL;
  let fd: number;
  try {
    fd = fs.openSync(path, flags);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === 'EBUSY'
        ? `it is in use (mounted, or opened exclusively by another program)${write ? '' : ': unmount it first'}`
        : code === 'EACCES' || code === 'EPERM' || code === 'EROFS'
          ? `it is not ${write ? 'writable' : 'readable'} (${code})`
          : (e as Error).message;
    throw new UserError(`${what} '${path}': cannot open: ${why}`);
  }
  const size = isBlock ? blockDevSize(path, st) : BigInt(st.size);
  return { path, fd, size, isBlock };
}

export function readAt(dev: Device, offset: bigint, len: number): Uint8Array {
  const buf = new Uint8Array(len);
  if (offset + BigInt(len) > dev.size)
    throw new UserError(
      `${dev.path}: read of ${len} bytes at ${offset} is past the end (${dev.size} bytes)`,
    );
  let done = 0;
  while (done < len) {
    const n = fs.readSync(dev.fd, buf, done, len - done, Number(offset) + done);
    if (n === 0) throw new UserError(`${dev.path}: short read at ${offset}`);
    done += n;
  }
  return buf;
}

export function writeAt(dev: Device, offset: bigint, buf: Uint8Array): void {
  let done = 0;
  while (done < buf.length)
    done += fs.writeSync(dev.fd, buf, done, buf.length - done, Number(offset) + done);
}

export function syncDevice(dev: Device): void {
  fs.fsyncSync(dev.fd);
}

export function closeDevice(dev: Device): void {
  fs.closeSync(dev.fd);
}
