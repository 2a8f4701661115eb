/**
 * Baseline B: the least a Node endpoint can do for the same query — node:http, a pooled driver, one
 * prepared statement whose JSON Postgres builds, no auth, no RLS. Listens on the port given as argv[3].
 */
import http from 'node:http';
import pg from 'pg';

const [url, port] = [process.argv[2]!, Number(process.argv[3])];
const pool = new pg.Pool({ connectionString: url, max: 10 });
const asText = { getTypeParser: () => (v: string) => v };

const ROUTES: Record<string, { name: string; text: string; method: string }> = {
  '/items': {
    name: 'b_items',
    method: 'GET',
    text: `select coalesce(json_agg(t), '[]')::text as body from (select * from public.items where id = $1) t`,
  },
  '/conversation': {
    name: 'b_conversation',
    method: 'GET',
    text: `select coalesce(json_agg(t), '[]')::text as body from (
             select c.*, to_json(ct) as contact,
                    (select coalesce(json_agg(m), '[]') from (select * from public.messages m where m.conversation_id = c.id order by m.created_at desc limit 20) m) as messages
             from public.conversations c join public.contacts ct on ct.id = c.contact_id where c.id = $1) t`,
  },
};

http
  .createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    const route = ROUTES[u.pathname];
    if (!route) {
      res.writeHead(404).end();
      return;
    }
    pool
      .query<{ body: string }>({ name: route.name, text: route.text, values: [u.searchParams.get('id')], types: asText })
      .then(
        (r) => {
          res.writeHead(200, { 'content-type': 'application/json' }).end(r.rows[0]!.body);
        },
        (err: Error) => {
          res.writeHead(500).end(err.message);
        },
      );
  })
  .listen(port, '127.0.0.1', () => process.stdout.write('ready\n'));
