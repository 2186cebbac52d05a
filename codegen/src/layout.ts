/*
 * Layout engine: sizes, offsets and alignment of every struct with natural
 * alignment, the rules of the C ABI on x86_64 and the other 64-bit Linux
 * architectures.  Implicit padding is refused: a hole before a field or at
 * the end of a struct is an error naming the struct, field and byte count,
 * so every pad is an explicit, zeroed, visible field.
 */
import { Area, FieldType, Ir, IrRule, IrStruct, Prim, Where } from './ir';
import { SchemaError } from './loader';

export interface FieldLayout {
  name: string;
  type: FieldType;
  offset: number;
  size: number;
  align: number;
  where: Where;
  rules: IrRule[];
  doc?: string;
}

export interface StructLayout {
  name: string;
  area: Area;
  cpu: boolean;
  padcheck: boolean;
  rulecheck: boolean;
  doc?: string;
  size: number;
  align: number;
  /* has a trailing flexible array */
  flexible: boolean;
  fields: FieldLayout[];
  where: Where;
}

export interface Layout {
  ir: Ir;
  /* structs in dependency order (a struct after every struct it embeds) */
  structs: StructLayout[];
  byName: Map<string, StructLayout>;
}

export function primSize(p: Prim): number {
  const bits = Number(p.replace(/^[a-z]+/, '')) || 8;
  return bits / 8;
}

export function typeString(t: FieldType): string {
  switch (t.kind) {
    case 'prim':
      return t.prim;
    case 'struct':
      return t.name;
    case 'array':
      return `${typeString(t.elem)}[${t.len}]`;
    case 'pad':
      return `pad[${t.len}]`;
    case 'flex':
      return `${typeString(t.elem)}[]`;
  }
}

export function computeLayout(ir: Ir): Layout {
  const problems: string[] = [];
  const decls = new Map(ir.structs.map((s) => [s.name, s]));
  const byName = new Map<string, StructLayout>();
  const order: StructLayout[] = [];
  const visiting = new Set<string>();
  const at = (w: Where) => `${w.file}:${w.line}`;

  const sizeOf = (
    t: FieldType,
    owner: IrStruct,
    w: Where,
  ): { size: number; align: number } | undefined => {
    switch (t.kind) {
      case 'prim': {
        const n = primSize(t.prim);
        return { size: n, align: n };
      }
      case 'pad':
        return { size: t.len, align: 1 };
      case 'array': {
        const e = sizeOf(t.elem, owner, w);
        return e && { size: e.size * t.len, align: e.align };
      }
      case 'flex': {
        const e = sizeOf(t.elem, owner, w);
        return e && { size: 0, align: e.align };
      }
      case 'struct': {
        const inner = decls.get(t.name);
        if (!inner) {
          problems.push(`${at(w)}: ${owner.name}: unknown type ${t.name}`);
          return undefined;
        }
        if ((owner.area === 'ioctl') !== (inner.area === 'ioctl')) {
          problems.push(
            `${at(w)}: ${owner.name} (${owner.area}) may not embed ${t.name} (${inner.area}): ioctl structs are host-endian, others little-endian`,
          );
          return undefined;
        }
        const l = visit(inner);
        if (!l) return undefined;
        if (l.flexible) {
          problems.push(`${at(w)}: ${owner.name} embeds ${t.name}, which ends in a flexible array`);
          return undefined;
        }
        return { size: l.size, align: l.align };
      }
    }
  };

  const visit = (s: IrStruct): StructLayout | undefined => {
    const done = byName.get(s.name);
    if (done) return done;
    if (visiting.has(s.name)) {
      problems.push(`${at(s.where)}: struct ${s.name} contains itself`);
      return undefined;
    }
    visiting.add(s.name);
    let offset = 0;
    let align = 1;
    let flexible = false;
    let ok = true;
    const fields: FieldLayout[] = [];
    s.fields.forEach((f, i) => {
      const sz = sizeOf(f.type, s, f.where);
      if (!sz) {
        ok = false;
        return;
      }
      if (f.type.kind === 'flex' && i !== s.fields.length - 1) {
        problems.push(
          `${at(f.where)}: ${s.name}.${f.name}: a flexible array must be the last field`,
        );
        ok = false;
      }
      const mis = offset % sz.align;
      if (mis) {
        const gap = sz.align - mis;
        problems.push(
          `${at(f.where)}: ${s.name}.${f.name}: implicit padding of ${gap} byte${gap > 1 ? 's' : ''} before offset ${offset + gap} (${typeString(f.type)} needs ${sz.align}-byte alignment); add an explicit Pad<${gap}> field before it`,
        );
        ok = false;
        offset += gap;
      }
      fields.push({
        name: f.name,
        type: f.type,
        offset,
        size: sz.size,
        align: sz.align,
        where: f.where,
        rules: f.rules ?? [],
        ...(f.doc === undefined ? {} : { doc: f.doc }),
      });
      offset += sz.size;
      align = Math.max(align, sz.align);
      if (f.type.kind === 'flex') flexible = true;
    });
    const tail = offset % align;
    if (tail) {
      const gap = align - tail;
      problems.push(
        `${at(s.where)}: ${s.name}: size ${offset} is not a multiple of its ${align}-byte alignment; add an explicit Pad<${gap}> field at the end`,
      );
      ok = false;
    }
    visiting.delete(s.name);
    if (!ok) return undefined;
    const l: StructLayout = {
      name: s.name,
      area: s.area,
      cpu: s.cpu,
      padcheck: s.padcheck,
      rulecheck: s.rulecheck,
      ...(s.doc === undefined ? {} : { doc: s.doc }),
      size: offset,
      align,
      flexible,
      fields,
      where: s.where,
    };
    byName.set(s.name, l);
    order.push(l);
    return l;
  };

  for (const s of ir.structs) visit(s);

  const needStruct = (name: string | null, what: string, w: Where, area: Area) => {
    if (name === null) return;
    const s = decls.get(name);
    if (!s) problems.push(`${at(w)}: ${what}: unknown struct ${name}`);
    else if (s.area !== area)
      problems.push(`${at(w)}: ${what}: ${name} is not declared in the ${area} schema`);
  };
  for (const i of ir.ioctls) needStruct(i.arg, `ioctl ${i.name}`, i.where, 'ioctl');
  for (const m of ir.messages) {
    needStruct(m.req, `message ${m.name} request`, m.where, 'net');
    needStruct(m.reply, `message ${m.name} reply`, m.where, 'net');
  }
  for (const i of ir.ioctls) {
    const l = byName.get(i.arg);
    if (l && l.size >= 1 << 14)
      problems.push(
        `${at(i.where)}: ioctl ${i.name}: argument of ${l.size} bytes exceeds the 14-bit _IOC size`,
      );
  }

  if (problems.length) throw new SchemaError([...new Set(problems)]);
  return { ir, structs: order, byName };
}
