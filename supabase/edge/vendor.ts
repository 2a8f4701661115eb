/**
 * npm imports of functions, bundled once each into `<outDir>/vendor/<specifier>-<key>.js` and kept on disk
 * (the key is the resolved file's path, size and mtime), so editing a function rebuilds only its own code.
 * CommonJS packages are not vendored: they stay inside the function's bundle, where esbuild can wrap them.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';

const NODE_BUILTINS = new Set(builtinModules);
const LEFT_TO_DENO = /^(node:|npm:|jsr:|https?:|data:|file:)/;
// Lets bundled CommonJS code `require()` Node built-ins, as it can under Deno without a bundle. Only where
// esbuild left such calls (its `__require` shim, which throws "Dynamic require of …"): loading node:module costs time at every start.
const BANNER = `import { createRequire as __convoCreateRequire } from 'node:module'; const require = __convoCreateRequire(import.meta.url); `;

/** The bundle's text, with `require` defined when it needs one (on its first line, so source maps stay right). */
export function withRequire(text: string): string {
  return text.includes('Dynamic require of') ? BANNER + text : text;
}

/** What Deno itself resolves npm packages with. */
export const RESOLVE: esbuild.BuildOptions = { platform: 'neutral', target: 'esnext', format: 'esm', conditions: ['deno', 'node', 'import'], mainFields: ['module', 'main'] };

/** Left to Deno: built-ins (`node:x`, or bare `x` rewritten to `node:x`) and `npm:`/`jsr:`/URL specifiers. */
export const externals: esbuild.Plugin = {
  name: 'convo-externals',
  setup(build) {
    build.onResolve({ filter: LEFT_TO_DENO }, (args) => ({ path: args.path, external: true }));
    build.onResolve({ filter: /^[a-z_][a-z0-9_/]*$/ }, (args) => (NODE_BUILTINS.has(args.path) ? { path: `node:${args.path}`, external: true } : undefined));
  },
};

const building = new Map<string, Promise<string | null>>();

/** The vendor bundle for `specifier` (resolved to `file`), built if missing; null for a CommonJS package. */
function vendorBundle(outDir: string, specifier: string, file: string): Promise<string | null> {
  const { size, mtimeMs } = statSync(file);
  const key = createHash('sha256').update(`${specifier}\0${file}\0${size}\0${mtimeMs}`).digest('hex').slice(0, 12);
  const out = join(outDir, `${specifier.replace(/[^A-Za-z0-9._-]/g, '_')}-${key}.js`);
  let pending = building.get(out);
  if (!pending) {
    pending = existsSync(out) ? Promise.resolve(out) : existsSync(`${out}.cjs`) ? Promise.resolve(null) : buildVendor(out, file);
    building.set(out, pending);
    pending.catch(() => building.delete(out));
  }
  return pending;
}

async function buildVendor(out: string, file: string): Promise<string | null> {
  const spec = JSON.stringify(file);
  const result = await esbuild.build({
    ...RESOLVE,
    stdin: { contents: `export * from ${spec}; import * as __m from ${spec}; export default __m.default;`, resolveDir: dirname(file), loader: 'js' },
    bundle: true,
    write: false,
    metafile: true,
    minify: true,
    logLevel: 'silent',
    plugins: [externals],
  });
  mkdirSync(dirname(out), { recursive: true });
  if (result.metafile.inputs[file]?.format === 'cjs') {
    writeFileSync(`${out}.cjs`, '');
    return null;
  }
  // Written whole, then renamed: another host (or a concurrent build) never reads half a file.
  const tmp = `${out}.${process.pid}.tmp`;
  writeFileSync(tmp, withRequire(result.outputFiles[0]!.text));
  renameSync(tmp, out);
  return out;
}

/** Turns the function's own bare imports of npm packages into imports of their vendor bundles; `used` gets their URLs, per build. */
export function vendorPlugin(outDir: string, used: Set<string>): esbuild.Plugin {
  return {
    name: 'convo-vendor',
    setup(build) {
      build.onStart(() => used.clear());
      build.onResolve({ filter: /^[^./]/ }, async (args) => {
        if (args.pluginData === 'vendor' || args.importer.includes('/node_modules/') || LEFT_TO_DENO.test(args.path) || NODE_BUILTINS.has(args.path)) return undefined;
        const resolved = await build.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, pluginData: 'vendor' });
        if (resolved.errors.length || !resolved.path.includes('/node_modules/')) return undefined;
        const bundle = await vendorBundle(outDir, args.path, resolved.path);
        if (!bundle) return undefined;
        const url = pathToFileURL(bundle).href;
        used.add(url);
        return { path: url, external: true };
      });
    },
  };
}
