/*
 * What the ioctl commands of the CLI share: the mount path rule
 * (-p/--path, then $SCOUTFS_MOUNT_PATH, then the cwd), opening it, inode
 * number arguments, and turning failures into messages that name the
 * argument at fault.
 */
import * as fs from 'fs';
import type { Argv } from 'yargs';
import { UserError } from './errors';
import { IoctlError, openPath } from './ioctl';

export interface PathArgs {
  path?: string;
}

/* -p/--path: the option every path-taking command accepts */
export function withPathOption<T>(
  y: Argv<T>,
  what = 'a path in the scoutfs mount',
): Argv<T & PathArgs> {
  return y.option('path', {
    alias: 'p',
    type: 'string',
    requiresArg: true,
    describe: `${what} (default: $SCOUTFS_MOUNT_PATH, then the current directory)`,
  }) as Argv<T & PathArgs>;
}

/*
 * The path a command works on and the name of where it came from.  A
 * command's optional PATH positional and -p/--path share the key `path`
 * (yargs gives an array when both are given).
 */
export function mountPath(given?: string | string[]): { path: string; what: string } {
  if (Array.isArray(given)) {
    if (new Set(given).size > 1)
      throw new UserError(`PATH and --path disagree (${given.join(', ')}): give one`);
    given = given[0];
  }
  if (given !== undefined) return { path: String(given), what: 'PATH' };
  const env = process.env.SCOUTFS_MOUNT_PATH;
  if (env) return { path: env, what: '$SCOUTFS_MOUNT_PATH' };
  return { path: process.cwd(), what: 'the current directory' };
}

/* open a path for ioctls, or a UserError naming the argument */
export function openArg(what: string, p: string): number {
  try {
    return openPath(p);
  } catch (e) {
    const code = (e as { code?: string }).code;
    const why =
      code === 'ENOENT'
        ? 'does not exist'
        : code === 'EACCES'
          ? 'is not readable (permission denied)'
          : String((e as Error).message);
    throw new UserError(`${what} '${p}' ${why}`);
  }
}

/* run fn with an fd of the path, closing it after */
export async function withFd<T>(
  what: string,
  p: string,
  fn: (fd: number) => T | Promise<T>,
): Promise<T> {
  const fd = openArg(what, p);
  try {
    return await fn(fd);
  } catch (e) {
    throw ioctlUserError(e, what, p);
  } finally {
    fs.closeSync(fd);
  }
}

/* an IoctlError as a message a user can act on */
export function ioctlUserError(e: unknown, what: string, p: string): unknown {
  if (!(e instanceof IoctlError)) return e;
  switch (e.code) {
    case 'ENOTTY':
      return new UserError(`${what} '${p}' is not in a scoutfs filesystem`);
    case 'EOPNOTSUPP':
      return new UserError(`${e.call} is not implemented by this scoutfs module`);
    case 'EPERM':
      return new UserError(`${e.call} needs privilege (CAP_DAC_READ_SEARCH or root): ${e.message}`);
    default:
      return new UserError(e.message);
  }
}

/* an inode number argument: a decimal u64 */
export function parseIno(what: string, text: string): bigint {
  if (!/^[0-9]+$/.test(text))
    throw new UserError(`${what} '${text}' is not an inode number (a decimal number)`);
  const v = BigInt(text);
  if (v > 0xffffffffffffffffn)
    throw new UserError(`${what} '${text}' is larger than the largest inode number (2^64-1)`);
  return v;
}
