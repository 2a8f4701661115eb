/**
 * `/rest/v1`: the pipeline and nothing else — auth → parse → plan → sql → execute → respond — with
 * per-stage timings in `Server-Timing`.
 */
import type { Service, ServiceContext, ServiceRequest } from '../gateway/types.ts';
import type { JwtVerifier } from '../keys/jwt.ts';
import { textResponse } from '../shared/http.ts';
import { authenticate, type Caller } from './auth.ts';
import { schemaCacheUnavailable, tableNotFound } from './errors.ts';
import type { Executor, Row } from './execute.ts';
import { parseRequest } from './parse/index.ts';
import type { ApiRequest } from './parse/types.ts';
import { accessibleStatement, parseAccessible } from './openapi/privileges.ts';
import { openApiDocument } from './openapi/document.ts';
import { planCall } from './plan/call.ts';
import { planMutate } from './plan/mutate.ts';
import { planRead } from './plan/read.ts';
import { callEnd, callResponse } from './respond/call.ts';
import { errorResponse, failureResponse, resultResponse } from './respond/index.ts';
import { mutateEnd, mutateResponse } from './respond/mutate.ts';
import { readAnswer } from './respond/read.ts';
import type { SchemaCacheHolder } from './schema-cache/listen.ts';
import type { SchemaCache } from './schema-cache/types.ts';
import { qualifiedKey } from './schema-cache/qualified-key.ts';
import { callStatement } from './sql/call.ts';
import { mutateStatement } from './sql/mutate-statement.ts';
import { plannedCountStatement, planRows, readStatement } from './sql/read.ts';

export interface RestOptions {
  executor: Executor;
  cache: SchemaCacheHolder;
  verifier: JwtVerifier;
  /** Exposed schemas; the first is the default. */
  schemas: string[];
  anonRole?: string;
  /** Caps the rows of every read (`db-max-rows`). */
  maxRows?: number;
  /** Always on the search_path after the requested schema (`db-extra-search-path`). */
  extraSearchPath?: string[];
}

class Timings {
  private last = performance.now();
  readonly parts: string[] = [];
  mark(name: string): void {
    const now = performance.now();
    this.parts.push(`${name};dur=${(now - this.last).toFixed(1)}`);
    this.last = now;
  }
  header(): string {
    return this.parts.join(', ');
  }
}

const quoteIdent = (s: string) => `"${s.replace(/"/g, '""')}"`;

export function createRestService(opts: RestOptions): Service {
  const anonRole = opts.anonRole ?? 'anon';
  const extra = (opts.extraSearchPath ?? ['public', 'extensions']).map(quoteIdent);

  function settings(request: ApiRequest, caller: Caller, path: string): Array<readonly [string, string]> {
    const searchPath = [quoteIdent(request.schema), ...extra.filter((s) => s !== quoteIdent(request.schema))].join(', ');
    const out: Array<readonly [string, string]> = [
      ['request.jwt.claims', caller.claims],
      ['request.method', request.method],
      ['request.path', path],
      ['request.headers', JSON.stringify(request.headers)],
      ['request.cookies', JSON.stringify(request.cookies)],
      ['search_path', searchPath],
    ];
    if (request.preferences.timezone) out.push(['timezone', request.preferences.timezone]);
    return out;
  }

  async function handle(req: ServiceRequest, ctx: ServiceContext, t: Timings): Promise<Response> {
    const auth = await authenticate(req.headers, ctx.apikeyClaims, opts.verifier, anonRole);
    t.mark('jwt');
    if (!auth.ok) return errorResponse(auth.error, auth.headers);
    const caller = auth.caller;

    const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
    const body = hasBody ? new Uint8Array(await req.arrayBuffer()) : null;
    const url = new URL(req.url);
    const parsed = parseRequest(
      { method: req.method, url: ctx.subpath + url.search, headers: req.headers, body },
      // PostgREST's db-tx-end = commit-allow-override: `Prefer: tx=rollback` is honoured.
      { schemas: opts.schemas, allowTxOverride: true, ...(opts.maxRows !== undefined ? { maxRows: opts.maxRows } : {}) },
    );
    if (!parsed.ok) return errorResponse(parsed.error);
    const request = parsed.request;
    t.mark('parse');

    let cache: SchemaCache;
    try {
      cache = opts.cache.current();
    } catch {
      return errorResponse(schemaCacheUnavailable());
    }
    if (request.target.kind === 'openapi') return openApi(request, caller, cache, req, ctx, t);
    if (request.action.type === 'info') return optionsResponse(request, cache);

    const planOptions = { aggregatesEnabled: true, ...(opts.maxRows !== undefined ? { maxRows: opts.maxRows } : {}) };
    const base = { role: caller.role, settings: settings(request, caller, ctx.subpath) };
    let response: Response;
    if (request.target.kind === 'routine') {
      const plan = planCall(request, cache, planOptions);
      if (!plan.ok) return errorResponse(plan.error);
      t.mark('plan');
      const result = await opts.executor.run({ ...base, readOnly: plan.plan.readOnly, statement: callStatement(plan.plan), end: callEnd(request, plan.plan) });
      t.mark('transaction');
      if (!result.ok) return failureResponse(result, caller);
      response = resultResponse(callResponse(request, plan.plan, result.rows[0]));
    } else if (request.action.type === 'read') {
      const plan = planRead(request, cache, planOptions);
      if (!plan.ok) return errorResponse(plan.error);
      const count = request.preferences.count;
      const statement = readStatement(plan.plan, { count, media: request.media, headersOnly: request.action.headersOnly });
      // The planner's estimate: for count=planned, and for count=estimated when the exact count passes max-rows.
      const explain = count === 'planned' || (count === 'estimated' && opts.maxRows !== undefined);
      t.mark('plan');
      const result = await opts.executor.run({
        ...base,
        readOnly: true,
        statement,
        ...(explain ? { extra: [plannedCountStatement(plan.plan)] } : {}),
        end: request.preferences.tx === 'rollback' ? 'rollback' : 'commit',
      });
      t.mark('transaction');
      if (!result.ok) return failureResponse(result, caller);
      response = resultResponse(readAnswer(request, withEstimate(result.rows[0], result.extraRows[0], count, opts.maxRows)));
    } else {
      const plan = planMutate(request, cache, planOptions);
      if (!plan.ok) return errorResponse(plan.error);
      t.mark('plan');
      const result = await opts.executor.run({ ...base, readOnly: false, statement: mutateStatement(plan.plan), end: mutateEnd(request, plan.plan) });
      t.mark('transaction');
      if (!result.ok) return failureResponse(result, caller);
      response = resultResponse(mutateResponse(request, plan.plan, result.rows[0]));
    }
    t.mark('response');
    return response;
  }

  /** `GET /rest/v1/`: what the caller's role can reach, as PostgREST's OpenAPI (Swagger 2.0) document. */
  async function openApi(request: ApiRequest, caller: Caller, cache: SchemaCache, req: ServiceRequest, ctx: ServiceContext, t: Timings): Promise<Response> {
    const result = await opts.executor.run({
      role: caller.role,
      settings: settings(request, caller, ctx.subpath),
      readOnly: true,
      statement: accessibleStatement(request.schema),
      end: 'commit',
    });
    t.mark('transaction');
    if (!result.ok) return failureResponse(result, caller);
    const doc = openApiDocument(cache, request.schema, parseAccessible(result.rows), {
      host: req.headers.get('x-forwarded-host') ?? req.headers.get('host') ?? 'localhost',
      basePath: '/rest/v1',
      securityActive: true,
    });
    const response = textResponse(request.action.type === 'read' && request.action.headersOnly ? null : JSON.stringify(doc), {
      status: 200,
      headers: { 'content-type': 'application/openapi+json; charset=utf-8' },
    });
    t.mark('response');
    return response;
  }

  return async (req, ctx) => {
    const t = new Timings();
    const response = await handle(req, ctx, t);
    response.headers.set('server-timing', t.header());
    return response;
  };
}

/** `OPTIONS /rest/v1/<table>` or `/rpc/<fn>`: the methods it allows, as PostgREST answers. */
function optionsResponse(request: ApiRequest, cache: SchemaCache): Response {
  let allow = 'OPTIONS,GET,HEAD,POST';
  if (request.target.kind === 'relation') {
    const relation = cache.relations.get(qualifiedKey(request.target.schema, request.target.name));
    if (!relation) return errorResponse(tableNotFound(request.target.schema, request.target.name, null));
    const verbs = ['OPTIONS', 'GET', 'HEAD'];
    if (relation.insertable) verbs.push('POST');
    if (relation.insertable && relation.updatable) verbs.push('PUT');
    if (relation.updatable) verbs.push('PATCH');
    if (relation.deletable) verbs.push('DELETE');
    allow = verbs.join(',');
  }
  return textResponse(null, { status: 200, headers: { allow } });
}

/** PostgREST's counts: `planned` is the planner's estimate; `estimated` is exact up to max-rows, the estimate beyond. */
function withEstimate(row: Row | undefined, explainRows: Row[] | undefined, count: string | null, maxRows: number | undefined): Row | undefined {
  if (!row || !explainRows) return row;
  const planned = planRows(explainRows[0]?.['QUERY PLAN']);
  if (planned === null) return row;
  if (count === 'planned') return { ...row, total_result_set: String(planned) };
  const exact = row.total_result_set === null || row.total_result_set === undefined ? null : Number(row.total_result_set);
  if (count === 'estimated' && maxRows !== undefined && exact !== null && exact > maxRows) return { ...row, total_result_set: String(Math.max(planned, maxRows)) };
  return row;
}
