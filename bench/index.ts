/** `npm run bench [-- --only <pattern>] [-- --json <file>]`: runs every suite and prints one table of rows with their baselines. */
import fs from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { authSuite } from './auth.ts';
import { functionsSuite } from './functions.ts';
import { inboxSuite } from './inbox.ts';
import { restSuite } from './rest.ts';
import { startSuite } from './start.ts';
import type { BenchRow, BenchSuite } from './types.ts';

const SUITES: BenchSuite[] = [startSuite, restSuite, functionsSuite, authSuite, inboxSuite];

function table(rows: BenchRow[]): string {
  const head = ['name', 'value', 'unit', 'baseline', 'ratio', 'target', 'met'];
  const cells = rows.map((r) => [r.name, String(r.value), r.unit, r.baseline === null ? '-' : String(r.baseline), r.ratio === null ? '-' : `${r.ratio}x`, r.target, r.met === null ? '-' : r.met ? 'yes' : 'NO']);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => c.map((v, i) => v.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { json: { type: 'string' }, only: { type: 'string' } }, strict: true });
  const pattern = values.only ? new RegExp(values.only) : null;
  const only = (name: string) => !pattern || pattern.test(name);
  const rows: BenchRow[] = [];
  for (const suite of SUITES) {
    if (!suite.names.some(only)) continue;
    rows.push(...(await suite.run(only)));
  }
  process.stdout.write(`${table(rows)}\n`);
  for (const r of rows) if (r.note) process.stdout.write(`  ${r.name}: ${r.note}\n`);
  if (values.json) await fs.writeFile(values.json, JSON.stringify(rows, null, 2) + '\n');
}

await main();
