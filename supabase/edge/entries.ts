/**
 * Which module each function's process runs: its bundle (see bundle.ts), rebuilt as soon as its files
 * change, or its own index.ts when bundling is off or fails.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Logger } from 'pino';
import { createBundler, type Bundler } from './bundle.ts';

export interface Entries {
  /** The file URL to run for `name`, once its current build is done. */
  entry(name: string): Promise<string>;
  /** File URLs of the vendor bundles `name` imported at its last build (none before one, or without bundles). */
  vendorsOf(name: string): string[];
  /** `name`'s files changed: rebuild now, so the next process does not wait for it. */
  changed(name: string): void;
  close(): Promise<void>;
}

interface Built {
  bundler: Bundler;
  build: Promise<string> | null;
}

export function createEntries(opts: { functionsDir: string; outDir: string; nodeModules: string; bundle: boolean; log: Logger }): Entries {
  const built = new Map<string, Built>();
  const source = (name: string) => pathToFileURL(join(opts.functionsDir, name, 'index.ts')).href;

  function stateOf(name: string): Built {
    let state = built.get(name);
    if (!state) {
      const bundler = createBundler({ name, entry: join(opts.functionsDir, name, 'index.ts'), functionsDir: opts.functionsDir, outDir: opts.outDir, nodeModules: opts.nodeModules });
      built.set(name, (state = { bundler, build: null }));
    }
    return state;
  }

  function build(name: string, state: Built): Promise<string> {
    // One build at a time per function: a burst of file events queues behind the running one.
    const previous = state.build ?? Promise.resolve('');
    return (state.build = previous
      .catch(() => '')
      .then(() => state.bundler.build())
      .then(
        (file) => pathToFileURL(file).href,
        (err: unknown) => {
          opts.log.warn({ function: name, err }, `[${name}] could not be bundled; running its source instead`);
          return source(name);
        },
      ));
  }

  return {
    entry(name) {
      if (!opts.bundle) return Promise.resolve(source(name));
      const state = stateOf(name);
      return state.build ?? build(name, state);
    },
    vendorsOf(name) {
      return built.get(name)?.bundler.vendors() ?? [];
    },
    changed(name) {
      const state = built.get(name);
      if (state) void build(name, state);
    },
    async close() {
      await Promise.all([...built.values()].map((state) => state.bundler.dispose()));
      built.clear();
    },
  };
}
