/** `convo stop` lets a function request in flight finish before the functions host and its Deno processes go. */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { sleep } from '../../supabase/shared/process.ts';
import { freePorts, makeWorkdir, runConvo, startConvo, type Ports, type RunningConvo, type Workdir } from '../helpers/convo.ts';

/** `/hold/wait` answers once the file `release` appears in the functions folder. */
const HOLD = `Deno.serve(async (req) => {
  if (new URL(req.url).pathname !== '/hold/wait') return new Response('ok');
  console.log('holding');
  const release = new URL('../release', import.meta.url);
  for (;;) {
    try { await Deno.stat(release); break; } catch { await new Promise((r) => setTimeout(r, 20)); }
  }
  return Response.json({ released: true });
});
`;

let wd: Workdir;
let ports: Ports;
let convo: RunningConvo;

before(async () => {
  wd = await makeWorkdir();
  await fs.mkdir(path.join(wd.dir, 'functions/hold'), { recursive: true });
  await fs.writeFile(path.join(wd.dir, 'functions/hold/index.ts'), HOLD);
  ports = await freePorts();
  convo = await startConvo(wd, ports, { LOG_LEVEL: 'info' });
});
after(async () => {
  await convo.stop();
  await wd.remove();
});

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 300 && !check(); i++) await sleep(50);
  assert.ok(check(), what);
}

test('convo stop waits for a function request in flight, which gets its answer', async () => {
  const key = convo.status.anon_key;
  const held = fetch(`${convo.status.api_url}/functions/v1/hold/wait`, { headers: { apikey: key, authorization: `Bearer ${key}` } }).then(
    async (res) => ({ status: res.status, body: await res.json() as unknown }),
  );
  await until(() => convo.output().includes('holding'), 'the request reached the function');

  const stopped = runConvo(['stop'], wd, ports);
  await until(() => convo.output().includes('stopping Convo'), 'convo is stopping');
  await fs.writeFile(path.join(wd.dir, 'functions/release'), '');
  assert.deepEqual(await held, { status: 200, body: { released: true } });
  const result = await stopped;
  assert.equal(result.code, 0, result.stderr);
  assert.equal(await convo.exited, 0);
});
