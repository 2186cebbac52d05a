/*
 * Kernel glue generated from the schemas, so the module's tables can never
 * drift from the format: network command table with payload sizes and
 * validation, ioctl table, enum name lookups, pad checks, CPU-order copies
 * of @cpu structs with conversion helpers, and the mount option spec.
 */
import { FieldType, IrEnum } from '../ir';
import { Layout, StructLayout } from '../layout';
import { cCpuStruct, cEnumMember, cIoctl, cMountOpt, cNetCmd, cStruct, snake } from '../names';
import { cDeclarator, cHeaderComment, guard } from './common';
import { FlatRule, flatRules, structsWithRules } from '../rules';

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
const nameFn = (e: string) => `scoutfs_${snake(e)}_name`;

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
  if (t.kind === 'pad') return dir === 'disk' ? [`\tmemset(${d}, 0, sizeof(${d}));`] : [];
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

export function emitGlueH(layout: Layout): string {
  const ir = layout.ir;
  const g = guard('glue.h');
  const out: string[] = [
    cHeaderComment('Kernel glue generated from the schemas (see glue.c).'),
    `#ifndef ${g}\n#define ${g}\n`,
    '#include <linux/types.h>\n#include <linux/fs_parser.h>\n#include "format.h"\n#include "ioctl.h"\n#include "messages.h"\n',
    '/* network commands */',
    'struct scoutfs_net_cmd_info {',
    '\tconst char *name;',
    '\tu16 req_size;',
    '\tu16 reply_size;',
    '\tbool valid;',
    '};',
    'extern const struct scoutfs_net_cmd_info scoutfs_net_cmd_info[SCOUTFS_NET_CMD_NR];',
    'int scoutfs_net_check_payload(u8 cmd, bool reply, unsigned int data_len);',
    '',
    '/* ioctls */',
    'struct scoutfs_ioctl_info {',
    '\tconst char *name;',
    '\tunsigned int cmd;',
    '\tu8 nr;',
    '\tu16 arg_size;',
    '};',
    `#define SCOUTFS_IOCTL_NR ${ir.ioctls.length ? Math.max(...ir.ioctls.map((i) => i.nr)) + 1 : 0}`,
    'extern const struct scoutfs_ioctl_info scoutfs_ioctl_info[SCOUTFS_IOCTL_NR];',
    '',
    '/* enum value names (NULL when unknown) */',
    ...ir.enums
      .filter((e) => e.area !== 'mount')
      .map((e) => `const char *${nameFn(e.name)}(u64 val);`),
    '',
    '/* true when every explicit pad byte (also of embedded structs) is zero */',
    ...layout.structs
      .filter((s) => s.fields.some((f) => hasPads(f.type, layout)))
      .map((s) => `bool ${padsFn(s.name)}(const struct ${cStruct(s.name)} *p);`),
    '',
    '/* mount options */',
    'enum scoutfs_mount_opt {',
    ...ir.mountOptions.map((o) => `\t${cMountOpt(o.name)},`),
    '\tSCOUTFS_OPT_NR,',
    '};',
    'enum scoutfs_mount_opt_kind {',
    '\tSCOUTFS_OPT_KIND_STRING,',
    '\tSCOUTFS_OPT_KIND_U32,',
    '\tSCOUTFS_OPT_KIND_FLAG,',
    '};',
    'struct scoutfs_mount_opt_info {',
    '\tconst char *name;',
    '\tenum scoutfs_mount_opt_kind kind;',
    '\tbool required;',
    '\tbool has_def;',
    '\tu32 min;',
    '\tu32 max;',
    '\tu32 def;',
    '};',
    'extern const struct scoutfs_mount_opt_info scoutfs_mount_opt_info[SCOUTFS_OPT_NR];',
    'extern const struct fs_parameter_spec scoutfs_param_specs[];',
    '',
  ];

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
      return [`${ind}if (memchr_inv(${expr}, 0, sizeof(${expr})))`, `${ind}\treturn false;`];
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

function enumNameFn(e: IrEnum): string[] {
  return [
    `const char *${nameFn(e.name)}(u64 val)`,
    '{',
    '\tswitch (val) {',
    ...e.members.flatMap((m) => [
      `\tcase ${cEnumMember(e.name, m.name)}:`,
      `\t\treturn "${m.name}";`,
    ]),
    '\t}',
    '\treturn NULL;',
    '}',
    '',
  ];
}

export function emitGlueC(layout: Layout): string {
  const ir = layout.ir;
  const size = (n: string | null) => (n === null ? '0' : `sizeof(struct ${cStruct(n)})`);
  const out: string[] = [
    cHeaderComment('Kernel glue generated from the schemas.').replace(
      '/* SPDX-License-Identifier: GPL-2.0 */',
      '// SPDX-License-Identifier: GPL-2.0',
    ),
    '#include <linux/kernel.h>\n#include <linux/string.h>\n#include <linux/errno.h>\n#include "glue.h"\n',
    'const struct scoutfs_net_cmd_info scoutfs_net_cmd_info[SCOUTFS_NET_CMD_NR] = {',
    ...[...ir.messages]
      .sort((a, b) => a.cmd - b.cmd)
      .map(
        (m) =>
          `\t[${cNetCmd(m.name)}] = { .name = "${m.name}", .req_size = ${size(m.req)}, .reply_size = ${size(m.reply)}, .valid = true },`,
      ),
    '};',
    '',
    '/*',
    ' * Payloads are fixed-size per command and direction: anything else is',
    ' * a malformed or hostile message and is refused before a handler runs.',
    ' */',
    'int scoutfs_net_check_payload(u8 cmd, bool reply, unsigned int data_len)',
    '{',
    '\tconst struct scoutfs_net_cmd_info *info;',
    '',
    '\tif (cmd >= SCOUTFS_NET_CMD_NR || !scoutfs_net_cmd_info[cmd].valid)',
    '\t\treturn -EPROTO;',
    '\tinfo = &scoutfs_net_cmd_info[cmd];',
    '\tif (data_len != (reply ? info->reply_size : info->req_size))',
    '\t\treturn -EBADMSG;',
    '\treturn 0;',
    '}',
    '',
    'const struct scoutfs_ioctl_info scoutfs_ioctl_info[SCOUTFS_IOCTL_NR] = {',
    ...ir.ioctls.map(
      (i) =>
        `\t[${i.nr}] = { .name = "${i.name}", .cmd = ${cIoctl(i.name)}, .nr = ${i.nr}, .arg_size = ${size(i.arg)} },`,
    ),
    '};',
    '',
    ...ir.enums.filter((e) => e.area !== 'mount').flatMap(enumNameFn),
  ];
  for (const s of layout.structs) {
    if (!s.fields.some((f) => hasPads(f.type, layout))) continue;
    const checks = s.fields.flatMap((f) => padCheck(`p->${f.name}`, f.type, layout, 1));
    const vars = [...new Set(checks.join('\n').match(/\bi\d+(?= = 0)/g) ?? [])];
    out.push(`bool ${padsFn(s.name)}(const struct ${cStruct(s.name)} *p)`, '{');
    if (vars.length) out.push(`\tint ${vars.join(', ')};`, '');
    out.push(...checks, '\treturn true;', '}', '');
  }
  out.push('const struct scoutfs_mount_opt_info scoutfs_mount_opt_info[SCOUTFS_OPT_NR] = {');
  for (const o of ir.mountOptions) {
    const fields =
      o.kind === 'string'
        ? `.kind = SCOUTFS_OPT_KIND_STRING, .required = ${o.required}`
        : o.kind === 'u32'
          ? `.kind = SCOUTFS_OPT_KIND_U32, .min = ${o.min}, .max = ${o.max}` +
            (o.def === null ? '' : `, .has_def = true, .def = ${o.def}`)
          : '.kind = SCOUTFS_OPT_KIND_FLAG';
    out.push(`\t[${cMountOpt(o.name)}] = { .name = "${o.name}", ${fields} },`);
  }
  out.push('};', '');
  out.push('const struct fs_parameter_spec scoutfs_param_specs[] = {');
  for (const o of ir.mountOptions) {
    const mac =
      o.kind === 'string' ? 'fsparam_string' : o.kind === 'u32' ? 'fsparam_u32' : 'fsparam_flag';
    out.push(`\t${mac}("${o.name}", ${cMountOpt(o.name)}),`);
  }
  out.push('\t{}', '};', '');
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
    '#include "format.h"\n',
    '/*',
    ' * The first rule of the schemas (@min/@max/@mask, zero pads) that *p',
    ' * breaks, as a sentence naming the field, with the bad value in *bad;',
    ' * NULL when the struct keeps them all.',
    ' */',
    ...structsWithRules(layout).map((s) => `${invalidProto(s.name)};`),
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
  for (const s of structsWithRules(layout)) {
    const rules = flatRules(s, layout);
    out.push(invalidProto(s.name), '{');
    if (rules.some((r) => r.kind === 'pad')) out.push('\tconst u8 *nz;', '');
    out.push(...rules.flatMap(ruleCheck), '\treturn NULL;', '}', '');
  }
  return out.join('\n');
}
