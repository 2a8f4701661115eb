// Runs one edge function under Deno: imports it, captures its Deno.serve handler (or `export default { fetch }`) and serves it on
// the unix socket the host chose (or a free localhost port), which the host learns from a ready line.
// Usage: deno run … bootstrap.js <comma-separated env names the function may see> [unix:<socket path> | tcp] < entry URL line

const [allowed = '', listen = 'tcp'] = Deno.args;
const READY = '__convo_edge_ready__';
const visible = new Set(allowed.split(',').filter(Boolean));

// Deno adds a few variables of its own (PATH, DENO_NODE_SHIM_ACTIVE…): the function sees only what the host passed.
for (const name of Object.keys(Deno.env.toObject())) if (!visible.has(name)) Deno.env.delete(name);

// The host writes the entry's file URL as the first line of our stdin (so Deno boots while the function is
// being bundled), then keeps stdin open for as long as it lives: end of input means the host is gone (even
// killed with SIGKILL), so no function process outlives it.
const entry = await new Promise((resolveEntry) => {
  (async () => {
    const buf = new Uint8Array(4096);
    const decoder = new TextDecoder();
    let line = '';
    let told = false;
    try {
      for (;;) {
        const n = await Deno.stdin.read(buf);
        if (n === null) break;
        if (told) continue;
        line += decoder.decode(buf.subarray(0, n), { stream: true });
        for (let end = line.indexOf('\n'); end >= 0 && !told; end = line.indexOf('\n')) {
          const next = line.slice(0, end);
          line = line.slice(end + 1);
          // `preload <url>`: a module the function about to be given will likely import (a spare process warming up).
          if (next.startsWith('preload ')) import(next.slice('preload '.length)).catch(() => {});
          else {
            told = true;
            resolveEntry(next);
          }
        }
      }
    } catch {
      /* stdin unusable: treat as closed */
    }
    Deno.exit(0);
  })();
});

let captured = null;
let realServer = null;
let resolveFinished;
const finished = new Promise((resolve) => (resolveFinished = resolve));

/** Deno.serve(handler) | Deno.serve(options, handler) | Deno.serve({ handler, ...options }) → the handler. */
function handlerOf(a, b) {
  if (typeof a === 'function') return a;
  if (typeof b === 'function') return b;
  if (a && typeof a.handler === 'function') return a.handler;
  if (a && typeof a.fetch === 'function') return a.fetch.bind(a);
  return null;
}

const stub = {
  finished,
  get addr() {
    return realServer?.addr ?? { transport: 'tcp', hostname: '127.0.0.1', port: 0 };
  },
  shutdown: () => (realServer ? realServer.shutdown() : Promise.resolve()),
  ref: () => realServer?.ref(),
  unref: () => realServer?.unref(),
  [Symbol.asyncDispose]: () => (realServer ? realServer.shutdown() : Promise.resolve()),
};

const realServe = Deno.serve.bind(Deno);
Deno.serve = (a, b) => {
  const handler = handlerOf(a, b);
  if (!handler) throw new TypeError('Deno.serve needs a handler function');
  captured ??= handler;
  return stub;
};

function errorJson(message) {
  return new Response(JSON.stringify({ error: message }), {
    status: 500,
    headers: { 'content-type': 'application/json', 'sb-error-code': 'EDGE_FUNCTION_ERROR' },
  });
}

async function safeHandle(req, info) {
  try {
    const response = await captured(req, info);
    if (!(response instanceof Response)) {
      console.error('the handler did not return a Response');
      return errorJson('The function did not return a Response');
    }
    return response;
  } catch (err) {
    console.error('Uncaught error:', err instanceof Error ? (err.stack ?? err.message) : err);
    return errorJson('The function threw an uncaught error');
  }
}

const mod = await import(entry);
if (!captured && mod.default && typeof mod.default.fetch === 'function') captured = mod.default.fetch.bind(mod.default);
if (!captured) {
  console.error('the function neither called Deno.serve nor exported default { fetch }');
  Deno.exit(70);
}

const ready = (where) => Deno.stdout.writeSync(new TextEncoder().encode(`${READY} ${where}\n`));
const where = listen.startsWith('unix:')
  ? { path: listen.slice('unix:'.length), onListen: () => ready(listen) }
  : { hostname: '127.0.0.1', port: 0, onListen: ({ port }) => ready(port) };
realServer = realServe(where, safeHandle);
realServer.finished.then(resolveFinished);
