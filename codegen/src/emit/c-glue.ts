/*
 * Kernel glue generated from the schemas, so the module's tables can never
 * drift from the format: the ioctl dispatch table with its handler
 * prototypes, the pad checks of @padcheck structs, CPU-order copies of @cpu
 * structs with conversion helpers, and the mount options (struct, parsing,
 * defaults, ranges, required options and show_options).
 *
 * Only what the module uses is emitted: userspace reads the same schemas
 * through the TypeScript codecs.
 */
import { FieldType, IrMountOption } from '../ir';
import { Layout, StructLayout } from '../layout';
import {
  cCpuStruct,
  cIoctl,
  cIoctlHandler,
  cMountOpt,
  cMountOptField,
  cStruct,
  snake,
} from '../names';
import { cComment, cDeclarator, cHeaderComment, guard } from './common';
import { FlatRule, flatRules, kernelRuleStructs } from '../rules';
import { netDispatchC, netDispatchH } from './net-check';
import { netSpec } from '../net';

function hasPads(t: FieldType, layout: Layout): boolean {
  switch (t.kind) {
    case 'pad':
      return true;
    case 'array':
    case 'flex':
      return t.elem.kind !== 'flex' && hasPads(t.elem, layout);
    case 'struct': {
      const s = layout.byName.get(t.name);
      return !!s && s.fields.some((f) => hasPads(f.type, layout));
    }
    default:
      return false;
  }
}

const padsFn = (s: string) => `scoutfs_${snake(s)}_pads_zero`;
const invalidFn = (s: string) => `scoutfs_${snake(s)}_invalid`;
const invalidProto = (s: string) =>
  `const char *${invalidFn(s)}(const struct ${cStruct(s)} *p, u64 *bad)`;

/* One rule's test in a scoutfs_*_invalid() function. */
function ruleCheck(r: FlatRule): string[] {
  const ret = [`		return "${r.message}";`, '	}'];
  if (r.kind === 'pad') {
    return [`	nz = memchr_inv(&p->${r.path}, 0, ${r.size});`, '	if (nz) {', '		*bad = *nz;', ...ret];
  }
  const prim = r.prim!;
  const v = prim.startsWith('le') ? `le${prim.slice(2)}_to_cpu(p->${r.path})` : `p->${r.path}`;
  const b = `0x${r.bound.toString(16)}ULL`;
  const cond = r.kind === 'min' ? `${v} < ${b}` : r.kind === 'max' ? `${v} > ${b}` : `${v} & ~${b}`;
  return [`	if (${cond}) {`, `		*bad = ${v};`, ...ret];
}

/* The structs that need CPU-order copies: @cpu ones and what they embed. */
function cpuStructs(layout: Layout): StructLayout[] {
  const need = new Set<string>();
  const add = (s: StructLayout) => {
    if (need.has(s.name)) return;
    need.add(s.name);
    for (const f of s.fields) {
      let t = f.type;
      while (t.kind === 'array') t = t.elem;
      if (t.kind === 'struct') add(layout.byName.get(t.name)!);
    }
  };
  layout.structs.filter((s) => s.cpu).forEach(add);
  return layout.structs.filter((s) => need.has(s.name));
}

function convert(f: { name: string; type: FieldType }, dir: 'cpu' | 'disk', depth = 0): string[] {
  const t = f.type;
  const d = `d->${f.name}`;
  const c = `c->${f.name}`;
  /* a one-byte pad is a scalar (cDeclarator) */
  const at = t.kind === 'pad' && t.len === 1 ? '&' : '';
  if (t.kind === 'pad') return dir === 'disk' ? [`\tmemset(${at}${d}, 0, sizeof(${d}));`] : [];
  if (t.kind === 'flex') return [];
  if (t.kind === 'prim') {
    if (!t.prim.startsWith('le')) return [dir === 'cpu' ? `\t${c} = ${d};` : `\t${d} = ${c};`];
    const bits = t.prim.slice(2);
    return [
      dir === 'cpu' ? `\t${c} = le${bits}_to_cpu(${d});` : `\t${d} = cpu_to_le${bits}(${c});`,
    ];
  }
  if (t.kind === 'struct') {
    const fn = `scoutfs_${snake(t.name)}_to_${dir}`;
    return [dir === 'cpu' ? `\t${fn}(&${c}, &${d});` : `\t${fn}(&${d}, &${c});`];
  }
  /* arrays: element-wise, one loop variable per nesting level */
  const i = `i${depth}`;
  const inner = convert({ name: `${f.name}[${i}]`, type: t.elem }, dir, depth + 1).map(
    (l) => '\t' + l,
  );
  return [`\tfor (${i} = 0; ${i} < ${t.len}; ${i}++)`, ...inner];
}

/*
 * The structs that get scoutfs_*_pads_zero(): @padcheck ones (exported)
 * and the structs with pads they embed (static helpers), in layout order.
 */
function padStructs(layout: Layout): { s: StructLayout; exported: boolean }[] {
  const need = new Set<string>();
  const add = (s: StructLayout) => {
    if (need.has(s.name)) return;
    need.add(s.name);
    for (const f of s.fields) {
      let t = f.type;
      while (t.kind === 'array') t = t.elem;
      if (t.kind === 'struct' && hasPads(t, layout)) add(layout.byName.get(t.name)!);
    }
  };
  layout.structs.filter((s) => s.padcheck).forEach(add);
  return layout.structs.filter((s) => need.has(s.name)).map((s) => ({ s, exported: s.padcheck }));
}

const padsProto = (s: StructLayout) => `bool ${padsFn(s.name)}(const struct ${cStruct(s.name)} *p)`;

const HANDLER_ARGS = '(struct file *file, unsigned long arg)';

/* The C member of a mount option in struct scoutfs_mount_options. */
function optMember(o: IrMountOption): string {
  const f = cMountOptField(o.name);
  switch (o.kind) {
    case 'string':
      return `char *${f};`;
    case 'u32':
      return o.def === null ? `int ${f};` : `u32 ${f};`;
    case 'flag':
      return `bool ${f};`;
  }
}

const OPT_FNS = {
  init: 'void scoutfs_mount_options_init(struct scoutfs_mount_options *opts)',
  parse:
    'int scoutfs_mount_options_parse(struct fs_context *fc, struct fs_parameter *param, struct scoutfs_mount_options *opts)',
  check:
    'int scoutfs_mount_options_check(struct fs_context *fc, const struct scoutfs_mount_options *opts)',
  show: 'void scoutfs_mount_options_show(struct seq_file *seq, const struct scoutfs_mount_options *opts)',
  free: 'void scoutfs_mount_options_free(struct scoutfs_mount_options *opts)',
  remountCheck:
    'int scoutfs_mount_options_remount_check(struct fs_context *fc, const struct scoutfs_mount_options *cur, const struct scoutfs_mount_options *req)',
  remountApply:
    'void scoutfs_mount_options_remount_apply(struct scoutfs_mount_options *cur, const struct scoutfs_mount_options *req)',
};

export function emitGlueH(layout: Layout): string {
  const ir = layout.ir;
  const g = guard('glue.h');
  const nr = ir.ioctls.length ? Math.max(...ir.ioctls.map((i) => i.nr)) + 1 : 0;
  const out: string[] = [
    cHeaderComment('Kernel glue generated from the schemas (see glue.c).'),
    `#ifndef ${g}\n#define ${g}\n`,
    `#include <linux/types.h>\n#include <linux/fs_parser.h>\n#include "format.h"\n#include "ioctl.h"\n${netSpec(layout) ? '#include "messages.h"\n' : ''}`,
    'struct file;\nstruct seq_file;\n',
  ];
  if (nr)
    out.push(
      '/*',
      ' * ioctls (format/ioctl.ts): the handler of each one not marked',
      ' * @unimplemented, and the table scoutfs_ioctl() dispatches through.',
      ' */',
      ...ir.ioctls
        .filter((i) => i.implemented)
        .map((i) => `long ${cIoctlHandler(i.name)}${HANDLER_ARGS};`),
      '',
      'struct scoutfs_ioctl_op {',
      '\tunsigned int cmd;',
      `\tlong (*handler)${HANDLER_ARGS};`,
      '};',
      '',
    );
  out.push(`#define SCOUTFS_IOCTL_NR ${nr}`);
  if (nr) out.push('extern const struct scoutfs_ioctl_op scoutfs_ioctl_ops[SCOUTFS_IOCTL_NR];');
  out.push('', ...netDispatchH(layout));

  const pads = padStructs(layout).filter((p) => p.exported);
  if (pads.length) {
    out.push('/* true when every explicit pad byte (also of embedded structs) is zero */');
    out.push(...pads.map((p) => `${padsProto(p.s)};`), '');
  }

  if (ir.mountOptions.length) {
    out.push('/* mount options (format/mount.ts) */', 'struct scoutfs_mount_options {');
    for (const o of ir.mountOptions) {
      const doc =
        o.kind === 'u32' && o.def === null
          ? `${o.doc ? o.doc + '; ' : ''}-1 when not given`
          : o.doc;
      out.push(...cComment(doc, '\t'), `\t${optMember(o)}`);
    }
    out.push(
      '\t/* the options parsing was given: bit N for the Nth one of mount.ts */',
      '\tu64 given;',
      '};',
      '',
    );
    out.push('extern const struct fs_parameter_spec scoutfs_param_specs[];');
    out.push(...Object.values(OPT_FNS).map((f) => `${f};`), '');
  }

  const cpus = cpuStructs(layout);
  if (cpus.length) out.push('/* CPU-order copies of on-disk structs and their conversions */');
  for (const s of cpus) {
    out.push(`struct ${cCpuStruct(s.name)} {`);
    for (const f of s.fields) {
      if (f.type.kind === 'pad' || f.type.kind === 'flex') continue;
      out.push(`\t${cDeclarator(f.name, f.type, true, cCpuStruct)};`);
    }
    out.push('};', '');
    for (const dir of ['cpu', 'disk'] as const) {
      const [dst, src] =
        dir === 'cpu'
          ? [`struct ${cCpuStruct(s.name)} *c`, `const struct ${cStruct(s.name)} *d`]
          : [`struct ${cStruct(s.name)} *d`, `const struct ${cCpuStruct(s.name)} *c`];
      const body = s.fields.flatMap((f) => convert(f, dir));
      const vars = [...new Set(body.join('\n').match(/\bi\d+(?= = 0)/g) ?? [])];
      out.push(`static inline void scoutfs_${snake(s.name)}_to_${dir}(${dst}, ${src})`, '{');
      if (vars.length) out.push(`\tint ${vars.join(', ')};`, '');
      out.push(...body, '}', '');
    }
  }
  out.push(`#endif /* ${g} */\n`);
  return out.join('\n');
}

function padCheck(expr: string, t: FieldType, layout: Layout, depth: number): string[] {
  const ind = '\t'.repeat(depth);
  switch (t.kind) {
    case 'pad':
      return [
        `${ind}if (memchr_inv(${t.len === 1 ? '&' : ''}${expr}, 0, sizeof(${expr})))`,
        `${ind}\treturn false;`,
      ];
    case 'struct':
      return hasPads(t, layout)
        ? [`${ind}if (!${padsFn(t.name)}(&${expr}))`, `${ind}\treturn false;`]
        : [];
    case 'array': {
      if (!hasPads(t.elem, layout)) return [];
      const v = `i${depth}`;
      return [
        `${ind}for (${v} = 0; ${v} < ${t.len}; ${v}++) {`,
        ...padCheck(`${expr}[${v}]`, t.elem, layout, depth + 1),
        `${ind}}`,
      ];
    }
    default:
      return [];
  }
}

function ioctlTable(layout: Layout): string[] {
  const ir = layout.ir;
  if (!ir.ioctls.length) return [];
  return [
    '/*',
    ' * Indexed by ioctl number.  cmd holds the direction and the size of the',
    ' * argument struct (the _IOC encoding of ioctl.h), so a call matches only',
    ' * with the exact ABI.  A NULL handler is an ioctl format/ioctl.ts marks',
    ' * @unimplemented: the module does not implement it yet (EOPNOTSUPP).',
    ' */',
    'const struct scoutfs_ioctl_op scoutfs_ioctl_ops[SCOUTFS_IOCTL_NR] = {',
    ...[...ir.ioctls]
      .sort((a, b) => a.nr - b.nr)
      .map(
        (i) =>
          `\t[${i.nr}] = { ${cIoctl(i.name)}, ${i.implemented ? cIoctlHandler(i.name) : 'NULL'} },`,
      ),
    '};',
    '',
  ];
}

function mountOptions(layout: Layout): string[] {
  const opts = layout.ir.mountOptions;
  if (!opts.length) return [];
  const f = (o: IrMountOption) => `opts->${cMountOptField(o.name)}`;
  const out: string[] = [
    'enum scoutfs_mount_opt {',
    ...opts.map((o) => `\t${cMountOpt(o.name)},`),
    '};',
    '',
    'const struct fs_parameter_spec scoutfs_param_specs[] = {',
    ...opts.map((o) => {
      const mac = { string: 'fsparam_string', u32: 'fsparam_u32', flag: 'fsparam_flag' }[o.kind];
      return `\t${mac}("${o.name}", ${cMountOpt(o.name)}),`;
    }),
    '\t{}',
    '};',
    '',
    '/* the defaults of the options that have one; -1 for numbers without */',
    OPT_FNS.init,
    '{',
  ];
  for (const o of opts)
    if (o.kind === 'u32') out.push(`\t${f(o)} = ${o.def === null ? -1 : o.def};`);
  out.push('}', '');

  const u32s = opts.filter((o) => o.kind === 'u32');
  if (u32s.length)
    out.push(
      'static int out_of_range(struct fs_context *fc, const char *key, u32 val, u32 min, u32 max)',
      '{',
      '\treturn invalfc(fc, "option %s=%u is outside %u..%u", key, val, min, max);',
      '}',
      '',
    );
  out.push('/* one option: unknown ones and values out of range are refused */');
  out.push(OPT_FNS.parse, '{', '\tstruct fs_parse_result result;', '\tint opt;', '');
  out.push('\topt = fs_parse(fc, scoutfs_param_specs, param, &result);', '\tif (opt < 0)');
  out.push('\t\treturn opt;', '', '\tswitch (opt) {');
  for (const o of opts) {
    out.push(`\tcase ${cMountOpt(o.name)}:`);
    if (o.kind === 'string') {
      out.push(`\t\tkfree(${f(o)});`, `\t\t${f(o)} = param->string;`, '\t\tparam->string = NULL;');
    } else if (o.kind === 'u32') {
      const conds = [];
      if (o.min > 0) conds.push(`result.uint_32 < ${o.min}`);
      if (o.max < 0xffffffff) conds.push(`result.uint_32 > ${o.max}`);
      if (conds.length)
        out.push(
          `\t\tif (${conds.join(' || ')})`,
          `\t\t\treturn out_of_range(fc, param->key, result.uint_32, ${o.min}, ${o.max});`,
        );
      out.push(`\t\t${f(o)} = result.uint_32;`);
    } else {
      out.push(`\t\t${f(o)} = true;`);
    }
    out.push('\t\tbreak;');
  }
  out.push('\t}', '\topts->given |= BIT_ULL(opt);', '\treturn 0;', '}', '');

  out.push('/* after the last option: the required ones must have been given */');
  out.push(OPT_FNS.check, '{');
  for (const o of opts)
    if (o.kind === 'string' && o.required)
      out.push(
        `\tif (!${f(o)})`,
        `\t\treturn invalfc(fc, "the ${o.name}= mount option is required");`,
      );
  out.push('\treturn 0;', '}', '');

  out.push('/* the options as /proc/mounts shows them: numbers only when not the default */');
  out.push(OPT_FNS.show, '{');
  for (const o of opts) {
    if (o.kind === 'string') {
      if (!o.required) out.push(`\tif (${f(o)})`);
      out.push(`${o.required ? '' : '\t'}\tseq_show_option(seq, "${o.name}", ${f(o)});`);
    } else if (o.kind === 'u32') {
      out.push(
        o.def === null ? `\tif (${f(o)} >= 0)` : `\tif (${f(o)} != ${o.def})`,
        `\t\tseq_printf(seq, ",${o.name}=%${o.def === null ? 'd' : 'u'}", ${f(o)});`,
      );
    } else {
      out.push(`\tif (${f(o)})`, `\t\tseq_puts(seq, ",${o.name}");`);
    }
  }
  out.push('}', '');

  out.push(OPT_FNS.free, '{');
  for (const o of opts) if (o.kind === 'string') out.push(`\tkfree(${f(o)});`, `\t${f(o)} = NULL;`);
  out.push('}', '');
  out.push(...remount(opts));
  return out;
}

/*
 * Remount: the options given (mount resends every option it knows of,
 * busybox's and util-linux's) are checked against the mounted ones, cur:
 * one that can't change on a live mount must be given its mounted value,
 * and the ones tagged @remount then take their new values.  An option not
 * given keeps its value.
 */
function remount(opts: IrMountOption[]): string[] {
  const given = (o: IrMountOption) => `req->given & BIT_ULL(${cMountOpt(o.name)})`;
  const cur = (o: IrMountOption) => `cur->${cMountOptField(o.name)}`;
  const req = (o: IrMountOption) => `req->${cMountOptField(o.name)}`;
  const fixed = opts.filter((o) => !o.remount);
  const out: string[] = [];
  const refuse = (how: string, args: string, tabs = '\t\t') => [
    `${tabs}return invalfc(fc, "%s cannot change at remount: mounted ${how}",`,
    `${tabs}\t       ${args});`,
  ];
  if (fixed.some((o) => o.kind === 'string'))
    out.push(
      'static int fixed_str(struct fs_context *fc, const char *key, const char *cur, const char *req)',
      '{',
      '\tif (!cur)',
      ...refuse('without it, asked for %s', 'key, req'),
      ...refuse('with %s, asked for %s', 'key, cur, req', '\t'),
      '}',
      '',
    );
  if (fixed.some((o) => o.kind === 'u32'))
    out.push(
      'static int fixed_u32(struct fs_context *fc, const char *key, s64 cur, u32 req)',
      '{',
      '\tif (cur < 0)',
      ...refuse('without it, asked for %u', 'key, req'),
      ...refuse('with %lld, asked for %u', 'key, cur, req', '\t'),
      '}',
      '',
    );
  out.push(
    '/* remount: the options given that cannot change must keep their mounted values */',
    OPT_FNS.remountCheck,
    '{',
  );
  for (const o of fixed) {
    out.push(`\tif (${given(o)} &&`);
    if (o.kind === 'string')
      out.push(
        `\t    (!${cur(o)} || strcmp(${cur(o)}, ${req(o)})))`,
        `\t\treturn fixed_str(fc, "${o.name}", ${cur(o)}, ${req(o)});`,
      );
    else if (o.kind === 'u32')
      out.push(
        `\t    ${cur(o)} != ${req(o)})`,
        `\t\treturn fixed_u32(fc, "${o.name}", ${cur(o)}, ${req(o)});`,
      );
    else
      out.push(
        `\t    !${cur(o)})`,
        `\t\treturn invalfc(fc, "${o.name} cannot change at remount: mounted without it");`,
      );
  }
  out.push('\treturn 0;', '}', '');
  out.push(
    '/* remount, once checked: the options given that can change (@remount) take effect */',
    OPT_FNS.remountApply,
    '{',
  );
  for (const o of opts.filter((o) => o.remount))
    out.push(`\tif (${given(o)})`, `\t\tWRITE_ONCE(${cur(o)}, ${req(o)});`);
  out.push('}', '');
  return out;
}

export function emitGlueC(layout: Layout): string {
  const out: string[] = [
    cHeaderComment('Kernel glue generated from the schemas.').replace(
      '/* SPDX-License-Identifier: GPL-2.0 */',
      '// SPDX-License-Identifier: GPL-2.0',
    ),
    '#include <linux/kernel.h>\n#include <linux/string.h>\n#include <linux/slab.h>\n#include <linux/seq_file.h>\n#include <linux/fs_context.h>\n#include "glue.h"\n',
    ...ioctlTable(layout),
    ...netDispatchC(layout),
  ];
  for (const { s, exported } of padStructs(layout)) {
    const checks = s.fields.flatMap((f) => padCheck(`p->${f.name}`, f.type, layout, 1));
    const vars = [...new Set(checks.join('\n').match(/\bi\d+(?= = 0)/g) ?? [])];
    out.push(`${exported ? '' : 'static '}${padsProto(s)}`, '{');
    if (vars.length) out.push(`\tint ${vars.join(', ')};`, '');
    out.push(...checks, '\treturn true;', '}', '');
  }
  out.push(...mountOptions(layout));
  return out.join('\n');
}

/*
 * rules.h / rules.c: the value rules of the schemas as C, one function per
 * struct that has any.  rules.c includes only kernel headers under
 * __KERNEL__, so a userspace test can build it (with its own leNN_to_cpu
 * and memchr_inv) and compare it with the TypeScript invalid() case by case.
 */
export function emitRulesH(layout: Layout): string {
  const g = guard('rules.h');
  return [
    cHeaderComment('Value rules of the on-disk structs (see rules.c).'),
    `#ifndef ${g}\n#define ${g}\n`,
    kernelRuleStructs(layout).some((s) => s.area === 'net')
      ? '#include "format.h"\n#include "messages.h"\n'
      : '#include "format.h"\n',
    '/*',
    ' * The first rule of the schemas (@min/@max/@mask, zero pads) that *p',
    ' * breaks, as a sentence naming the field, with the bad value in *bad;',
    ' * NULL when the struct keeps them all.',
    ' */',
    ...kernelRuleStructs(layout).map((s) => `${invalidProto(s.name)};`),
    '',
    `#endif /* ${g} */\n`,
  ].join('\n');
}

export function emitRulesC(layout: Layout): string {
  const out: string[] = [
    cHeaderComment(
      "Value rules of the on-disk structs, from the schemas' @min/@max/@mask tags.",
    ).replace('/* SPDX-License-Identifier: GPL-2.0 */', '// SPDX-License-Identifier: GPL-2.0'),
    '#ifdef __KERNEL__\n#include <linux/kernel.h>\n#include <linux/string.h>\n#endif\n#include "rules.h"\n',
  ];
  for (const s of kernelRuleStructs(layout)) {
    const rules = flatRules(s, layout);
    out.push(invalidProto(s.name), '{');
    if (rules.some((r) => r.kind === 'pad')) out.push('\tconst u8 *nz;', '');
    out.push(...rules.flatMap(ruleCheck), '\treturn NULL;', '}', '');
  }
  return out.join('\n');
}
