/**
 * `/rest/v1`: the pipeline and nothing else — auth → parse → plan → sql → execute → respond — with
 * per-stage timings in `Server-Timing`.
 */
import type { Service, ServiceContext } from '../gateway/types.ts';
import type { JwtVerifier } from '../keys/jwt.ts';
import { textResponse } from '../shared/http.ts';
import { authenticate, type Caller } from './auth.ts';
import { schemaCacheUnavailable, singularityError, type ApiError } from './errors.ts';
import type { Executor, Row } from './execute.ts';
import { parseRequest } from './parse/index.ts';
import type { ApiRequest } from './parse/types.ts';
import { accessibleStatement, parseAccessible } from './openapi/privileges.ts';
import { openApiDocument } from './openapi/document.ts';
import { planRead } from './plan/read.ts';
import { errorResponse, failureResponse, readResponse } from './respond.ts';
import type { SchemaCacheHolder } from './schema-cache/listen.ts';
import type { SchemaCache } from './schema-cache/types.ts';
import { readStatement } from './sql/read.ts';

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

  async function handle(req: Request, ctx: ServiceContext, t: Timings): Promise<Response> {
    const auth = await authenticate(req.headers, ctx.apikeyClaims, opts.verifier, anonRole);
    t.mark('jwt');
    if (!auth.ok) return errorResponse(auth.error, auth.headers);
    const caller = auth.caller;

    const hasBody = req.method !== 'GET' && req.method !== 'HEAD' && req.body !== null;
    const body = hasBody ? new Uint8Array(await req.arrayBuffer()) : null;
    const url = new URL(req.url);
    const parsed = parseRequest(
      { method: req.method, url: ctx.subpath + url.search, headers: req.headers, body },
      { schemas: opts.schemas, ...(opts.maxRows !== undefined ? { maxRows: opts.maxRows } : {}) },
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
    if (request.action.type !== 'read' || request.target.kind !== 'relation') return errorResponse(notYet(request));
    const plan = planRead(request, cache, { aggregatesEnabled: true, ...(opts.maxRows !== undefined ? { maxRows: opts.maxRows } : {}) });
    if (!plan.ok) return errorResponse(plan.error);
    const statement = readStatement(plan.plan, { count: request.preferences.count, media: request.media, headersOnly: request.action.headersOnly });
    t.mark('plan');

    const result = await opts.executor.run({
      role: caller.role,
      settings: settings(request, caller, ctx.subpath),
      readOnly: true,
      statement,
      end: request.preferences.tx === 'rollback' ? 'rollback' : 'commit',
    });
    t.mark('transaction');
    if (!result.ok) return failureResponse(result, caller);
    const row: Row = result.rows[0] ?? {};
    const pageTotal = Number(row.page_total ?? 0);
    if (request.media.type === 'singular' && pageTotal !== 1) return errorResponse(singularityError(pageTotal));
    const total = row.total_result_set === null || row.total_result_set === undefined ? null : Number(row.total_result_set);
    const response = readResponse(request, row, { body: row.body ?? '[]', pageTotal, total });
    t.mark('response');
    return response;
  }

  /** `GET /rest/v1/`: what the caller's role can reach, as PostgREST's OpenAPI (Swagger 2.0) document. */
  async function openApi(request: ApiRequest, caller: Caller, cache: SchemaCache, req: Request, ctx: ServiceContext, t: Timings): Promise<Response> {
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

function notYet(request: ApiRequest): ApiError {
  return {
    code: 'PGRST501',
    message: `${request.method} on ${request.target.kind === 'routine' ? 'functions' : 'tables'} is not implemented yet`,
    details: null,
    hint: null,
    status: 501,
  };
}
