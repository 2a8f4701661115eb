/**
 * Several statements sent in one write and ended by a single Sync, through node-postgres's Submittable
 * interface: Postgres runs them as one implicit transaction (or inside an explicit BEGIN), answers once,
 * and skips everything after the first error. Each distinct text is prepared once per connection.
 */
import { createHash } from 'node:crypto';
import type pg from 'pg';
import { serialize } from 'pg-protocol';

export interface WireStatement {
  text: string;
  values: readonly unknown[];
}

export interface WireResult {
  rows: Array<Record<string, string | null>>;
  command: string | null;
}

export interface WireError extends Error {
  code?: string;
  detail?: string;
  hint?: string;
}

/** The parts of node-postgres's Connection a Submittable uses: its socket and its message events. */
interface ProtocolConnection {
  stream: { write(chunk: Buffer): boolean };
  on(event: 'parseComplete', listener: () => void): void;
  off(event: 'parseComplete', listener: () => void): void;
}

interface FieldMessage {
  fields: Array<{ name: string }>;
}

const DESCRIBE_PORTAL = serialize.describe({ type: 'P', name: '' });
const EXECUTE_ALL = serialize.execute({ portal: '', rows: 0 });
const SYNC = serialize.sync();

const statementNames = new Map<string, string>();
/** A stable name per text, so a query shape is parsed once per connection and reused after. */
function nameFor(text: string): string {
  let name = statementNames.get(text);
  if (name === undefined) {
    name = 'pgrst_' + createHash('sha1').update(text).digest('base64url').slice(0, 20);
    if (statementNames.size > 50_000) statementNames.clear();
    statementNames.set(text, name);
  }
  return name;
}

/**
 * The result columns of each statement a connection has prepared, from the first RowDescription Postgres
 * sent for it there: a prepared statement's columns do not change, so later runs skip the Describe.
 */
const columnsOf = new WeakMap<object, Map<string, string[]>>();

/** Statement names each connection has already parsed. */
const prepared = new WeakMap<object, Set<string>>();

export function preparedCount(connection: object): number {
  return prepared.get(connection)?.size ?? 0;
}

function wireValue(v: unknown): string | Buffer | null {
  if (v === null || v === undefined) return null;
  if (Buffer.isBuffer(v)) return v;
  if (typeof v === 'string') return v;
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/**
 * A node-postgres Submittable: `client.query(new WirePipeline(statements))` resolves (via `done`) with one
 * result per statement, or rejects with the first statement error (its index in `failedAt`).
 */
export class WirePipeline {
  readonly done: Promise<WireResult[]>;
  failedAt = -1;
  private resolve!: (r: WireResult[]) => void;
  private reject!: (e: WireError) => void;
  private readonly results: WireResult[] = [];
  /** Each statement's prepared name, and whether its columns come from a RowDescription in this run. */
  private readonly names: string[] = [];
  private readonly described: boolean[] = [];
  private fields: string[] | null = null;
  private columns: Map<string, string[]> | null = null;
  private current = 0;
  private error: WireError | null = null;
  /** Names parsed by this pipeline, in order; only those Postgres confirmed stay known (the rest were skipped after an error). */
  private parsed: string[] = [];
  private confirmed = 0;
  private connection: ProtocolConnection | null = null;
  /** Counts ParseComplete messages; made only for a pipeline that parses. */
  private onParseComplete: (() => void) | null = null;

  constructor(private readonly statements: readonly WireStatement[]) {
    this.done = new Promise((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    for (let i = 0; i < statements.length; i++) this.results.push({ rows: [], command: null });
  }

  submit(connection: ProtocolConnection): void {
    this.connection = connection;
    let known = prepared.get(connection);
    if (!known) prepared.set(connection, (known = new Set()));
    let columns = columnsOf.get(connection);
    if (!columns) columnsOf.set(connection, (columns = new Map()));
    this.columns = columns;
    // Every message of the pipeline in one buffer and one write: one syscall, one TCP segment.
    const chunks: Buffer[] = [];
    for (const st of this.statements) {
      const name = nameFor(st.text);
      this.names.push(name);
      if (!known.has(name)) {
        chunks.push(serialize.parse({ name, text: st.text, types: [] }));
        known.add(name);
        this.parsed.push(name);
      }
      chunks.push(serialize.bind({ portal: '', statement: name, values: st.values.map(wireValue), binary: false }));
      const describe = !columns.has(name);
      this.described.push(describe);
      if (describe) chunks.push(DESCRIBE_PORTAL);
      chunks.push(EXECUTE_ALL);
    }
    chunks.push(SYNC);
    // Parse confirmations are counted only when something is parsed (once per statement and connection).
    if (this.parsed.length > 0) {
      this.onParseComplete = () => {
        this.confirmed++;
      };
      connection.on('parseComplete', this.onParseComplete);
    }
    connection.stream.write(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
  }

  handleRowDescription(msg: FieldMessage): void {
    this.fields = msg.fields.map((f) => f.name);
    if (this.described[this.current]) this.columns?.set(this.names[this.current]!, this.fields);
  }

  handleDataRow(msg: { fields: Array<string | null> }): void {
    const fields = (this.fields ??= this.columns?.get(this.names[this.current]!) ?? []);
    const row: Record<string, string | null> = {};
    for (let i = 0; i < fields.length; i++) row[fields[i]!] = msg.fields[i] ?? null;
    this.results[this.current]!.rows.push(row);
  }

  handleCommandComplete(msg: { text: string }): void {
    this.results[this.current]!.command = msg.text;
    this.current++;
    this.fields = null;
  }

  handleEmptyQuery(): void {
    this.current++;
    this.fields = null;
  }

  handleError(err: WireError): void {
    if (this.error) return;
    this.error = err;
    this.failedAt = this.current;
    // node-postgres forgets the active query at the first error (Postgres then skips to the Sync, so no
    // more parse confirmations can come): settle now; the client waits for ReadyForQuery before the next query.
    this.forgetUnconfirmed();
    this.reject(err);
  }

  handleReadyForQuery(): void {
    this.forgetUnconfirmed();
    if (!this.error) this.resolve(this.results);
  }

  private forgetUnconfirmed(): void {
    if (!this.connection || !this.onParseComplete) return;
    this.connection.off('parseComplete', this.onParseComplete);
    this.onParseComplete = null;
    const known = prepared.get(this.connection);
    for (const name of this.parsed.slice(this.confirmed)) {
      known?.delete(name);
      this.columns?.delete(name);
    }
    this.parsed = [];
  }

  handlePortalSuspended(): void {}

  handleCopyInResponse(): void {}

  handleCopyData(): void {}
}

/** Runs statements on a checked-out client as one pipeline. */
export function runPipeline(client: pg.ClientBase, statements: readonly WireStatement[]): Promise<WireResult[]> {
  const p = new WirePipeline(statements);
  (client as unknown as { query(q: WirePipeline): void }).query(p);
  return p.done;
}
