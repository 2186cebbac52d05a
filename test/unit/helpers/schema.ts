/*
 * Shared helpers of the codegen tests: the repository root, throw-away
 * schema directories written from inline sources, and the SchemaError
 * problems a schema set produces.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { computeLayout, Layout } from '../../../codegen/src/layout';
import { loadSchemas, SchemaError } from '../../../codegen/src/loader';
import { formatHash } from '../../../codegen/src/hash';

export const ROOT = path.resolve(__dirname, '../../..');
export const REAL_FORMAT = path.join(ROOT, 'format');
export const VOCABULARY = path.join(REAL_FORMAT, 'types.ts');

/* Schema sources by file name; a string[] is joined with newlines so line numbers are easy to read. */
export type Sources = Record<string, string | string[]>;

export function text(src: string | string[]): string {
  return Array.isArray(src) ? src.join('\n') + '\n' : src;
}

/* A temp root with format/ holding the real vocabulary and the given sources. */
export function schemaRoot(files: Sources): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'scoutfs-schema-'));
  const dir = path.join(root, 'format');
  fs.mkdirSync(dir);
  fs.copyFileSync(VOCABULARY, path.join(dir, 'types.ts'));
  for (const [name, src] of Object.entries(files))
    fs.writeFileSync(path.join(dir, name), text(src));
  return root;
}

export function removeRoot(root: string): void {
  fs.rmSync(root, { recursive: true, force: true });
}

export function withSchemas<T>(files: Sources, fn: (root: string) => T): T {
  const root = schemaRoot(files);
  try {
    return fn(root);
  } finally {
    removeRoot(root);
  }
}

/* Load and lay out a schema set; file names in errors are relative to the temp root. */
export function layoutOf(files: Sources): Layout {
  return withSchemas(files, (root) => computeLayout(loadSchemas(path.join(root, 'format'), root)));
}

export function hashOf(files: Sources): string {
  return formatHash(layoutOf(files));
}

/*
 * The problems of the SchemaError that loading (and laying out) the schema
 * set throws; fails the test when it loads cleanly or throws anything else.
 */
export function problemsOf(files: Sources): string[] {
  try {
    layoutOf(files);
  } catch (e) {
    if (e instanceof SchemaError) return e.problems;
    throw e;
  }
  throw new Error('expected a SchemaError, the schemas loaded cleanly');
}

/* The import line every test schema starts with (line 1). */
export const IMPORT_ALL =
  "import type { Arr, Flex, Ioctl, Message, None, NoDefault, OptFlag, OptString, OptU32, Optional, Pad, Required, le16, le32, le64, s8, s16, s32, s64, u8, u16, u32, u64 } from './types';";
