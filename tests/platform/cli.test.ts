import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { freePorts, makeWorkdir, runConvo, startConvo } from '../helpers/convo.ts';

function occupy(port: number): Promise<net.Server> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.listen(port, '127.0.0.1', () => resolve(srv));
  });
}

test('a second start is refused with one line while the first runs', async () => {
  const wd = await makeWorkdir();
  const ports = await freePorts();
  try {
    const first = await startConvo(wd, ports);
    const second = await runConvo(['start'], wd, ports);
    assert.equal(second.code, 1);
    assert.equal(second.stderr, `convo: Convo is already running (pid ${first.status.pid}, ${first.status.api_url}); stop it with \`convo stop\`\n`);
    assert.equal((await fetch(`${first.status.api_url}/health`)).status, 200, 'the first keeps running');
    assert.equal(await first.stop(), 0);
  } finally {
    await wd.remove();
  }
});

test('a busy API or database port is one clear line and a non-zero exit', async () => {
  const wd = await makeWorkdir();
  const ports = await freePorts();
  try {
    const blockApi = await occupy(ports.api);
    const api = await runConvo(['start'], wd, ports);
    blockApi.close();
    assert.equal(api.code, 1);
    assert.equal(api.stderr, `convo: port ${ports.api} (API gateway) is already in use; free it or set CONVO_API_PORT to another port\n`);

    const blockDb = await occupy(ports.db);
    const db = await runConvo(['start'], wd, ports);
    blockDb.close();
    assert.equal(db.code, 1);
    assert.equal(db.stderr, `convo: port ${ports.db} (Postgres) is already in use; free it or set CONVO_DB_PORT to another port\n`);
  } finally {
    await wd.remove();
  }
});

test('bad usage and bad configuration are one line each', async () => {
  const wd = await makeWorkdir();
  const ports = await freePorts();
  try {
    const unknown = await runConvo(['launch'], wd, ports);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /^convo: unknown command "launch"\n\nUsage: convo <command>/);
    const flag = await runConvo(['status', '--bogus'], wd, ports);
    assert.equal(flag.code, 2);
    assert.match(flag.stderr, /^convo: Unknown option '--bogus'/);
    const port = await runConvo(['start'], wd, ports, { CONVO_API_PORT: 'eighty' });
    assert.equal(port.code, 1);
    assert.equal(port.stderr, 'convo: CONVO_API_PORT must be a port number (1-65535), got "eighty"\n');
    const help = await runConvo(['--help'], wd, ports);
    assert.equal(help.code, 0);
    for (const cmd of ['start', 'status [--json]', 'stop', 'db migrate', 'db reset [--no-seed]', 'migration new <name>']) {
      assert.ok(help.stdout.includes(cmd), `help lists ${cmd}`);
    }
  } finally {
    await wd.remove();
  }
});

test('as root, a state folder the postgres OS user cannot enter is one clear line', { skip: process.getuid?.() !== 0 ? 'only meaningful as root' : false }, async () => {
  const wd = await makeWorkdir();
  const ports = await freePorts();
  try {
    const closed = path.join(wd.dir, 'closed');
    await fs.mkdir(closed, { mode: 0o700 });
    const res = await runConvo(['start'], wd, ports, { CONVO_STATE_DIR: path.join(closed, 'state') });
    assert.equal(res.code, 1);
    assert.equal(res.stderr, `convo: Postgres runs as the OS user "postgres", which cannot enter ${closed}; set CONVO_STATE_DIR to a folder it can reach (e.g. under /tmp or /var/lib)\n`);
  } finally {
    await wd.remove();
  }
});
