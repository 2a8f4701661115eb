/**
 * `/rest/v1`: the pipeline and nothing else — auth → parse → plan → sql → execute → respond — with
 * per-stage timings in `Server-Timing`.
 */
import type { Service, ServiceContext, ServiceRequest } from '../gateway/types.ts';
import type { JwtVerifier } from '../keys/jwt.ts';
import { setHeader, textResponse } from '../shared/http.ts';
import { authenticate, type Caller } from './auth.ts';
import { schemaCacheUnavailable, tableNotFound, type ApiError } from './errors.ts';
import type { Executor, Row, Statement } from './execute.ts';
import { headerRecord, parseCookies, parseRequest } from './parse/index.ts';
import type { ApiRequest } from './parse/types.ts';
import { accessibleStatement, parseAccessible } from './openapi/privileges.ts';
import { openApiDocument } from './openapi/document.ts';
import { planCall } from './plan/call.ts';
import { planMutate } from './plan/mutate.ts';
import type { MutatePlan } from './plan/mutate-types.ts';
import { planRead } from './plan/read.ts';
import { callEnd, callResponse } from './respond/call.ts';
import { errorResponse, failureResponse, resultResponse } from './respond/index.ts';
import { mutateEnd, mutateResponse } from './respond/mutate.ts';
import { readAnswer } from './respond/read.ts';
import type { SchemaCacheHolder } from './schema-cache/listen.ts';
import type { SchemaCache } from './schema-cache/types.ts';
import { qualifiedKey } from './schema-cache/qualified-key.ts';
import { instantiate, makeTemplate, requestShape, ShapeCache, type Shape } from './shape-cache.ts';
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
  /** Reuse parse/plan/sql output for reads that differ only in filter values (default on). */
  shapeCache?: boolean;
  /** Answer a `Server-Timing` header with each stage's milliseconds (`server-timing-enabled`, default off). */
  serverTiming?: boolean;
}

interface Timings {
  mark(name: string): void;
}

/** The stages' durations for a `Server-Timing` header. */
class StageTimings implements Timings {
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

const UNTIMED: Timings = { mark() {} };

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The body as text for the shape cache, or null when it is not valid UTF-8 (the full pipeline answers that). */
function bodyText(body: Uint8Array): string | null {
  try {
    return utf8.decode(body);
  } catch {
    return null;
  }
}
const quoteIdent = (s: string) => `"${s.replace(/"/g, '""')}"`;

export function createRestService(opts: RestOptions): Service {
  const anonRole = opts.anonRole ?? 'anon';
  const extra = (opts.extraSearchPath ?? ['public', 'extensions']).map(quoteIdent);

  const searchPaths = new Map<string, string>();
  const searchPathFor = (schema: string): string => {
    let path = searchPaths.get(schema);
    if (path === undefined) searchPaths.set(schema, (path = [quoteIdent(schema), ...extra.filter((s) => s !== quoteIdent(schema))].join(', ')));
    return path;
  };

  /**
   * The transaction-local settings of a request: the role's own (`ALTER ROLE … SET`, as PostgREST applies them),
   * then the request's, then a called function's hoisted ones (`SET statement_timeout` on the function).
   */
  function settings(request: ApiRequest, caller: Caller, path: string, cache: SchemaCache, hoisted: readonly (readonly [string, string])[] = []): Array<readonly [string, string]> {
    const role = cache.roleSettings?.get(caller.role);
    const out: Array<readonly [string, string]> = role ? [...role.settings] : [];
    out.push(
      ['request.jwt.claims', caller.claims],
      ['request.method', request.method],
      ['request.path', path],
      ['request.headers', JSON.stringify(request.headers)],
      ['request.cookies', JSON.stringify(request.cookies)],
      ['search_path', searchPathFor(request.schema)],
    );
    if (request.preferences.timezone) out.push(['timezone', request.preferences.timezone]);
    out.push(...hoisted);
    return out;
  }

  /** The isolation level a request's transaction starts at: a called function's, else the role's. */
  const isolationFor = (caller: Caller, cache: SchemaCache, fn: string | null = null): string | null => fn ?? cache.roleSettings?.get(caller.role)?.isolationLevel ?? null;

  const shapes = opts.shapeCache === false ? null : new ShapeCache<MutatePlan | null>();
  const parseOptions = { schemas: opts.schemas, allowTxOverride: true, ...(opts.maxRows !== undefined ? { maxRows: opts.maxRows } : {}) };
  const planOptions = { aggregatesEnabled: true, ...(opts.maxRows !== undefined ? { maxRows: opts.maxRows } : {}) };

  /**
   * Plan and SQL for a read or write on a table or view: a read's statements are the main one, then the
   * planner's estimate when the count needs it; a write's plan is kept for the response stage.
   */
  function relationStatements(request: ApiRequest, cache: SchemaCache): { ok: true; plan: MutatePlan | null; statements: Statement[] } | { ok: false; error: ApiError } {
    if (request.action.type !== 'read') {
      const plan = planMutate(request, cache, planOptions);
      return plan.ok ? { ok: true, plan: plan.plan, statements: [mutateStatement(plan.plan)] } : plan;
    }
    const plan = planRead(request, cache, planOptions);
    if (!plan.ok) return plan;
    const count = request.preferences.count;
    const statements = [readStatement(plan.plan, { count, media: request.media, headersOnly: request.action.headersOnly })];
    // The planner's estimate: for count=planned, and for count=estimated when the exact count passes max-rows.
    if (count === 'planned' || (count === 'estimated' && opts.maxRows !== undefined)) statements.push(plannedCountStatement(plan.plan));
    return { ok: true, plan: null, statements };
  }

  /** Runs a read or write on a table or view and answers it. */
  async function runRelation(request: ApiRequest, plan: MutatePlan | null, statements: Statement[], caller: Caller, ctx: ServiceContext, cache: SchemaCache, t: Timings): Promise<Response> {
    const result = await opts.executor.run({
      role: caller.role,
      settings: settings(request, caller, ctx.subpath, cache),
      isolation: isolationFor(caller, cache),
      readOnly: plan === null,
      statement: statements[0]!,
      ...(statements.length > 1 ? { extra: statements.slice(1) } : {}),
      end: plan ? mutateEnd(request, plan) : request.preferences.tx === 'rollback' ? 'rollback' : 'commit',
    });
    t.mark('transaction');
    if (!result.ok) return failureResponse(result, caller);
    const answer = plan
      ? mutateResponse(request, plan, result.rows[0])
      : readAnswer(request, withEstimate(result.rows[0], result.extraRows[0], request.preferences.count, opts.maxRows));
    const response = resultResponse(answer);
    t.mark('response');
    return response;
  }

  /** The schema cache, or null while none is loaded (the full pipeline then answers PGRST002). */
  function currentCache(): SchemaCache | null {
    try {
      return opts.cache.current();
    } catch {
      return null;
    }
  }

  /** Makes (and remembers) the template of a shape seen twice, from the statements the pipeline just built for it. */
  function remember(shape: Shape, req: ServiceRequest, ctx: ServiceContext, cache: SchemaCache, real: Statement[]): void {
    const template = makeTemplate(
      shape,
      (search, body) => {
        const parsed = parseRequest({ method: req.method, url: ctx.subpath + search, headers: req.headers, body }, parseOptions);
        if (!parsed.ok || parsed.request.target.kind !== 'relation' || parsed.request.action.type === 'info') return null;
        const built = relationStatements(parsed.request, cache);
        return built.ok ? { request: parsed.request, plan: built.plan, statements: built.statements } : null;
      },
      real,
    );
    shapes!.store(shape.key, template);
  }

  async function handle(req: ServiceRequest, ctx: ServiceContext, t: Timings): Promise<Response> {
    const auth = await authenticate(req.headers, ctx.apikeyClaims, opts.verifier, anonRole);
    t.mark('jwt');
    if (!auth.ok) return errorResponse(auth.error, auth.headers);
    const caller = auth.caller;

    const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
    const body = hasBody ? new Uint8Array(await req.arrayBuffer()) : null;
    const url = new URL(req.url);
    const text = body === null ? null : bodyText(body);
    const shape = shapes && (body === null || text !== null) ? requestShape(req.method, ctx.subpath, url.search, req.headers, caller.role, text) : null;
    let build = false;
    const current = shapes && shape ? currentCache() : null;
    if (shapes && shape && current) {
      const found = shapes.lookup(shape.key, current);
      if (found === 'build') build = true;
      else if (found) {
        const request: ApiRequest = { ...found.request, headers: headerRecord(req.headers), cookies: parseCookies(req.headers.get('cookie')) };
        const statements = instantiate(found, shape);
        t.mark('plan');
        return runRelation(request, found.plan, statements, caller, ctx, current, t);
      }
    }

    const parsed = parseRequest({ method: req.method, url: ctx.subpath + url.search, headers: req.headers, body }, parseOptions);
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

    if (request.target.kind === 'routine') {
      const plan = planCall(request, cache, planOptions);
      if (!plan.ok) return errorResponse(plan.error);
      t.mark('plan');
      const result = await opts.executor.run({
        role: caller.role,
        settings: settings(request, caller, ctx.subpath, cache, plan.plan.hoistedSettings),
        isolation: isolationFor(caller, cache, plan.plan.isolationLevel),
        readOnly: plan.plan.readOnly,
        statement: callStatement(plan.plan),
        end: callEnd(request, plan.plan),
      });
      t.mark('transaction');
      if (!result.ok) return failureResponse(result, caller);
      const response = resultResponse(callResponse(request, plan.plan, result.rows[0]));
      t.mark('response');
      return response;
    }
    const built = relationStatements(request, cache);
    if (!built.ok) return errorResponse(built.error);
    if (build && shape) remember(shape, req, ctx, cache, built.statements);
    t.mark('plan');
    return runRelation(request, built.plan, built.statements, caller, ctx, cache, t);
  }

  /** `GET /rest/v1/`: what the caller's role can reach, as PostgREST's OpenAPI (Swagger 2.0) document. */
  async function openApi(request: ApiRequest, caller: Caller, cache: SchemaCache, req: ServiceRequest, ctx: ServiceContext, t: Timings): Promise<Response> {
    const result = await opts.executor.run({
      role: caller.role,
      settings: settings(request, caller, ctx.subpath, cache),
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

  if (!opts.serverTiming) return (req, ctx) => handle(req, ctx, UNTIMED);
  return async (req, ctx) => {
    const t = new StageTimings();
    const response = await handle(req, ctx, t);
    setHeader(response, 'server-timing', t.header());
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
