/*
 * Sizes on the command line: a byte count with an optional binary suffix
 * (K, M, G, T, P; "KiB"/"KB" alike).
 */
import { UserError } from './errors';

const SHIFT: Record<string, bigint> = { '': 0n, K: 10n, M: 20n, G: 30n, T: 40n, P: 50n };

export function parseSize(what: string, text: string): bigint {
  const m = /^([0-9]+)\s*([KMGTP]?)(?:i?B)?$/i.exec(text.trim());
  if (!m) throw new UserError(`${what}: '${text}' is not a size (examples: 1048576, 64M, 2G)`);
  return BigInt(m[1]) << SHIFT[m[2].toUpperCase()];
}

export function humanSize(bytes: bigint): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let v = Number(bytes);
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${bytes} B` : `${v.toFixed(2)} ${units[i]}`;
}
