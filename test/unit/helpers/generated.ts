/*
 * Running generated TypeScript without writing it anywhere: a file of a
 * generate() result is transpiled and evaluated as a CommonJS module whose
 * '../codec' import is the real codec runtime and whose './x' imports are
 * the other generated files of the same result.
 */
import * as path from 'path';
import * as ts from 'typescript';
import * as codec from '../../../utils/src/codec';

export type Module = Record<string, unknown>;

export function loadGenerated(files: Map<string, string>, rel: string, cache = new Map<string, Module>()): Module {
	const done = cache.get(rel);
	if (done) return done;
	const src = files.get(rel);
	if (src === undefined) throw new Error(`no generated file ${rel}`);
	const js = ts.transpileModule(src, {
		compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
		fileName: rel,
	}).outputText;
	const mod = { exports: {} as Module };
	cache.set(rel, mod.exports);
	const req = (spec: string): unknown => {
		if (spec === '../codec') return codec;
		if (spec.startsWith('./')) return loadGenerated(files, `${path.posix.join(path.posix.dirname(rel), spec)}.ts`, cache);
		throw new Error(`${rel}: unexpected import '${spec}'`);
	};
	// eslint-disable-next-line @typescript-eslint/no-implied-eval -- evaluating generated code is the point
	new Function('require', 'module', 'exports', js)(req, mod, mod.exports);
	return mod.exports;
}
