/**
 * A Web-standard `Headers` read straight from Node's raw header list. Undici's `Headers` validates and
 * normalises every header as it is appended (a microsecond or so each, on every request); this one
 * indexes the already-parsed list once, on first use, and behaves like `Headers` from there on: names
 * are case-insensitive, repeated headers read as one value joined by `, `, `set-cookie` stays a list,
 * and iteration is sorted by name.
 */
export class RawHeaders implements Headers {
  #raw: readonly string[];
  #index: Map<string, string[]> | null = null;

  constructor(raw: readonly string[]) {
    this.#raw = raw;
  }

  #map(): Map<string, string[]> {
    if (this.#index) return this.#index;
    const index = new Map<string, string[]>();
    const raw = this.#raw;
    for (let i = 0; i + 1 < raw.length; i += 2) {
      const name = raw[i]!.toLowerCase();
      const list = index.get(name);
      if (list) list.push(raw[i + 1]!);
      else index.set(name, [raw[i + 1]!]);
    }
    this.#index = index;
    return index;
  }

  get(name: string): string | null {
    const list = this.#map().get(name.toLowerCase());
    if (!list) return null;
    return list.length === 1 ? list[0]! : list.join(', ');
  }

  has(name: string): boolean {
    return this.#map().has(name.toLowerCase());
  }

  getSetCookie(): string[] {
    return [...(this.#map().get('set-cookie') ?? [])];
  }

  append(name: string, value: string): void {
    const key = checkedName(name);
    const v = checkedValue(value);
    const list = this.#map().get(key);
    if (list) list.push(v);
    else this.#map().set(key, [v]);
  }

  set(name: string, value: string): void {
    this.#map().set(checkedName(name), [checkedValue(value)]);
  }

  delete(name: string): void {
    this.#map().delete(name.toLowerCase());
  }

  forEach(callback: (value: string, name: string, parent: Headers) => void, thisArg?: unknown): void {
    const map = this.#map();
    for (const name of [...map.keys()].sort()) {
      const list = map.get(name)!;
      if (name === 'set-cookie') for (const v of list) callback.call(thisArg, v, name, this);
      else callback.call(thisArg, list.length === 1 ? list[0]! : list.join(', '), name, this);
    }
  }

  entries(): IterableIterator<[string, string]> {
    const out: Array<[string, string]> = [];
    this.forEach((value, name) => out.push([name, value]));
    return out[Symbol.iterator]();
  }

  *keys(): IterableIterator<string> {
    for (const [name] of this.entries()) yield name;
  }

  *values(): IterableIterator<string> {
    for (const [, value] of this.entries()) yield value;
  }

  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.entries();
  }

  get [Symbol.toStringTag](): string {
    return 'Headers';
  }
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

function checkedName(name: string): string {
  if (!TOKEN.test(name)) throw new TypeError(`Headers.append: "${name}" is an invalid header name.`);
  return name.toLowerCase();
}

function checkedValue(value: string): string {
  const v = String(value).replace(/^[\t\n\r ]+|[\t\n\r ]+$/g, '');
  if (/[\0\r\n]/.test(v)) throw new TypeError(`Headers.append: "${value}" is an invalid header value.`);
  return v;
}
