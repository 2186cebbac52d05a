/*
 * Loader: reads the schema declarations in a format directory with ts-morph
 * and produces the plain IR.  Only the constructs documented in
 * format/types.ts are understood; anything else is an error naming the
 * file and line, so a schema can never silently mean something else.
 */
import * as path from 'path';
import {
  Expression,
  InterfaceDeclaration,
  Node,
  Project,
  PropertySignature,
  SourceFile,
  SyntaxKind,
  TypeNode,
} from 'ts-morph';
import {
  Area,
  FieldType,
  Ir,
  IrEnum,
  IrField,
  IrMountOption,
  IrStruct,
  Prim,
  PRIMS,
  RULE_KINDS,
  RuleKind,
  Where,
  checkIr,
} from './ir';

export class SchemaError extends Error {
  constructor(public readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'SchemaError';
  }
}

/* The vocabulary file: declares the types, is not itself a schema. */
export const VOCABULARY_FILE = 'types.ts';

const SPECIAL: Record<string, Area> = { Ioctls: 'ioctl', Messages: 'net', MountOptions: 'mount' };
const KNOWN_JSDOC_TAGS = new Set(['cpu', 'padcheck', 'rulecheck']);
const IOCTL_TAGS = new Set(['unimplemented']);
const MESSAGE_TAGS = new Set(['server', 'client']);
/* a mount option that may change on a live mount (remount) */
const MOUNT_TAGS = new Set(['remount']);
/* the kernel keeps which options were given in a u64 bit mask */
const MAX_MOUNT_OPTIONS = 64;
const C_IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
const U32_MAX = 4294967295;

export function areaOfFile(file: string): Area {
  switch (path.basename(file)) {
    case 'ioctl.ts':
      return 'ioctl';
    case 'net.ts':
      return 'net';
    case 'mount.ts':
      return 'mount';
    default:
      return 'disk';
  }
}

interface PendingEnum {
  e: IrEnum;
  members: { name: string; init: Expression; doc?: string }[];
}

/* A field rule tag, resolved once every const and enum has its value. */
interface PendingRule {
  field: IrField;
  what: string;
  kind: RuleKind;
  text: string;
  node: Node;
}

interface PendingConst {
  name: string;
  expr: Expression;
  where: Where;
  area: Area;
  doc?: string;
}

/*
 * The comment right above a declaration (no blank line between), without
 * its delimiters and JSDoc tags: the generated C and TypeScript carry it.
 */
export function docOf(node: Node): string | undefined {
  const sf = node.getSourceFile();
  const text = sf.getFullText();
  const lineOf = (pos: number) => sf.getLineAndColumnAtPos(pos).line;
  let line = node.getStartLineNumber();
  const kept: string[] = [];
  for (const r of [...node.getLeadingCommentRanges()].reverse()) {
    if (lineOf(r.getEnd()) < line - 1) break;
    kept.unshift(text.slice(r.getPos(), r.getEnd()));
    line = lineOf(r.getPos());
  }
  const lines = kept.flatMap((c) =>
    c.startsWith('//')
      ? [c.replace(/^\/\/ ?/, '')]
      : c
          .replace(/^\/\*\*?/, '')
          .replace(/\*\/$/, '')
          .split('\n')
          .map((l) => l.replace(/^\s*\* ?/, '').replace(/^\s+/, '')),
  );
  const out = lines.map((l) => l.trimEnd()).filter((l) => !l.startsWith('@'));
  while (out.length && !out[0]) out.shift();
  while (out.length && !out[out.length - 1]) out.pop();
  return out.length ? out.join('\n') : undefined;
}

/* A numeric literal as written, when C and TypeScript can both spell it so. */
function literalOf(e: Expression): string | undefined {
  if (!Node.isNumericLiteral(e) && !Node.isBigIntLiteral(e)) return undefined;
  const t = e.getText().replace(/_/g, '').replace(/n$/, '');
  return /^(0[xX][0-9a-fA-F]+|0|[1-9][0-9]*)$/.test(t) ? t : undefined;
}

/* Set optional IR properties only when they have a value (the IR is strict). */
function withOpt<T extends object>(o: T, extra: Record<string, string | undefined>): T {
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) Object.assign(o, { [k]: v });
  return o;
}

class Loader {
  private problems: string[] = [];
  private ir: Ir = {
    structs: [],
    enums: [],
    consts: [],
    ioctls: [],
    messages: [],
    mountOptions: [],
  };
  private pendingConsts = new Map<string, PendingConst>();
  private pendingEnums: PendingEnum[] = [];
  private pendingRules: PendingRule[] = [];
  private constValues = new Map<string, bigint>();
  private evaluating = new Set<string>();

  constructor(private readonly base: string) {}

  private where(node: Node): Where {
    const file =
      path.relative(this.base, node.getSourceFile().getFilePath()) ||
      node.getSourceFile().getBaseName();
    return { file, line: node.getStartLineNumber() };
  }

  private fail(node: Node, msg: string): void {
    const w = this.where(node);
    this.problems.push(`${w.file}:${w.line}: ${msg}`);
  }

  load(files: SourceFile[]): Ir {
    for (const sf of files) this.loadFile(sf);
    for (const name of this.pendingConsts.keys()) this.evalConst(name);
    /* enum values may use constants of any file */
    for (const pe of this.pendingEnums) {
      for (const m of pe.members) {
        const v = this.evalExpr(m.init);
        if (v !== undefined)
          pe.e.members.push(
            withOpt(
              { name: m.name, value: v.toString() },
              { literal: literalOf(m.init), doc: m.doc },
            ),
          );
      }
      this.ir.enums.push(pe.e);
    }
    for (const c of this.pendingConsts.values()) {
      const v = this.constValues.get(c.name);
      if (v !== undefined)
        this.ir.consts.push(
          withOpt(
            { name: c.name, area: c.area, value: v.toString(), where: c.where },
            { literal: literalOf(c.expr), doc: c.doc },
          ),
        );
    }
    for (const r of this.pendingRules) this.resolveRule(r);
    this.checkDuplicates();
    if (this.problems.length) throw new SchemaError(this.problems);
    checkIr(this.ir);
    return this.ir;
  }

  private checkDuplicates(): void {
    const seen = new Map<string, Where>();
    const note = (kind: string, name: string, w: Where) => {
      const prev = seen.get(`${kind}:${name}`);
      if (prev)
        this.problems.push(
          `${w.file}:${w.line}: ${kind} ${name} already declared at ${prev.file}:${prev.line}`,
        );
      else seen.set(`${kind}:${name}`, w);
    };
    for (const s of this.ir.structs) note('type', s.name, s.where);
    for (const e of this.ir.enums) note('type', e.name, e.where);
    for (const i of this.ir.ioctls) note('ioctl', i.name, i.where);
    for (const m of this.ir.messages) note('message', m.name, m.where);
    const nrs = new Map<number, string>();
    for (const i of this.ir.ioctls) {
      const prev = nrs.get(i.nr);
      if (prev)
        this.problems.push(
          `${i.where.file}:${i.where.line}: ioctl ${i.name} reuses number ${i.nr} of ${prev}`,
        );
      nrs.set(i.nr, i.name);
    }
    const cmds = new Map<number, string>();
    for (const m of this.ir.messages) {
      const prev = cmds.get(m.cmd);
      if (prev)
        this.problems.push(
          `${m.where.file}:${m.where.line}: message ${m.name} reuses command ${m.cmd} of ${prev}`,
        );
      cmds.set(m.cmd, m.name);
    }
  }

  private loadFile(sf: SourceFile): void {
    const area = areaOfFile(sf.getFilePath());
    for (const st of sf.getStatements()) {
      if (Node.isImportDeclaration(st)) {
        if (!st.isTypeOnly()) this.fail(st, 'schema imports must be `import type`');
        if (!st.getModuleSpecifierValue().startsWith('./'))
          this.fail(
            st,
            `schemas may only import other schema files, not '${st.getModuleSpecifierValue()}'`,
          );
      } else if (Node.isInterfaceDeclaration(st)) {
        this.loadInterface(st, area);
      } else if (Node.isEnumDeclaration(st)) {
        if (!st.isExported()) this.fail(st, `enum ${st.getName()} must be exported`);
        const pe: PendingEnum = {
          e: withOpt(
            { name: st.getName(), area, members: [], where: this.where(st) },
            { doc: docOf(st) },
          ),
          members: [],
        };
        for (const m of st.getMembers()) {
          const init = m.getInitializer();
          if (!init) {
            this.fail(m, `enum member ${st.getName()}.${m.getName()} needs an explicit value`);
            continue;
          }
          pe.members.push({ name: m.getName(), init, doc: docOf(m) });
        }
        if (pe.members.length === 0) this.fail(st, `enum ${st.getName()} has no members`);
        this.pendingEnums.push(pe);
      } else if (Node.isVariableStatement(st)) {
        if (!st.isExported() || st.getDeclarationKind() !== 'const')
          this.fail(st, 'only `export const NAME = value;` declarations are allowed');
        for (const d of st.getDeclarations()) {
          const init = d.getInitializer();
          if (!init || d.getTypeNode()) {
            this.fail(
              d,
              `const ${d.getName()} must be a plain initialised constant without a type annotation`,
            );
            continue;
          }
          if (this.pendingConsts.has(d.getName())) {
            this.fail(d, `const ${d.getName()} declared twice`);
            continue;
          }
          this.pendingConsts.set(d.getName(), {
            name: d.getName(),
            expr: init,
            where: this.where(d),
            area,
            doc: docOf(st),
          });
        }
      } else {
        this.fail(
          st,
          `unsupported declaration (${st.getKindName()}): schemas hold interfaces, enums and consts only`,
        );
      }
    }
  }

  /* the tags of a struct: @cpu, @padcheck, @rulecheck */
  private structTags(decl: InterfaceDeclaration): Set<string> {
    const tags = new Set<string>();
    for (const doc of decl.getJsDocs()) {
      for (const tag of doc.getTags()) {
        const name = tag.getTagName();
        if (!KNOWN_JSDOC_TAGS.has(name))
          this.fail(
            tag,
            `unknown schema tag @${name} (known: ${[...KNOWN_JSDOC_TAGS].map((t) => '@' + t).join(', ')})`,
          );
        tags.add(name);
      }
    }
    return tags;
  }

  /* @min/@max/@mask tags of a field: only on integer fields */
  private fieldRules(p: PropertySignature, field: IrField, what: string): void {
    for (const doc of p.getJsDocs()) {
      for (const tag of doc.getTags()) {
        const kind = tag.getTagName() as RuleKind;
        if (!RULE_KINDS.includes(kind)) {
          this.fail(
            tag,
            `${what}: unknown field tag @${tag.getTagName()} (known: ${RULE_KINDS.map((k) => '@' + k).join(', ')})`,
          );
          continue;
        }
        if (field.type.kind !== 'prim' || field.type.prim.startsWith('s')) {
          this.fail(tag, `${what}: @${kind} needs an unsigned integer field`);
          continue;
        }
        const text = (tag.getCommentText() ?? '').trim();
        if (!text) {
          this.fail(tag, `${what}: @${kind} needs a bound (a number, a const, an enum, or A | B)`);
          continue;
        }
        this.pendingRules.push({ field, what, kind, text, node: tag });
      }
    }
  }

  /*
   * A bound is terms joined by `|`: numbers, const names, Enum.MEMBER, or
   * an enum name (the OR of its members, for @mask).
   */
  private resolveRule(r: PendingRule): void {
    let bound = 0n;
    for (const term of r.text.split('|').map((t) => t.trim())) {
      let v: bigint | undefined;
      if (/^(0x[0-9a-fA-F]+|0o[0-7]+|[0-9]+)$/.test(term)) v = BigInt(term);
      else if (this.constValues.has(term)) v = this.constValues.get(term);
      else {
        const [en, member] = term.split('.');
        const e = this.ir.enums.find((x) => x.name === en);
        if (e && member === undefined) v = e.members.reduce((a, m) => a | BigInt(m.value), 0n);
        else if (e) {
          const m = e.members.find((x) => x.name === member);
          if (m) v = BigInt(m.value);
        }
      }
      if (v === undefined || v < 0n) {
        this.fail(r.node, `${r.what}: @${r.kind} term '${term}' is not a number, const or enum`);
        return;
      }
      bound |= v;
    }
    const prim = (r.field.type as { prim: Prim }).prim;
    const bits = BigInt(prim.replace(/^[a-z]+/, ''));
    if (bound >= 1n << bits) {
      this.fail(r.node, `${r.what}: @${r.kind} ${r.text} (${bound}) does not fit a ${prim}`);
      return;
    }
    (r.field.rules ??= []).push({ kind: r.kind, bound: bound.toString(), text: r.text });
  }

  private loadInterface(decl: InterfaceDeclaration, area: Area): void {
    const name = decl.getName();
    if (!decl.isExported()) this.fail(decl, `interface ${name} must be exported`);
    if (decl.getTypeParameters().length)
      this.fail(decl, `interface ${name} may not have type parameters`);
    if (decl.getExtends().length)
      this.fail(decl, `interface ${name} may not extend other interfaces`);
    for (const m of decl.getMembers()) {
      if (!Node.isPropertySignature(m))
        this.fail(m, `interface ${name}: only plain fields are allowed (found ${m.getKindName()})`);
    }
    const props = decl.getProperties();
    for (const p of props) {
      if (p.hasQuestionToken())
        this.fail(p, `${name}.${p.getName()}: optional fields are not allowed`);
    }

    const special = SPECIAL[name];
    if (special) {
      if (special !== area) {
        this.fail(decl, `interface ${name} belongs in ${special === 'net' ? 'net' : special}.ts`);
        return;
      }
      for (const p of props) {
        if (special === 'ioctl') this.loadIoctl(p);
        else if (special === 'net') this.loadMessage(p);
        else this.loadMountOption(p);
      }
      return;
    }
    if (area === 'mount') {
      this.fail(decl, `mount.ts may only declare the MountOptions interface, not ${name}`);
      return;
    }

    const tags = this.structTags(decl);
    const s: IrStruct = withOpt(
      {
        name,
        area,
        cpu: tags.has('cpu'),
        padcheck: tags.has('padcheck'),
        rulecheck: tags.has('rulecheck'),
        fields: [],
        where: this.where(decl),
      },
      { doc: docOf(decl) },
    );
    for (const p of props) {
      if (!C_IDENT.test(p.getName())) {
        this.fail(p, `${name}.${p.getName()}: field names must be C identifiers`);
        continue;
      }
      const t = this.fieldType(p.getTypeNodeOrThrow(), `${name}.${p.getName()}`, area);
      if (!t) continue;
      const field: IrField = withOpt(
        { name: p.getName(), type: t, where: this.where(p) },
        { doc: docOf(p) },
      );
      this.fieldRules(p, field, `${name}.${p.getName()}`);
      s.fields.push(field);
    }
    if (props.length === 0) this.fail(decl, `struct ${name} has no fields`);
    this.ir.structs.push(s);
  }

  private typeArgs(
    node: TypeNode,
    what: string,
    generic: string,
    count: number,
  ): TypeNode[] | undefined {
    if (!Node.isTypeReference(node) || node.getTypeName().getText() !== generic) {
      this.fail(node, `${what}: expected ${generic}<...>, found '${node.getText()}'`);
      return undefined;
    }
    const args = node.getTypeArguments();
    if (args.length !== count) {
      this.fail(node, `${what}: ${generic} takes ${count} type arguments`);
      return undefined;
    }
    return args;
  }

  private numberArg(node: TypeNode, what: string): number | undefined {
    if (Node.isLiteralTypeNode(node)) {
      const lit = node.getLiteral();
      if (Node.isNumericLiteral(lit)) return lit.getLiteralValue();
    }
    this.fail(node, `${what}: expected a number literal, found '${node.getText()}'`);
    return undefined;
  }

  private stringArg(node: TypeNode, what: string, allowed: string[]): string | undefined {
    if (Node.isLiteralTypeNode(node)) {
      const lit = node.getLiteral();
      if (Node.isStringLiteral(lit) && allowed.includes(lit.getLiteralValue()))
        return lit.getLiteralValue();
    }
    this.fail(
      node,
      `${what}: expected one of ${allowed.map((a) => `'${a}'`).join(', ')}, found '${node.getText()}'`,
    );
    return undefined;
  }

  private structArg(node: TypeNode, what: string, allowNone: boolean): string | null | undefined {
    if (Node.isTypeReference(node) && node.getTypeArguments().length === 0) {
      const n = node.getTypeName().getText();
      if (n === 'None') {
        if (allowNone) return null;
      } else if (!(PRIMS as readonly string[]).includes(n)) {
        return n;
      }
    }
    this.fail(
      node,
      `${what}: expected a struct name${allowNone ? ' or None' : ''}, found '${node.getText()}'`,
    );
    return undefined;
  }

  private loadIoctl(p: PropertySignature): void {
    const what = `ioctl ${p.getName()}`;
    const args = this.typeArgs(p.getTypeNodeOrThrow(), what, 'Ioctl', 3);
    if (!args) return;
    const nr = this.numberArg(args[0], what);
    const dir = this.stringArg(args[1], what, ['N', 'R', 'W', 'WR']) as
      'N' | 'R' | 'W' | 'WR' | undefined;
    const arg = this.structArg(args[2], what, false);
    if (nr === undefined || dir === undefined || !arg) return;
    if (!Number.isInteger(nr) || nr < 0 || nr > 255) {
      this.fail(p, `${what}: number ${nr} out of range 0..255`);
      return;
    }
    let implemented = true;
    for (const doc of p.getJsDocs()) {
      for (const tag of doc.getTags()) {
        if (!IOCTL_TAGS.has(tag.getTagName()))
          this.fail(tag, `${what}: unknown ioctl tag @${tag.getTagName()} (known: @unimplemented)`);
        if (tag.getTagName() === 'unimplemented') implemented = false;
      }
    }
    this.ir.ioctls.push(
      withOpt(
        { name: p.getName(), nr, dir, arg, implemented, where: this.where(p) },
        { doc: docOf(p) },
      ),
    );
  }

  private loadMessage(p: PropertySignature): void {
    const what = `message ${p.getName()}`;
    const args = this.typeArgs(p.getTypeNodeOrThrow(), what, 'Message', 3);
    if (!args) return;
    const cmd = this.numberArg(args[0], what);
    const req = this.structArg(args[1], what, true);
    const reply = this.structArg(args[2], what, true);
    if (cmd === undefined || req === undefined || reply === undefined) return;
    if (!Number.isInteger(cmd) || cmd < 0 || cmd > 255) {
      this.fail(p, `${what}: command ${cmd} out of range 0..255`);
      return;
    }
    const handlers = new Set<'server' | 'client'>();
    for (const doc of p.getJsDocs()) {
      for (const tag of doc.getTags()) {
        const t = tag.getTagName();
        if (MESSAGE_TAGS.has(t)) handlers.add(t as 'server' | 'client');
        else this.fail(tag, `${what}: unknown message tag @${t} (known: @server, @client)`);
      }
    }
    this.ir.messages.push({
      name: p.getName(),
      cmd,
      req,
      reply,
      handlers: (['server', 'client'] as const).filter((h) => handlers.has(h)),
      where: this.where(p),
    });
  }

  private loadMountOption(p: PropertySignature): void {
    const what = `mount option ${p.getName()}`;
    const t = p.getTypeNodeOrThrow();
    const w = this.where(p);
    const generic = Node.isTypeReference(t) ? t.getTypeName().getText() : '';
    let opt: IrMountOption | undefined;
    if (generic === 'OptString') {
      const a = this.typeArgs(t, what, 'OptString', 1);
      const need = a && this.typeNameArg(a[0], what, ['Required', 'Optional']);
      if (need)
        opt = { name: p.getName(), kind: 'string', required: need === 'Required', where: w };
    } else if (generic === 'OptU32') {
      const a = this.typeArgs(t, what, 'OptU32', 3);
      if (!a) return;
      const min = this.numberArg(a[0], what);
      const max = this.numberArg(a[1], what);
      let def: number | null | undefined = null;
      if (!(Node.isTypeReference(a[2]) && a[2].getTypeName().getText() === 'NoDefault'))
        def = this.numberArg(a[2], what);
      if (min === undefined || max === undefined || def === undefined) return;
      for (const [n, v] of [
        ['min', min],
        ['max', max],
        ['default', def],
      ] as const) {
        if (v !== null && (!Number.isInteger(v) || v < 0 || v > U32_MAX)) {
          this.fail(p, `${what}: ${n} ${v} is not a u32 (0..${U32_MAX})`);
          return;
        }
      }
      if (min > max) this.fail(p, `${what}: min ${min} > max ${max}`);
      /* the kernel keeps an option without a default in an int, -1 when not given */
      if (def === null && max > 0x7fffffff)
        this.fail(p, `${what}: an option without a default must stay below 2^31 (max ${max})`);
      if (def !== null && (def < min || def > max))
        this.fail(p, `${what}: default ${def} outside ${min}..${max}`);
      opt = { name: p.getName(), kind: 'u32', min, max, def, where: w };
    } else if (generic === 'OptFlag') {
      opt = { name: p.getName(), kind: 'flag', where: w };
    } else {
      this.fail(
        t,
        `${what}: expected OptString<...>, OptU32<...> or OptFlag, found '${t.getText()}'`,
      );
    }
    if (!opt) return;
    for (const doc of p.getJsDocs()) {
      for (const tag of doc.getTags()) {
        if (!MOUNT_TAGS.has(tag.getTagName()))
          this.fail(
            tag,
            `${what}: unknown mount option tag @${tag.getTagName()} (known: @remount)`,
          );
        else if (opt.kind === 'string')
          /* its readers take no lock: a string can't be freed under them */
          this.fail(tag, `${what}: a string option cannot be @remount`);
        else opt.remount = true;
      }
    }
    if (this.ir.mountOptions.length === MAX_MOUNT_OPTIONS)
      this.fail(p, `${what}: more than ${MAX_MOUNT_OPTIONS} mount options`);
    this.ir.mountOptions.push(withOpt(opt, { doc: docOf(p) }));
  }

  private typeNameArg(node: TypeNode, what: string, allowed: string[]): string | undefined {
    if (Node.isTypeReference(node) && allowed.includes(node.getTypeName().getText()))
      return node.getTypeName().getText();
    this.fail(node, `${what}: expected one of ${allowed.join(', ')}, found '${node.getText()}'`);
    return undefined;
  }

  private fieldType(node: TypeNode, what: string, area: Area): FieldType | undefined {
    if (!Node.isTypeReference(node)) {
      this.fail(
        node,
        `${what}: unsupported field type '${node.getText()}' (use the width types of format/types.ts)`,
      );
      return undefined;
    }
    const name = node.getTypeName().getText();
    const args = node.getTypeArguments();
    if ((PRIMS as readonly string[]).includes(name)) {
      if (args.length) this.fail(node, `${what}: ${name} takes no type arguments`);
      const prim = name as Prim;
      if (area === 'ioctl' && prim.startsWith('le'))
        this.fail(
          node,
          `${what}: ioctl structs are host-endian; use ${prim.replace('le', 'u')} instead of ${prim}`,
        );
      if (area !== 'ioctl' && /^[us](16|32|64)$/.test(prim))
        this.fail(
          node,
          `${what}: on-disk and network structs are little-endian; use le${prim.slice(1)} instead of ${prim}`,
        );
      return { kind: 'prim', prim };
    }
    if (name === 'Arr') {
      if (args.length !== 2) {
        this.fail(node, `${what}: Arr takes <element, length>`);
        return undefined;
      }
      const elem = this.fieldType(args[0], what, area);
      const len = this.numberArg(args[1], what);
      if (!elem || len === undefined) return undefined;
      if (elem.kind === 'pad' || elem.kind === 'flex') {
        this.fail(node, `${what}: arrays of ${elem.kind} are not allowed`);
        return undefined;
      }
      if (!Number.isInteger(len) || len < 1) {
        this.fail(node, `${what}: array length must be a positive integer, found ${len}`);
        return undefined;
      }
      return { kind: 'array', elem, len };
    }
    if (name === 'Pad') {
      const len = args.length === 1 ? this.numberArg(args[0], what) : undefined;
      if (len === undefined || !Number.isInteger(len) || len < 1) {
        this.fail(node, `${what}: Pad takes a positive byte count`);
        return undefined;
      }
      return { kind: 'pad', len };
    }
    if (name === 'Flex') {
      const elem = args.length === 1 ? this.fieldType(args[0], what, area) : undefined;
      if (!elem) {
        this.fail(node, `${what}: Flex takes one element type`);
        return undefined;
      }
      return { kind: 'flex', elem };
    }
    if (args.length) {
      this.fail(node, `${what}: unknown generic type '${node.getText()}'`);
      return undefined;
    }
    return { kind: 'struct', name };
  }

  private evalConst(name: string): bigint | undefined {
    const done = this.constValues.get(name);
    if (done !== undefined) return done;
    const c = this.pendingConsts.get(name);
    if (!c) return undefined;
    if (this.evaluating.has(name)) {
      this.fail(c.expr, `const ${name} refers to itself`);
      return undefined;
    }
    this.evaluating.add(name);
    const v = this.evalExpr(c.expr);
    this.evaluating.delete(name);
    if (v !== undefined) this.constValues.set(name, v);
    return v;
  }

  private evalExpr(e: Expression): bigint | undefined {
    if (Node.isNumericLiteral(e)) {
      const v = e.getLiteralValue();
      if (!Number.isSafeInteger(v)) {
        this.fail(
          e,
          `number ${e.getText()} is not a safe integer: write it as a bigint literal (${e.getText()}n)`,
        );
        return undefined;
      }
      return BigInt(v);
    }
    if (Node.isBigIntLiteral(e)) return BigInt(e.getText().replace(/n$/, ''));
    if (Node.isParenthesizedExpression(e)) return this.evalExpr(e.getExpression());
    if (Node.isPrefixUnaryExpression(e) && e.getOperatorToken() === SyntaxKind.MinusToken) {
      const v = this.evalExpr(e.getOperand());
      return v === undefined ? undefined : -v;
    }
    if (Node.isIdentifier(e)) {
      const v = this.evalConst(e.getText());
      if (v === undefined && !this.pendingConsts.has(e.getText()))
        this.fail(e, `unknown constant ${e.getText()}`);
      return v;
    }
    if (Node.isBinaryExpression(e)) {
      const l = this.evalExpr(e.getLeft());
      const r = this.evalExpr(e.getRight());
      if (l === undefined || r === undefined) return undefined;
      switch (e.getOperatorToken().getKind()) {
        case SyntaxKind.PlusToken:
          return l + r;
        case SyntaxKind.MinusToken:
          return l - r;
        case SyntaxKind.AsteriskToken:
          return l * r;
        case SyntaxKind.LessThanLessThanToken:
          return l << r;
        case SyntaxKind.GreaterThanGreaterThanToken:
          return l >> r;
        case SyntaxKind.BarToken:
          return l | r;
        case SyntaxKind.AmpersandToken:
          return l & r;
        default:
          break;
      }
    }
    this.fail(
      e,
      `unsupported constant expression '${e.getText()}' (numbers, earlier constants, + - * << >> | &)`,
    );
    return undefined;
  }
}

/*
 * Load every schema file in dir (all *.ts except the vocabulary).  File
 * names in errors are relative to base.
 */
export function loadSchemas(dir: string, base: string = process.cwd()): Ir {
  const project = new Project({
    skipAddingFilesFromTsConfig: true,
    skipFileDependencyResolution: true,
  });
  const files = project
    .addSourceFilesAtPaths(path.join(dir, '*.ts'))
    .filter((sf) => sf.getBaseName() !== VOCABULARY_FILE)
    .sort((a, b) => a.getBaseName().localeCompare(b.getBaseName()));
  if (files.length === 0)
    throw new SchemaError([`${path.relative(base, dir) || dir}: no schema files found`]);
  return new Loader(base).load(files);
}
