/** `convo functions new <name>`: writes `functions/<name>/index.ts`, a Deno.serve function using the shared CORS helpers. */
import fs from 'node:fs/promises';
import path from 'node:path';
import { ExpectedFailure } from '../shared/errors.ts';

const KEBAB = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

export function functionTemplate(name: string): string {
  return `// ${name}: answers POST { name } with a greeting. Replace with the function's own logic.
import { handleCors, jsonResponse } from '../_shared/cors.ts';

Deno.serve(async (req: Request) => {
  const preflight = handleCors(req);
  if (preflight) return preflight;
  const { name } = (await req.json().catch(() => ({}))) as { name?: string };
  return jsonResponse({ message: \`Hello \${name ?? 'World'} from ${name}!\` });
});
`;
}

/** Creates the function's folder and index.ts; refuses a name that is not kebab-case or already exists. Returns the file written. */
export async function scaffoldFunction(functionsDir: string, name: string): Promise<string> {
  if (!KEBAB.test(name)) throw new ExpectedFailure('bad_usage', `function names are kebab-case (a-z, 0-9, -): "${name}"`);
  const dir = path.join(functionsDir, name);
  const file = path.join(dir, 'index.ts');
  try {
    await fs.mkdir(dir, { recursive: false });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new ExpectedFailure('bad_usage', `function "${name}" already exists in ${dir}`);
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    await fs.mkdir(dir, { recursive: true });
  }
  await fs.writeFile(file, functionTemplate(name), { flag: 'wx' });
  return file;
}
