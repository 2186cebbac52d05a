/*
 * Item keys: construction, ordering and names.
 */
import {
  FsItemType,
  IndexItemType,
  Key,
  KeyZone,
  LogTreesItemType,
  OrphanItemType,
} from '../gen/format';

export function key(
  zone: number,
  first: bigint,
  type: number,
  second = 0n,
  third = 0n,
  fourth = 0,
): Key {
  return { zone, first, type, second, third, fourth };
}

/* Significance order: zone, first, type, second, third, fourth. */
export function compareKeys(a: Key, b: Key): number {
  const pairs: [number | bigint, number | bigint][] = [
    [a.zone, b.zone],
    [a.first, b.first],
    [a.type, b.type],
    [a.second, b.second],
    [a.third, b.third],
    [a.fourth, b.fourth],
  ];
  for (const [x, y] of pairs) if (x !== y) return x < y ? -1 : 1;
  return 0;
}

export const inodeKey = (ino: bigint): Key => key(KeyZone.FS, ino, FsItemType.INODE);
export const metaSeqKey = (seq: bigint, ino: bigint): Key =>
  key(KeyZone.INODE_INDEX, 0n, IndexItemType.META_SEQ, seq, ino);
export const dataSeqKey = (seq: bigint, ino: bigint): Key =>
  key(KeyZone.INODE_INDEX, 0n, IndexItemType.DATA_SEQ, seq, ino);

const TYPE_ENUMS: Record<number, Record<number, string>> = {
  [KeyZone.INODE_INDEX]: IndexItemType as unknown as Record<number, string>,
  [KeyZone.ORPHAN]: OrphanItemType as unknown as Record<number, string>,
  [KeyZone.FS]: FsItemType as unknown as Record<number, string>,
  [KeyZone.LOG_TREES]: LogTreesItemType as unknown as Record<number, string>,
};

export function zoneName(zone: number): string {
  return (KeyZone as unknown as Record<number, string>)[zone] ?? `zone${zone}`;
}

export function typeName(zone: number, type: number): string {
  return TYPE_ENUMS[zone]?.[type] ?? `type${type}`;
}

export function keyString(k: Key): string {
  return `${zoneName(k.zone)}.${k.first}.${typeName(k.zone, k.type)}.${k.second}.${k.third}.${k.fourth}`;
}
