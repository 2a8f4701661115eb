/**
 * Refresh-token load, in its own process: autocannon POSTs grant_type=refresh_token, each request with a token
 * never sent before (taken from a queue seeded from a file, refilled with the rotated token of every answer).
 * Prints one JSON line: {rps, p50, p99, errors, non2xx, total, starved}.
 */
import fs from 'node:fs';
import autocannon from 'autocannon';

interface RefreshSpec {
  url: string;
  apikey: string;
  tokensFile: string;
  connections: number;
  duration: number;
}

const spec = JSON.parse(process.argv[2] ?? '{}') as RefreshSpec;
const queue = fs.readFileSync(spec.tokensFile, 'utf8').split('\n').filter(Boolean);
let starved = 0;

autocannon(
  {
    url: spec.url,
    connections: spec.connections,
    duration: spec.duration,
    requests: [
      {
        method: 'POST',
        path: '/auth/v1/token?grant_type=refresh_token',
        headers: { apikey: spec.apikey, 'content-type': 'application/json' },
        setupRequest: (req) => {
          const token = queue.shift();
          if (token === undefined) starved++;
          return { ...req, body: JSON.stringify({ refresh_token: token ?? 'starved' }) };
        },
        onResponse: (status, body) => {
          if (status === 200) queue.push((JSON.parse(body) as { refresh_token: string }).refresh_token);
        },
      },
    ],
  },
  (err, r) => {
    if (err) throw err;
    process.stdout.write(
      JSON.stringify({ rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors, non2xx: r.non2xx, total: r.requests.total, starved }) + '\n',
    );
  },
);
