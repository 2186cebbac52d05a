/*
 * The vocabulary of the scoutfs schemas.
 *
 * Every other file in format/ describes structures with these types.  The
 * code generator (codegen/) never runs these files: it reads their
 * declarations with ts-morph and turns them into C headers, kernel glue and
 * TypeScript codecs.  The TypeScript compiler still type-checks them, so a
 * misspelt type is caught by `tsc` as well as by the loader.
 *
 * Areas: format/ioctl.ts is the userspace ABI (host-endian u16/u32/u64,
 * emitted as __u64 etc.); format/net.ts holds network messages and every
 * other schema file describes on-disk structures (little-endian le16/le32/
 * le64, emitted as __le64 etc.).  u8/s8 are allowed everywhere.
 *
 * What a schema file may contain:
 *   - `export interface Name { field: Type; ... }`: a struct.  Fields are laid
 *     out in order with natural alignment; any gap is an error, so padding is
 *     always an explicit `Pad<N>` field.  A JSDoc tag `@cpu` on the interface
 *     asks for a CPU-order copy of the struct and conversion helpers in the
 *     kernel glue, `@padcheck` for scoutfs_<name>_pads_zero(), `@rulecheck`
 *     for scoutfs_<name>_invalid() (its field rules and pads, rules.c); the
 *     kernel gets only what the module uses, `check` every struct's rules.
 *   - `export enum Name { MEMBER = <number>, ... }`: every member needs an
 *     explicit value; values only ever grow at the end, removed ones stay
 *     reserved.
 *   - `export const NAME = <number | bigint | expression of earlier consts>;`
 *   - in ioctl.ts the `Ioctls` interface, in net.ts the `Messages` interface,
 *     in mount.ts the `MountOptions` interface (see the generic types below).
 *     An ioctl tagged `@unimplemented` has no handler in the module yet and
 *     fails with EOPNOTSUPP; every other one needs scoutfs_ioc_<name>().
 *     A message tagged `@server` is handled by the server
 *     (scoutfs_server_<name>()), `@client` by the client; both sides check
 *     every received message against NetHeader's rules and the command's
 *     payload struct before a handler sees it.
 *
 * The comment right above a declaration or field is carried into the
 * generated C and TypeScript, and a number literal keeps its radix.
 */

declare const width: unique symbol;

/* Host-endian integers (ioctl structs). */
export type u8 = number & { readonly [width]: 'u8' };
export type s8 = number & { readonly [width]: 's8' };
export type u16 = number & { readonly [width]: 'u16' };
export type s16 = number & { readonly [width]: 's16' };
export type u32 = number & { readonly [width]: 'u32' };
export type s32 = number & { readonly [width]: 's32' };
export type u64 = bigint & { readonly [width]: 'u64' };
export type s64 = bigint & { readonly [width]: 's64' };

/* Little-endian integers (on-disk and network structs). */
export type le16 = number & { readonly [width]: 'le16' };
export type le32 = number & { readonly [width]: 'le32' };
export type le64 = bigint & { readonly [width]: 'le64' };

/* A fixed-length array of N elements. */
export type Arr<T, N extends number> = readonly T[] & { readonly length: N };

/* N explicit padding bytes: always written as zero, checked zero on input. */
export type Pad<N extends number> = Arr<u8, N> & { readonly [width]: 'pad' };

/* A flexible trailing array (C `name[]`): size 0, only as the last field. */
export type Flex<T> = readonly T[] & { readonly [width]: 'flex' };

/* ioctl directions as the _IOC macros spell them. */
export type IoctlDir = 'N' | 'R' | 'W' | 'WR';

/* An ioctl: number, direction bits and argument struct. */
export interface Ioctl<Nr extends number, Dir extends IoctlDir, Arg> {
  readonly nr: Nr;
  readonly dir: Dir;
  readonly arg: Arg;
}

/* A message without a payload in one direction. */
export interface None {
  readonly none: true;
}

/* A network message: command number, request payload, reply payload. */
export interface Message<Cmd extends number, Req, Reply> {
  readonly cmd: Cmd;
  readonly req: Req;
  readonly reply: Reply;
}

/* Mount options. */
export type Required = 'required';
export type Optional = 'optional';
export type NoDefault = 'none';

/* A string option (e.g. a device path). */
export interface OptString<Need extends Required | Optional> {
  readonly need: Need;
}

/* An unsigned 32-bit option with an inclusive range and a default. */
export interface OptU32<
  Min extends number,
  Max extends number,
  Default extends number | NoDefault,
> {
  readonly min: Min;
  readonly max: Max;
  readonly def: Default;
}

/* A boolean option without a value (`-o name`). */
export interface OptFlag {
  readonly flag: true;
}
