// Structured Field Values (RFC 9651) for the DBSC headers, as a test helper: a List parser and
// serializer with Items, Inner Lists and Parameters. Parsing never throws: bad input is `undefined`.

/** A bare item. Tokens are kept apart from strings (DBSC algorithms are tokens, paths are strings). */
export type SfBareItem =
  | { type: 'integer'; value: number }
  | { type: 'decimal'; value: number }
  | { type: 'string'; value: string }
  | { type: 'token'; value: string }
  | { type: 'bytes'; value: Uint8Array }
  | { type: 'boolean'; value: boolean };

export type SfParameters = Array<[string, SfBareItem]>;
export interface SfItem {
  kind: 'item';
  value: SfBareItem;
  params: SfParameters;
}
export interface SfInnerList {
  kind: 'inner';
  items: SfItem[];
  params: SfParameters;
}
export type SfMember = SfItem | SfInnerList;

class SfError extends Error {}

class Parser {
  private i = 0;
  constructor(private readonly s: string) {}

  list(): SfMember[] {
    const out: SfMember[] = [];
    this.ows(' ');
    while (this.i < this.s.length) {
      out.push(this.s[this.i] === '(' ? this.innerList() : this.item());
      this.ows(' \t');
      if (this.i >= this.s.length) return out;
      if (this.s[this.i] !== ',') throw new SfError('expected a comma');
      this.i += 1;
      this.ows(' \t');
      if (this.i >= this.s.length) throw new SfError('trailing comma');
    }
    return out;
  }

  private ows(chars: string): void {
    while (this.i < this.s.length && chars.includes(this.s[this.i]!)) this.i += 1;
  }

  private innerList(): SfInnerList {
    this.i += 1;
    const items: SfItem[] = [];
    for (;;) {
      this.ows(' ');
      if (this.i >= this.s.length) throw new SfError('unterminated inner list');
      if (this.s[this.i] === ')') {
        this.i += 1;
        return { kind: 'inner', items, params: this.params() };
      }
      items.push(this.item());
      const c = this.s[this.i];
      if (c !== ' ' && c !== ')') throw new SfError('bad inner list');
    }
  }

  private item(): SfItem {
    return { kind: 'item', value: this.bare(), params: this.params() };
  }

  private params(): SfParameters {
    const out: SfParameters = [];
    while (this.s[this.i] === ';') {
      this.i += 1;
      this.ows(' ');
      const key = this.key();
      let value: SfBareItem = { type: 'boolean', value: true };
      if (this.s[this.i] === '=') {
        this.i += 1;
        value = this.bare();
      }
      const at = out.findIndex(([k]) => k === key);
      if (at >= 0) out[at] = [key, value];
      else out.push([key, value]);
    }
    return out;
  }

  private key(): string {
    const m = /^[a-z*][a-z0-9_\-.*]*/.exec(this.s.slice(this.i));
    if (!m) throw new SfError('bad key');
    this.i += m[0].length;
    return m[0];
  }

  private bare(): SfBareItem {
    const rest = this.s.slice(this.i);
    const c = rest[0];
    if (c === '"') return this.string();
    if (c === ':') {
      const m = /^:([A-Za-z0-9+/=]*):/.exec(rest);
      if (!m) throw new SfError('bad byte sequence');
      this.i += m[0].length;
      return { type: 'bytes', value: new Uint8Array(Buffer.from(m[1]!, 'base64')) };
    }
    if (c === '?') {
      if (rest[1] !== '0' && rest[1] !== '1') throw new SfError('bad boolean');
      this.i += 2;
      return { type: 'boolean', value: rest[1] === '1' };
    }
    const token = /^[A-Za-z*][A-Za-z0-9!#$%&'*+\-.^_`|~:/]*/.exec(rest);
    if (token) {
      this.i += token[0].length;
      return { type: 'token', value: token[0] };
    }
    const num = /^-?(\d{1,15})(\.\d{1,3})?/.exec(rest);
    if (!num || (num[2] && num[1]!.length > 12)) throw new SfError('bad item');
    this.i += num[0].length;
    return num[2] ? { type: 'decimal', value: Number(num[0]) } : { type: 'integer', value: Number(num[0]) };
  }

  private string(): SfBareItem {
    let out = '';
    this.i += 1;
    while (this.i < this.s.length) {
      const c = this.s[this.i]!;
      this.i += 1;
      if (c === '"') return { type: 'string', value: out };
      if (c === '\\') {
        const next = this.s[this.i];
        if (next !== '"' && next !== '\\') throw new SfError('bad escape');
        out += next;
        this.i += 1;
      } else if (c < ' ' || c > '~') {
        throw new SfError('bad string character');
      } else {
        out += c;
      }
    }
    throw new SfError('unterminated string');
  }
}

/** Parses a Structured Fields List; `undefined` when the value is not one. */
export function parseSfList(value: string): SfMember[] | undefined {
  try {
    const trimmed = value.replace(/^[ \t]+|[ \t]+$/g, '');
    return new Parser(trimmed).list();
  } catch (error) {
    if (error instanceof SfError) return undefined;
    throw error;
  }
}

function serializeBare(item: SfBareItem): string {
  switch (item.type) {
    case 'integer':
      return String(Math.trunc(item.value));
    case 'decimal': {
      const text = String(Math.round(item.value * 1000) / 1000);
      return text.includes('.') ? text : `${text}.0`;
    }
    case 'string':
      if (/[^\x20-\x7e]/.test(item.value)) throw new TypeError('an SF string holds printable ASCII only');
      return `"${item.value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
    case 'token':
      if (!/^[A-Za-z*][A-Za-z0-9!#$%&'*+\-.^_`|~:/]*$/.test(item.value)) throw new TypeError(`not an SF token: ${item.value}`);
      return item.value;
    case 'bytes':
      return `:${Buffer.from(item.value).toString('base64')}:`;
    case 'boolean':
      return item.value ? '?1' : '?0';
  }
}

function serializeParams(params: SfParameters): string {
  return params.map(([k, v]) => (v.type === 'boolean' && v.value ? `;${k}` : `;${k}=${serializeBare(v)}`)).join('');
}

/** Serializes a List (throws a TypeError on a value SF cannot carry, e.g. a non-ASCII string). */
export function serializeSfList(members: SfMember[]): string {
  return members
    .map((m) =>
      m.kind === 'item'
        ? serializeBare(m.value) + serializeParams(m.params)
        : `(${m.items.map((i) => serializeBare(i.value) + serializeParams(i.params)).join(' ')})${serializeParams(m.params)}`,
    )
    .join(', ');
}
