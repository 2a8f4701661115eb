/**
 * The load generator, run in its own process so it does not share a CPU budget with the server:
 * autocannon with `connections` connections for `duration` seconds against URLs built from a template
 * (`{id}` is replaced by a random id in 1..max per request, `{uuid12}` by the same as 12 hex digits, the tail of a generated uuid). Prints one JSON line: {rps, p50, p99, errors, non2xx}.
 */
import autocannon from 'autocannon';

interface LoadSpec {
  url: string;
  path: string;
  max: number;
  connections: number;
  duration: number;
  method?: string;
  headers?: Record<string, string>;
  /** Body template; `{id}` is replaced like in the path, `{seq}` by a counter unique in this run. */
  body?: string;
}

const spec = JSON.parse(process.argv[2] ?? '{}') as LoadSpec;
let seq = Date.now() * 1000;
const pick = () => 1 + Math.floor(Math.random() * spec.max);
const fill = (s: string) =>
  s.replace(/\{id\}/g, () => String(pick()))
    .replace(/\{uuid12\}/g, () => pick().toString(16).padStart(12, '0'))
    .replace(/\{seq\}/g, () => String(seq++));

autocannon(
  {
    url: spec.url,
    connections: spec.connections,
    duration: spec.duration,
    requests: [
      {
        method: (spec.method ?? 'GET') as 'GET',
        ...(spec.headers ? { headers: spec.headers } : {}),
        setupRequest: (req) => ({
          ...req,
          path: fill(spec.path),
          ...(spec.body !== undefined ? { body: fill(spec.body) } : {}),
        }),
      },
    ],
  },
  (err, r) => {
    if (err) throw err;
    process.stdout.write(
      JSON.stringify({ rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors, non2xx: r.non2xx, total: r.requests.total }) + '\n',
    );
  },
);
