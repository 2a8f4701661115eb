/** What the gateway hands to the services behind it, and what they give back: Web-standard Request/Response. */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import type { JwtClaims } from '../keys/jwt.ts';

export type ServiceName = 'rest' | 'auth' | 'functions';

export interface ServiceContext {
  requestId: string;
  /** Path below the service prefix, e.g. `/items` for `/rest/v1/items`. Always starts with `/`. */
  subpath: string;
  /** Claims of the verified project key, or null on an open route that carried none. */
  apikeyClaims: JwtClaims | null;
  log: Logger;
}

/**
 * The part of a Web-standard Request that services use. A real `Request` is one; the gateway passes a
 * lighter object built straight from Node's request, since Node's `new Request()` costs tens of
 * microseconds (it builds an AbortSignal and re-validates every header).
 */
export interface ServiceRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Headers;
  readonly body: ReadableStream<Uint8Array> | null;
  readonly signal: AbortSignal;
  arrayBuffer(): Promise<ArrayBuffer>;
  text(): Promise<string>;
  json(): Promise<unknown>;
}

export type Service = (req: ServiceRequest, ctx: ServiceContext) => Promise<Response>;

/**
 * Takes over a connection that asked for a protocol upgrade (a WebSocket), after the gateway has routed it
 * and checked its project key: the handler answers on the socket itself, or resolves with a Response the
 * gateway then writes there (and closes the connection).
 */
export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer, ctx: ServiceContext) => Promise<Response | null>;

export interface HealthReport {
  status: 'ok' | 'degraded';
  [part: string]: unknown;
}
