/*
 * Round trips of every generated TypeScript codec (utils/src/gen/{format,
 * ioctl,messages}.ts) against the layout engine: sizes, offsets, pads,
 * encode/decode of random and extreme values, an independent reader of the
 * encoded bytes, and the RangeErrors of out-of-range values and wrong
 * array lengths.
 */
import { Area, FieldType, Prim } from '../../codegen/src/ir';
import { computeLayout, StructLayout } from '../../codegen/src/layout';
import { loadSchemas } from '../../codegen/src/loader';
import { Codec, nonZeroPads } from '../../utils/src/codec';
import * as formatGen from '../../utils/src/gen/format';
import * as ioctlGen from '../../utils/src/gen/ioctl';
import * as messagesGen from '../../utils/src/gen/messages';
import { REAL_FORMAT, ROOT } from './helpers/schema';
import {
  limits,
  Mode,
  padsOf,
  readValue,
  rng,
  shape,
  structOf,
  structValue,
  Value,
  valueFields,
} from './helpers/values';

const layout = computeLayout(loadSchemas(REAL_FORMAT, ROOT));

type AnyCodec = Codec<Record<string, Value>>;

function isCodec(v: unknown): v is AnyCodec {
  return (
    !!v &&
    typeof v === 'object' &&
    typeof (v as { NAME?: unknown }).NAME === 'string' &&
    typeof (v as { encode?: unknown }).encode === 'function'
  );
}

function codecsOf(mod: object): Map<string, AnyCodec> {
  return new Map(
    Object.values(mod)
      .filter(isCodec)
      .map((c) => [c.NAME, c]),
  );
}

/* The first primitive reached through nested struct fields: its path and the struct declaring it. */
function firstPrim(structName: string): { owner: string; path: string[]; prim: Prim } | undefined {
  for (const f of valueFields(structOf(layout, structName))) {
    if (f.type.kind === 'prim') return { owner: structName, path: [f.name], prim: f.type.prim };
    if (f.type.kind === 'struct') {
      const inner = firstPrim(f.type.name);
      if (inner) return { ...inner, path: [f.name, ...inner.path] };
    }
  }
  return undefined;
}

const MODULES: [Exclude<Area, 'mount'>, string, Map<string, AnyCodec>][] = [
  ['disk', 'format', codecsOf(formatGen)],
  ['ioctl', 'ioctl', codecsOf(ioctlGen)],
  ['net', 'messages', codecsOf(messagesGen)],
];

const CASES: [string, StructLayout, AnyCodec][] = MODULES.flatMap(([area, , codecs]) =>
  layout.structs
    .filter((s) => s.area === area)
    .map((s): [string, StructLayout, AnyCodec] => {
      const c = codecs.get(s.name);
      if (!c) throw new Error(`no codec for ${area} struct ${s.name}`);
      return [s.name, s, c];
    }),
);

test.each(MODULES)(
  'every %s struct has a codec in utils/src/gen/%s.ts and nothing else does',
  (area, _file, codecs) => {
    const structs = layout.structs.filter((s) => s.area === area).map((s) => s.name);
    expect(structs.length).toBeGreaterThan(0);
    expect([...codecs.keys()].sort()).toEqual([...structs].sort());
  },
);

test('the codecs cover every struct of the layout, and there are many', () => {
  expect(CASES.length).toBe(layout.structs.length);
  expect(CASES.length).toBeGreaterThan(40);
});

describe.each(CASES)('%s', (name, s, codec) => {
  test('SIZE, ALIGN, OFFSETS and PADS match the layout engine', () => {
    expect(codec.SIZE).toBe(s.size);
    expect(codec.ALIGN).toBe(s.align);
    expect(codec.OFFSETS).toEqual(Object.fromEntries(s.fields.map((f) => [f.name, f.offset])));
    expect(codec.PADS.map(([o, n]) => [o, n])).toEqual(padsOf(s, layout));
    expect(shape(codec.zero())).toEqual(shape(structValue(s, layout, 'max', rng(1))));
  });

  test.each<[Mode, number]>([
    ['random', 1],
    ['random', 2],
    ['max', 0],
    ['min', 0],
  ])('round trip of %s values (seed %d)', (mode, seed) => {
    const value = structValue(s, layout, mode, rng(seed ^ name.length));
    const buf = new Uint8Array(s.size).fill(0xa5);
    const out = codec.encode(value, buf);
    expect(out).toBe(buf);
    expect(codec.encode(value).length).toBe(s.size);
    expect(nonZeroPads(codec, buf)).toEqual([]);
    expect(readValue(buf, 0, { kind: 'struct', name }, layout)).toEqual(value);
    expect(codec.decode(buf)).toEqual(value);
  });

  test('random bytes: decode then encode keeps every byte but the pads', () => {
    const next = rng(0x5c0 + name.length);
    const bytes = Uint8Array.from({ length: s.size }, () => next() & 0xff);
    const expected = bytes.slice();
    for (const [o, n] of codec.PADS) expected.fill(0, o, o + n);
    expect(codec.encode(codec.decode(bytes))).toEqual(expected);
  });

  test('encode and decode at an offset leave the rest of the buffer alone', () => {
    const value = structValue(s, layout, 'random', rng(7));
    const buf = new Uint8Array(s.size + 16).fill(0xee);
    codec.encode(value, buf, 8);
    expect(buf.subarray(8, 8 + s.size)).toEqual(codec.encode(value));
    expect([...buf.subarray(0, 8), ...buf.subarray(8 + s.size)].every((b) => b === 0xee)).toBe(
      true,
    );
    expect(codec.decode(buf, 8)).toEqual(value);
    expect(() => codec.encode(value, new Uint8Array(s.size + 7), 8)).toThrow(RangeError);
  });

  const fields = valueFields(s);
  test.each(fields.map((f): [string, FieldType] => [f.name, f.type]))(
    'encode refuses a bad %s',
    (field, type) => {
      const good = structValue(s, layout, 'random', rng(3));
      const bad = (v: Value) => codec.encode({ ...good, [field]: v });
      const what = `${name}.${field}`;
      const esc = (t: string) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      if (type.kind === 'prim') {
        const [lo, hi] = limits(type.prim);
        const js = (v: bigint) => (type.prim.endsWith('64') ? v : Number(v));
        for (const v of [hi + 1n, lo - 1n]) {
          expect(() => bad(js(v))).toThrow(RangeError);
          expect(() => bad(js(v))).toThrow(new RegExp(`^${esc(what)}: ${v} is out of range for `));
        }
        if (!type.prim.endsWith('64'))
          expect(() => bad(0.5)).toThrow(new RegExp(`^${esc(what)}: 0.5 is not an integer$`));
      } else if (type.kind === 'array') {
        const v = good[field];
        if (v instanceof Uint8Array) {
          expect(() => bad(new Uint8Array(type.len + 1))).toThrow(RangeError);
          expect(() => bad(new Uint8Array(type.len + 1))).toThrow(
            `${what}: expected ${type.len} bytes, got ${type.len + 1}`,
          );
        } else if (Array.isArray(v)) {
          expect(() => bad(v.slice(1))).toThrow(RangeError);
          expect(() => bad(v.slice(1))).toThrow(
            `${what}: expected ${type.len} elements, got ${type.len - 1}`,
          );
          if (type.elem.kind === 'prim') {
            const over = limits(type.elem.prim)[1] + 1n;
            const elem = type.elem.prim.endsWith('64') ? over : Number(over);
            expect(() => bad([elem, ...v.slice(1)])).toThrow(
              new RegExp(`^${esc(what)}\\[\\]: ${over} is out of range`),
            );
          }
        } else {
          throw new Error(`${what}: array value is neither bytes nor an array`);
        }
      } else if (type.kind === 'struct') {
        /* the codec of the nested struct names the struct and field that hold the bad value */
        const leaf = firstPrim(type.name);
        if (!leaf) return;
        const over = limits(leaf.prim)[1] + 1n;
        const nested = structuredClone(good[field]) as Record<string, Value>;
        let at = nested;
        for (const k of leaf.path.slice(0, -1)) at = at[k] as Record<string, Value>;
        at[leaf.path[leaf.path.length - 1]] = leaf.prim.endsWith('64') ? over : Number(over);
        expect(() => bad(nested)).toThrow(
          new RegExp(
            `^${esc(leaf.owner)}\\.${leaf.path[leaf.path.length - 1]}: ${over} is out of range`,
          ),
        );
      }
    },
  );
});
