// In charge of reading a view's stored query (`pg_rewrite.ev_action`, a pg_node_tree) just far enough to know which base column each view column shows.

/** Where a view column's values come from: `table` is a pg_class oid and `column` an attnum, both 0 when it is computed. */
export interface ColumnOrigin {
  /** The view column's attnum. */
  readonly resno: number;
  readonly table: number;
  readonly column: number;
}

type NodeValue = string | null | readonly NodeValue[] | TreeNode;

interface TreeNode {
  readonly type: string;
  readonly fields: ReadonlyMap<string, NodeValue>;
}

interface Token {
  readonly text: string;
  /** Contained a backslash escape: never a delimiter or `<>`. */
  readonly literal: boolean;
}

const DELIMITERS = new Set(['(', ')', '{', '}']);
const isSpace = (c: string): boolean => c === ' ' || c === '\n' || c === '\t' || c === '\r';

/** Splits as PostgreSQL's `pg_strtok` does: `(){}` are tokens, whitespace separates, a backslash quotes the next character. */
function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text.charAt(i);
    if (isSpace(c)) {
      i++;
    } else if (DELIMITERS.has(c)) {
      out.push({ text: c, literal: false });
      i++;
    } else {
      let s = '';
      let literal = false;
      while (i < text.length) {
        const d = text.charAt(i);
        if (isSpace(d) || DELIMITERS.has(d)) break;
        if (d === '\\' && i + 1 < text.length) {
          s += text.charAt(i + 1);
          literal = true;
          i += 2;
        } else {
          s += d;
          i++;
        }
      }
      out.push({ text: s, literal });
    }
  }
  return out;
}

class TreeReader {
  private at = 0;
  constructor(private readonly tokens: readonly Token[]) {}

  private next(): Token {
    const t = this.tokens[this.at++];
    if (t === undefined) throw new Error('unexpected end of node tree');
    return t;
  }

  private peekIs(text: string): boolean {
    const t = this.tokens[this.at];
    return t !== undefined && !t.literal && t.text === text;
  }

  value(): NodeValue {
    const t = this.next();
    if (!t.literal && t.text === '{') return this.node();
    if (!t.literal && t.text === '(') return this.list();
    if (!t.literal && t.text === '<>') return null;
    // A Const's datum is written `<length> [ b1 b2 ... ]`: skip the bytes.
    if (/^\d+$/.test(t.text) && this.peekIs('[')) {
      while (!this.peekIs(']')) this.next();
      this.next();
    }
    return t.text;
  }

  private node(): TreeNode {
    const type = this.next().text;
    const fields = new Map<string, NodeValue>();
    while (!this.peekIs('}')) {
      const key = this.next().text;
      if (!key.startsWith(':')) throw new Error(`expected a field name in ${type}, got ${key}`);
      fields.set(key.slice(1), this.value());
    }
    this.next();
    return { type, fields };
  }

  private list(): NodeValue[] {
    const items: NodeValue[] = [];
    while (!this.peekIs(')')) items.push(this.value());
    this.next();
    return items;
  }
}

const isNode = (v: NodeValue | undefined): v is TreeNode => typeof v === 'object' && v !== null && !Array.isArray(v);
const isList = (v: NodeValue | undefined): v is readonly NodeValue[] => Array.isArray(v);

function intField(node: TreeNode, name: string): number {
  const v = node.fields.get(name);
  return typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : 0;
}

/**
 * The origin of every column of a view, from the top-level query's target list (`resorigtbl`/`resorigcol`, which
 * PostgreSQL fills in through subqueries and joins). Junk entries (ORDER BY expressions) are skipped. A definition
 * that cannot be read yields no origins, so the view merely gets no inferred keys.
 */
export function viewColumnOrigins(evAction: string): ColumnOrigin[] {
  try {
    const root = new TreeReader(tokenize(evAction)).value();
    const query = isList(root) ? root[0] : root;
    if (!isNode(query) || query.type !== 'QUERY') return [];
    const targets = query.fields.get('targetList');
    if (!isList(targets)) return [];
    const out: ColumnOrigin[] = [];
    for (const entry of targets) {
      if (!isNode(entry) || entry.type !== 'TARGETENTRY' || entry.fields.get('resjunk') === 'true') continue;
      out.push({ resno: intField(entry, 'resno'), table: intField(entry, 'resorigtbl'), column: intField(entry, 'resorigcol') });
    }
    return out;
  } catch {
    return [];
  }
}
