/** The gateway on :54321: request id, CORS, project-key check, then the service for /rest/v1, /auth/v1 or /functions/v1. */
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { JwtVerifier } from '../keys/jwt.ts';
import { textResponse } from '../shared/http.ts';
import { isPreflight, preflightHeaders, responseHeaders } from './cors.ts';
import { checkProjectKey } from './key-auth.ts';
import { toServiceRequest, writeWebResponse } from './node-adapter.ts';
import type net from 'node:net';
import type { Duplex } from 'node:stream';
import type { HealthReport, Service, ServiceContext, ServiceName, UpgradeHandler } from './types.ts';

export interface GatewayOptions {
  verifier: JwtVerifier;
  services: Partial<Record<ServiceName, Service>>;
  log: Logger;
  health: () => Promise<HealthReport>;
  /** Paths below a prefix that need no project key (e.g. functions with verify_jwt = false). */
  isOpen?: (service: ServiceName, subpath: string) => boolean;
  /** Services that take WebSocket (upgrade) requests; the others answer them 400. */
  upgrades?: Partial<Record<ServiceName, UpgradeHandler>>;
}

export interface Gateway {
  server: http.Server;
  listen(port: number, host: string): Promise<void>;
  close(): Promise<void>;
}

const PREFIXES: Array<[string, ServiceName]> = [
  ['/rest/v1', 'rest'],
  ['/auth/v1', 'auth'],
  ['/functions/v1', 'functions'],
];

const SERVICE_LABEL: Record<ServiceName, string> = { rest: 'REST', auth: 'Auth', functions: 'Functions' };
const REQUEST_ID = /^[A-Za-z0-9._-]{8,128}$/;

export function route(pathname: string): { service: ServiceName; subpath: string } | null {
  for (const [prefix, service] of PREFIXES) {
    if (pathname === prefix) return { service, subpath: '/' };
    if (pathname.startsWith(prefix + '/')) return { service, subpath: pathname.slice(prefix.length) };
  }
  return null;
}

/** A request header by (lower-case) name, when it came once; null otherwise. */
const headerOf =
  (req: http.IncomingMessage) =>
  (name: string): string | null => {
    const v = req.headers[name];
    return typeof v === 'string' ? v : null;
  };

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return textResponse(JSON.stringify(body), { status, headers: { 'content-type': 'application/json; charset=utf-8', ...headers } });
}

/** One request's answer on its way out: written, then logged (at info level). Methods, not closures per request. */
class Exchange {
  readonly requestId: string;
  readonly #req: http.IncomingMessage;
  readonly #res: http.ServerResponse;
  readonly #log: Logger;
  readonly #method: string;
  readonly #extra: Readonly<Record<string, string>>;
  readonly #started: number;

  constructor(req: http.IncomingMessage, res: http.ServerResponse, log: Logger) {
    this.#req = req;
    this.#res = res;
    this.#log = log;
    this.#method = req.method ?? 'GET';
    const incoming = req.headers['x-request-id'];
    this.requestId = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    this.#extra = responseHeaders(this.requestId);
    this.#started = log.isLevelEnabled('info') ? performance.now() : -1;
  }

  respond(response: Response): void {
    let written: void | Promise<void>;
    try {
      written = writeWebResponse(this.#res, response, this.#extra, this.#method);
    } catch (err) {
      return this.#broken(err);
    }
    // A text answer is out already; a streamed one is done when its promise settles.
    if (written) {
      written.then(
        () => this.#finish(),
        (err: unknown) => this.#broken(err),
      );
    } else this.#finish();
  }

  failed(err: unknown): void {
    this.#log.error({ reqId: this.requestId, err }, 'unhandled error in gateway');
    this.respond(json(500, { message: 'An unexpected error occurred', request_id: this.requestId }));
  }

  #broken(err: unknown): void {
    this.#log.warn({ reqId: this.requestId, err }, 'response stream failed');
    this.#res.destroy();
    this.#finish();
  }

  #finish(): void {
    if (this.#started < 0) return;
    this.#log.info({
      reqId: this.requestId,
      method: this.#method,
      path: (this.#req.url ?? '/').split('?')[0],
      status: this.#res.statusCode,
      ms: Math.round((performance.now() - this.#started) * 100) / 100,
    }, 'request');
  }
}

export function createGateway(opts: GatewayOptions): Gateway {
  const { log } = opts;

  async function handle(req: http.IncomingMessage, requestId: string): Promise<Response> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = req.method ?? 'GET';
    // The checks read Node's parsed headers directly; the service's Headers are built once we know where it goes.
    const header = headerOf(req);
    if (isPreflight(method, header('access-control-request-method'))) return textResponse(null, { status: 204, headers: preflightHeaders() });

    if (url.pathname === '/health' && (method === 'GET' || method === 'HEAD')) {
      const report = await opts.health();
      return json(report.status === 'ok' ? 200 : 503, report);
    }

    const target = route(url.pathname);
    if (!target) return json(404, { message: 'no Route matched with those values' });

    let apikeyClaims = null;
    if (!opts.isOpen?.(target.service, target.subpath)) {
      const auth = await checkProjectKey(opts.verifier, header, url);
      if (!auth.ok) return json(401, { message: auth.message, hint: auth.hint });
      apikeyClaims = auth.claims;
    }

    // As Kong's key-auth with hide_credentials: the key in the query string is not the service's business.
    if (url.search.includes('apikey') && url.searchParams.has('apikey')) url.searchParams.delete('apikey');
    const service = opts.services[target.service];
    if (!service) {
      return json(503, { message: `The ${SERVICE_LABEL[target.service]} service is not available`, code: 'service_unavailable' });
    }
    let child: Logger | undefined;
    const serviceRequest = toServiceRequest(req, url);
    // As a proxy does: the client's address is appended, so rate limits see who is asking.
    if (req.socket.remoteAddress) serviceRequest.headers.append('x-forwarded-for', req.socket.remoteAddress);
    return service(serviceRequest, {
      requestId,
      subpath: target.subpath,
      apikeyClaims,
      // A child logger costs a few microseconds: made only for services that log.
      get log() {
        return (child ??= log.child({ reqId: requestId, service: target.service }));
      },
    });
  }

  const onRequest = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const exchange = new Exchange(req, res, log);
    handle(req, exchange.requestId).then(
      (response) => exchange.respond(response),
      (err: unknown) => exchange.failed(err),
    );
  };
  const server = http.createServer(onRequest);

  /** A request that carries a body (which the HTTP parser no longer reads once a request asks to upgrade). */
  const hasBody = (req: http.IncomingMessage): boolean => req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;

  /** An upgrade request (a WebSocket): routed and key-checked like any other, then handed to the service's handler. */
  async function upgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer, requestId: string): Promise<Response | null> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const target = route(url.pathname);
    if (!target) return json(404, { message: 'no Route matched with those values' });
    const handler = opts.upgrades?.[target.service];
    if (!handler) return json(400, { message: `The ${SERVICE_LABEL[target.service]} service does not take upgrade requests` });
    let apikeyClaims = null;
    if (!opts.isOpen?.(target.service, target.subpath)) {
      const auth = await checkProjectKey(opts.verifier, headerOf(req), url);
      if (!auth.ok) return json(401, { message: auth.message, hint: auth.hint });
      apikeyClaims = auth.claims;
    }
    const ctx: ServiceContext = { requestId, subpath: target.subpath, apikeyClaims, log: log.child({ reqId: requestId, service: target.service }) };
    return handler(req, socket, head, ctx);
  }

  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    if (!/\bwebsocket\b/i.test(req.headers.upgrade ?? '') && !hasBody(req)) {
      // Another protocol (curl's `Upgrade: h2c`): a server may ignore the offer, so it is answered as the
      // plain HTTP/1.1 request it also is, on a connection that closes after it.
      const res = new http.ServerResponse(req);
      res.shouldKeepAlive = false;
      res.assignSocket(socket as net.Socket);
      res.once('finish', () => {
        res.detachSocket(socket as net.Socket);
        socket.end();
      });
      return onRequest(req, res);
    }
    const incoming = req.headers['x-request-id'];
    const requestId = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    upgrade(req, socket, head, requestId)
      .catch((err: unknown) => {
        log.error({ err }, 'unhandled error in gateway upgrade');
        return json(500, { message: 'An unexpected error occurred' });
      })
      .then(async (response) => {
        if (!response || socket.destroyed) return;
        // Not upgraded: the answer, then the connection closes.
        const body = Buffer.from(await response.text(), 'utf8');
        let head = `HTTP/1.1 ${response.status} ${http.STATUS_CODES[response.status] ?? ''}\r\n`;
        response.headers.forEach((value, name) => {
          if (name !== 'content-length' && name !== 'connection') head += `${name}: ${value}\r\n`;
        });
        for (const [name, value] of Object.entries(responseHeaders(requestId))) if (!response.headers.has(name)) head += `${name}: ${value}\r\n`;
        socket.end(Buffer.concat([Buffer.from(`${head}content-length: ${body.length}\r\nconnection: close\r\n\r\n`, 'latin1'), body]));
      })
      .catch(() => socket.destroy());
  });
  server.keepAliveTimeout = 65_000;

  return {
    server,
    listen(port, host) {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve();
        });
      });
    },
    close() {
      return new Promise((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), 5_000).unref();
      });
    },
  };
}
