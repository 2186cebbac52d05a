/*
 * Running and type-checking generated TypeScript.  loadGenerated() needs
 * no files on disk: a file of a generate() result is transpiled and
 * evaluated as a CommonJS module whose '../codec' import is the real codec
 * runtime and whose './x' imports are the other generated files of the same
 * result.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ts from 'typescript';
import * as codec from '../../../utils/src/codec';
import { ROOT } from './schema';

export type Module = Record<string, unknown>;

export function loadGenerated(
  files: Map<string, string>,
  rel: string,
  cache = new Map<string, Module>(),
): Module {
  const done = cache.get(rel);
  if (done) return done;
  const src = files.get(rel);
  if (src === undefined) throw new Error(`no generated file ${rel}`);
  const js = ts.transpileModule(src, {
    compilerOptions: {
      module: ts.ModuleKind.CommonJS,
      target: ts.ScriptTarget.ES2022,
      esModuleInterop: true,
    },
    fileName: rel,
  }).outputText;
  const mod = { exports: {} as Module };
  cache.set(rel, mod.exports);
  const req = (spec: string): unknown => {
    if (spec === '../codec') return codec;
    if (spec.startsWith('./'))
      return loadGenerated(files, `${path.posix.join(path.posix.dirname(rel), spec)}.ts`, cache);
    throw new Error(`${rel}: unexpected import '${spec}'`);
  };
  // evaluating generated code is the point
  new Function('require', 'module', 'exports', js)(req, mod, mod.exports);
  return mod.exports;
}

/*
 * Type-check sets of generated utils/src/gen/*.ts files (by set name) next
 * to the real codec runtime, with the project's compiler options (strict,
 * no unused locals).  Returns the diagnostics as 'set/path:line: message'.
 */
export function typeCheckGenerated(sets: Map<string, Map<string, string>>): string[] {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'scoutfs-gen-ts-'));
  try {
    const roots: string[] = [];
    for (const [name, files] of sets) {
      const dir = path.join(tmp, name, 'utils/src');
      fs.mkdirSync(path.join(dir, 'gen'), { recursive: true });
      fs.copyFileSync(path.join(ROOT, 'utils/src/codec.ts'), path.join(dir, 'codec.ts'));
      for (const [rel, text] of files) {
        if (!rel.startsWith('utils/src/gen/')) continue;
        fs.writeFileSync(path.join(tmp, name, rel), text);
        roots.push(path.join(tmp, name, rel));
      }
    }
    const cfg = JSON.parse(fs.readFileSync(path.join(ROOT, 'tsconfig.json'), 'utf8')) as {
      compilerOptions: object;
    };
    const { options, errors } = ts.convertCompilerOptionsFromJson(cfg.compilerOptions, ROOT);
    if (errors.length)
      throw new Error(
        `tsconfig.json: ${errors.map((e) => ts.flattenDiagnosticMessageText(e.messageText, ' ')).join('; ')}`,
      );
    const program = ts.createProgram(roots, {
      ...options,
      noEmit: true,
      rootDir: tmp,
      outDir: undefined,
      skipLibCheck: true,
      types: ['node'],
    });
    return ts.getPreEmitDiagnostics(program).map((d) => {
      const where =
        d.file && d.start !== undefined
          ? `:${d.file.getLineAndCharacterOfPosition(d.start).line + 1}`
          : '';
      const file = d.file ? path.relative(tmp, d.file.fileName) : '';
      return `${file}${where}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
    });
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
