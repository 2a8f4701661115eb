/**
 * Bundles a function into one ESM file under the cache folder, its npm imports into vendor bundles that
 * outlive edits (vendor.ts), so its Deno process loads a few files instead of resolving and loading hundreds
 * (Supabase's eszip, done with esbuild). One incremental esbuild context per function.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';
import { externals, RESOLVE, vendorPlugin, withRequire } from './vendor.ts';

export interface Bundler {
  /** Builds (or rebuilds after an edit) and returns the bundle's path; rejects when esbuild cannot bundle it. */
  build(): Promise<string>;
  /** File URLs of the vendor bundles the last build imports. */
  vendors(): string[];
  dispose(): Promise<void>;
}

const LOADERS: Record<string, esbuild.Loader> = { '.ts': 'ts', '.mts': 'ts', '.tsx': 'tsx', '.js': 'js', '.mjs': 'js', '.jsx': 'jsx' };

/** In the function's own files `import.meta.url` (and filename, dirname) keep naming the source file, not the bundle. */
function sourceMeta(functionsDir: string): esbuild.Plugin {
  return {
    name: 'convo-source-meta',
    setup(build) {
      build.onLoad({ filter: /\.[cm]?[jt]sx?$/ }, (args) => {
        if (relative(functionsDir, args.path).startsWith('..') || args.path.includes('/node_modules/')) return undefined;
        const text = readFileSync(args.path, 'utf8');
        if (!text.includes('import.meta')) return undefined;
        const contents = text
          .replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href))
          .replaceAll('import.meta.filename', JSON.stringify(args.path))
          .replaceAll('import.meta.dirname', JSON.stringify(dirname(args.path)));
        return { contents, loader: LOADERS[extname(args.path)] ?? 'ts', resolveDir: dirname(args.path) };
      });
    },
  };
}

export function createBundler(opts: { name: string; entry: string; functionsDir: string; outDir: string; nodeModules: string }): Bundler {
  let context: Promise<esbuild.BuildContext> | null = null;
  let current: string | null = null;
  const used = new Set<string>();
  let vendors: string[] = [];

  const contextFor = () =>
    (context ??= esbuild.context({
      entryPoints: [opts.entry],
      ...RESOLVE,
      bundle: true,
      write: false,
      // Bare imports resolve from the project's node_modules even for a function outside the project.
      nodePaths: [opts.nodeModules],
      sourcemap: 'linked',
      outfile: join(opts.outDir, `${opts.name}.js`),
      logLevel: 'silent',
      plugins: [externals, vendorPlugin(join(opts.outDir, 'vendor'), used), sourceMeta(opts.functionsDir)],
    }));

  return {
    async build() {
      const outputs = (await (await contextFor()).rebuild()).outputFiles ?? [];
      const js = outputs.find((f) => f.path.endsWith('.js'));
      if (!js) throw new Error(`esbuild wrote no bundle for ${opts.name}`);
      const map = outputs.find((f) => f.path.endsWith('.js.map'));
      vendors = [...used];
      const hash = createHash('sha256').update(js.contents).digest('hex').slice(0, 12);
      const file = join(opts.outDir, `${opts.name}-${hash}.js`);
      if (file !== current) {
        mkdirSync(opts.outDir, { recursive: true });
        const text = withRequire(js.text).replace(/\/\/# sourceMappingURL=\S+\s*$/, `//# sourceMappingURL=${basename(file)}.map\n`);
        if (map) writeFileSync(`${file}.map`, map.contents);
        writeFileSync(file, text);
        // A process still draining has long read the previous bundle.
        if (current) for (const old of [current, `${current}.map`]) rmSync(old, { force: true });
        current = file;
      }
      return file;
    },
    vendors: () => vendors,
    async dispose() {
      const ctx = await context?.catch(() => null);
      await ctx?.dispose();
      context = null;
    },
  };
}
