/*
 * The intermediate representation: plain JSON data produced by the loader,
 * validated against a strict JSON Schema, then laid out and emitted.  Large
 * integers are decimal strings so the IR survives JSON untouched.
 */
import Ajv from 'ajv';

export type Area = 'disk' | 'net' | 'ioctl' | 'mount';

export const PRIMS = [
  'u8',
  's8',
  'u16',
  's16',
  'u32',
  's32',
  'u64',
  's64',
  'le16',
  'le32',
  'le64',
] as const;
export type Prim = (typeof PRIMS)[number];

export type FieldType =
  | { kind: 'prim'; prim: Prim }
  | { kind: 'struct'; name: string }
  | { kind: 'array'; elem: FieldType; len: number }
  | { kind: 'pad'; len: number }
  | { kind: 'flex'; elem: FieldType };

export interface Where {
  file: string;
  line: number;
}

/*
 * A rule a field's value must keep (schema JSDoc tags @min, @max, @mask on
 * the field): bound is the resolved number, text the expression as written.
 * Readers of the format (the kernel, check) refuse a value that breaks one.
 */
export type RuleKind = 'min' | 'max' | 'mask';
export const RULE_KINDS: readonly RuleKind[] = ['min', 'max', 'mask'];

export interface IrRule {
  kind: RuleKind;
  bound: string;
  text: string;
}

export interface IrField {
  name: string;
  type: FieldType;
  where: Where;
  rules?: IrRule[];
  /* the comment above the declaration in the schema, without delimiters */
  doc?: string;
}

export interface IrStruct {
  name: string;
  area: Area;
  cpu: boolean;
  /* the kernel glue has scoutfs_<name>_pads_zero() (@padcheck) */
  padcheck: boolean;
  /* the kernel has scoutfs_<name>_invalid() for its rules (@rulecheck) */
  rulecheck: boolean;
  fields: IrField[];
  where: Where;
  doc?: string;
}

/*
 * A number as the schema writes it when it is a literal ("0xe8", "1024"),
 * so the generated C and TypeScript keep its radix.
 */
export interface IrValue {
  value: string;
  literal?: string;
  doc?: string;
}

export interface IrEnum {
  name: string;
  area: Area;
  members: ({ name: string } & IrValue)[];
  where: Where;
  doc?: string;
}

export interface IrConst extends IrValue {
  name: string;
  area: Area;
  where: Where;
}

export interface IrIoctl {
  name: string;
  nr: number;
  dir: 'N' | 'R' | 'W' | 'WR';
  arg: string;
  /* false for @unimplemented ones: they fail with EOPNOTSUPP */
  implemented: boolean;
  where: Where;
  doc?: string;
}

export interface IrMessage {
  name: string;
  cmd: number;
  req: string | null;
  reply: string | null;
  /* the sides whose module handles its requests: @server, @client */
  handlers: ('server' | 'client')[];
  where: Where;
}

/* remount: tagged @remount, the option can change on a live mount */
export type IrMountOption = (
  | { name: string; kind: 'string'; required: boolean; where: Where }
  | { name: string; kind: 'u32'; min: number; max: number; def: number | null; where: Where }
  | { name: string; kind: 'flag'; where: Where }
) & { doc?: string; remount?: true };

export interface Ir {
  structs: IrStruct[];
  enums: IrEnum[];
  consts: IrConst[];
  ioctls: IrIoctl[];
  messages: IrMessage[];
  mountOptions: IrMountOption[];
}

const where = {
  type: 'object',
  additionalProperties: false,
  required: ['file', 'line'],
  properties: { file: { type: 'string' }, line: { type: 'integer', minimum: 1 } },
};
const cname = { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$' };
const bigintString = { type: 'string', pattern: '^-?[0-9]+$' };
const doc = { type: 'string', minLength: 1 };
const literal = { type: 'string', pattern: '^(0[xX][0-9a-fA-F]+|0[oO]?[0-7]+|[0-9]+)$' };

export const IR_SCHEMA = {
  $id: 'scoutfs-ir',
  type: 'object',
  additionalProperties: false,
  required: ['structs', 'enums', 'consts', 'ioctls', 'messages', 'mountOptions'],
  definitions: {
    fieldType: {
      oneOf: [
        {
          type: 'object',
          additionalProperties: false,
          required: ['kind', 'prim'],
          properties: { kind: { const: 'prim' }, prim: { enum: [...PRIMS] } },
        },
        {
          type: 'object',
          additionalProperties: false,
          required: ['kind', 'name'],
          properties: { kind: { const: 'struct' }, name: cname },
        },
        {
          type: 'object',
          additionalProperties: false,
          required: ['kind', 'elem', 'len'],
          properties: {
            kind: { const: 'array' },
            elem: { $ref: '#/definitions/fieldType' },
            len: { type: 'integer', minimum: 1 },
          },
        },
        {
          type: 'object',
          additionalProperties: false,
          required: ['kind', 'len'],
          properties: { kind: { const: 'pad' }, len: { type: 'integer', minimum: 1 } },
        },
        {
          type: 'object',
          additionalProperties: false,
          required: ['kind', 'elem'],
          properties: { kind: { const: 'flex' }, elem: { $ref: '#/definitions/fieldType' } },
        },
      ],
    },
  },
  properties: {
    structs: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'area', 'cpu', 'padcheck', 'rulecheck', 'fields', 'where'],
        properties: {
          name: cname,
          area: { enum: ['disk', 'net', 'ioctl'] },
          cpu: { type: 'boolean' },
          padcheck: { type: 'boolean' },
          rulecheck: { type: 'boolean' },
          where,
          doc,
          fields: {
            type: 'array',
            minItems: 1,
            items: {
              type: 'object',
              additionalProperties: false,
              required: ['name', 'type', 'where'],
              properties: {
                name: cname,
                type: { $ref: '#/definitions/fieldType' },
                where,
                doc,
                rules: {
                  type: 'array',
                  minItems: 1,
                  items: {
                    type: 'object',
                    additionalProperties: false,
                    required: ['kind', 'bound', 'text'],
                    properties: {
                      kind: { enum: ['min', 'max', 'mask'] },
                      bound: { type: 'string', pattern: '^[0-9]+$' },
                      text: { type: 'string', minLength: 1 },
                    },
                  },
                },
              },
            },
          },
        },
      },
    },
    enums: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'area', 'members', 'where'],
        properties: {
          name: cname,
          area: { enum: ['disk', 'net', 'ioctl', 'mount'] },
          where,
          doc,
          members: {
            type: 'array',
            minItems: 1,
            items: {
              type: 'object',
              additionalProperties: false,
              required: ['name', 'value'],
              properties: { name: cname, value: bigintString, literal, doc },
            },
          },
        },
      },
    },
    consts: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'area', 'value', 'where'],
        properties: {
          name: cname,
          area: { enum: ['disk', 'net', 'ioctl', 'mount'] },
          value: bigintString,
          literal,
          where,
          doc,
        },
      },
    },
    ioctls: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'nr', 'dir', 'arg', 'implemented', 'where'],
        properties: {
          name: cname,
          nr: { type: 'integer', minimum: 0, maximum: 255 },
          dir: { enum: ['N', 'R', 'W', 'WR'] },
          arg: cname,
          implemented: { type: 'boolean' },
          where,
          doc,
        },
      },
    },
    messages: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'cmd', 'req', 'reply', 'handlers', 'where'],
        properties: {
          name: cname,
          cmd: { type: 'integer', minimum: 0, maximum: 255 },
          req: { oneOf: [cname, { type: 'null' }] },
          reply: { oneOf: [cname, { type: 'null' }] },
          handlers: {
            type: 'array',
            uniqueItems: true,
            items: { enum: ['server', 'client'] },
          },
          where,
        },
      },
    },
    mountOptions: {
      type: 'array',
      items: {
        oneOf: [
          {
            type: 'object',
            additionalProperties: false,
            required: ['name', 'kind', 'required', 'where'],
            properties: {
              name: cname,
              kind: { const: 'string' },
              required: { type: 'boolean' },
              where,
              doc,
            },
          },
          {
            type: 'object',
            additionalProperties: false,
            required: ['name', 'kind', 'min', 'max', 'def', 'where'],
            properties: {
              name: cname,
              kind: { const: 'u32' },
              min: { type: 'integer', minimum: 0, maximum: 4294967295 },
              max: { type: 'integer', minimum: 0, maximum: 4294967295 },
              def: {
                oneOf: [{ type: 'integer', minimum: 0, maximum: 4294967295 }, { type: 'null' }],
              },
              where,
              doc,
              remount: { const: true },
            },
          },
          {
            type: 'object',
            additionalProperties: false,
            required: ['name', 'kind', 'where'],
            properties: {
              name: cname,
              kind: { const: 'flag' },
              where,
              doc,
              remount: { const: true },
            },
          },
        ],
      },
    },
  },
} as const;

const ajv = new Ajv({ allErrors: true, strict: true });
const validateIr = ajv.compile(IR_SCHEMA);

/* Throws with every schema violation listed when the IR is malformed. */
export function checkIr(ir: unknown): asserts ir is Ir {
  if (!validateIr(ir)) {
    const msgs = (validateIr.errors ?? []).map(
      (e) => `  ${e.instancePath || '/'} ${e.message ?? ''}`,
    );
    throw new Error(`IR does not match the IR schema:\n${msgs.join('\n')}`);
  }
}
