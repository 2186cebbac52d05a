/*
 * The value rules of a struct, flattened: every @min/@max/@mask of its
 * fields and of the structs it embeds, and every explicit pad, in field
 * order, each with its path ("atime.nsec"), absolute offset and the
 * sentence a reader prints when a value breaks it.  The kernel's
 * scoutfs_*_invalid() functions and the TypeScript codecs' RULES tables
 * are both emitted from this one list, so the module and `scoutfs check`
 * refuse exactly the same values.
 */
import { FieldType, Prim, RuleKind } from './ir';
import { Layout, StructLayout } from './layout';
import { SchemaError } from './loader';
import { netRuleStructs } from './net';

export interface FlatRule {
  /* C member path below the struct pointer: "atime.nsec", "slots[2].port" */
  path: string;
  offset: number;
  size: number;
  kind: RuleKind | 'pad';
  /* unset for pads */
  prim?: Prim;
  bound: bigint;
  /* what the reader reports: "val_len above XATTR_MAX_VAL_LEN (65536)" */
  message: string;
}

function boundText(text: string, bound: bigint, kind: RuleKind): string {
  const num = kind === 'mask' ? `0x${bound.toString(16)}` : bound.toString();
  return /^[0-9]/.test(text) ? num : `${text} (${num})`;
}

function ruleMessage(path: string, kind: RuleKind, text: string, bound: bigint): string {
  const b = boundText(text, bound, kind);
  switch (kind) {
    case 'min':
      return `${path} below ${b}`;
    case 'max':
      return `${path} above ${b}`;
    case 'mask':
      return `${path} has bits outside ${b}`;
  }
}

function elemSize(t: FieldType, layout: Layout): number {
  if (t.kind === 'prim') return Number(t.prim.replace(/^[a-z]+/, '')) / 8;
  if (t.kind === 'struct') return layout.byName.get(t.name)!.size;
  if (t.kind === 'array') return elemSize(t.elem, layout) * t.len;
  return 0;
}

export function flatRules(s: StructLayout, layout: Layout): FlatRule[] {
  const out: FlatRule[] = [];
  const walk = (st: StructLayout, prefix: string, base: number) => {
    for (const f of st.fields) {
      const path = prefix + f.name;
      visit(
        f.type,
        path,
        base + f.offset,
        f.size,
        f.rules.map((r) => ({ kind: r.kind, bound: BigInt(r.bound), text: r.text })),
      );
    }
  };
  const visit = (
    t: FieldType,
    path: string,
    off: number,
    size: number,
    rules: { kind: RuleKind; bound: bigint; text: string }[],
  ) => {
    switch (t.kind) {
      case 'prim':
        for (const r of rules)
          out.push({
            path,
            offset: off,
            size,
            kind: r.kind,
            prim: t.prim,
            bound: r.bound,
            message: ruleMessage(path, r.kind, r.text, r.bound),
          });
        break;
      case 'pad':
        out.push({
          path,
          offset: off,
          size: t.len,
          kind: 'pad',
          bound: 0n,
          message: `${path} is not zero`,
        });
        break;
      case 'struct':
        walk(layout.byName.get(t.name)!, `${path}.`, off);
        break;
      case 'array': {
        const es = elemSize(t.elem, layout);
        if (t.elem.kind === 'prim') break;
        for (let i = 0; i < t.len; i++) visit(t.elem, `${path}[${i}]`, off + i * es, es, []);
        break;
      }
      default:
        break;
    }
  };
  walk(s, '', 0);
  return out;
}

/* Structs that declare a rule of their own or embed one that does. */
export function structsWithRules(layout: Layout): StructLayout[] {
  return layout.structs.filter((s) => flatRules(s, layout).some((r) => r.kind !== 'pad'));
}

/*
 * The structs the kernel checks, @rulecheck ones and the message header
 * and payloads that have rules or pads (net.ts): rules.c has a
 * scoutfs_*_invalid() for each (the TypeScript codecs carry every
 * struct's rules).  A tag on a struct without rules is an error.
 */
export function kernelRuleStructs(layout: Layout): StructLayout[] {
  const withRules = new Set(structsWithRules(layout).map((s) => s.name));
  const problems = layout.structs
    .filter((s) => s.rulecheck && !withRules.has(s.name))
    .map((s) => `${s.where.file}:${s.where.line}: ${s.name} is @rulecheck but has no rules`);
  if (problems.length) throw new SchemaError(problems);
  const net = netRuleStructs(layout);
  return layout.structs.filter((s) => s.rulecheck || net.has(s.name));
}
