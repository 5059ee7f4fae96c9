// The Lucene/Solr standard query parser: query text → Query tree. Follows the classic parser's rules for
// how AND/OR/NOT and +/- set each clause's occurrence (a flat boolean query per parenthesised group).
// Errors are QUERY_SYNTAX and name the 1-based character position and what was expected there.
import { TidesearchError } from '../../errors/index.js';
import type { BoolClause, Occur, Query, WildcardPart } from './ast.js';

export interface LuceneOptions {
  /** q.op: how clauses without an operator combine. Default OR. */
  readonly defaultOperator?: 'AND' | 'OR';
}

type Conj = 'none' | 'and' | 'or';
type Mod = 'none' | 'req' | 'not';

// Characters that end a bare term (besides whitespace); `*`, `?`, `-`, `+` may appear inside a term.
const SPECIAL = new Set(['(', ')', ':', '^', '[', ']', '"', '{', '}', '~', '\\']);
const START_EXCLUDED = new Set([...SPECIAL, '+', '-', '!']);

export function parseLucene(text: string, opts: LuceneOptions = {}): Query {
  return new Parser(text, opts.defaultOperator ?? 'OR').parseTop();
}

/** Escapes every character the parser treats specially, so `text` parses as plain terms. */
export function escapeLucene(text: string): string {
  return text.replace(/[+\-!():^[\]"{}~*?\\/&|]/g, '\\$&').replace(/\b(AND|OR|NOT)\b/g, (w) => `\\${w}`);
}

class Parser {
  private pos = 0;
  constructor(
    private readonly src: string,
    private readonly op: 'AND' | 'OR',
  ) {}

  parseTop(): Query {
    const q = this.parseGroup(null);
    this.skipWs();
    if (this.pos < this.src.length) this.fail(`unexpected '${this.src[this.pos]}'`, 'a term, phrase, range, operator or end of query');
    return q;
  }

  private fail(found: string, expected: string): never {
    const end = this.pos >= this.src.length ? ' (end of query)' : '';
    throw new TidesearchError('QUERY_SYNTAX', `Cannot parse '${this.src}': ${found} at position ${this.pos + 1}${end}; expected ${expected}`, { field: 'q' });
  }

  private skipWs(): void {
    while (this.pos < this.src.length && /\s/.test(this.src[this.pos]!)) this.pos++;
  }

  private peekWord(word: string): boolean {
    if (!this.src.startsWith(word, this.pos)) return false;
    const next = this.src[this.pos + word.length];
    return next === undefined || /\s/.test(next) || next === '(' || next === ')' || next === '"';
  }

  /** Clauses until end of input or a closing ')'. */
  private parseGroup(field: string | null): Query {
    const clauses: BoolClause[] = [];
    let first = true;
    for (;;) {
      this.skipWs();
      if (this.pos >= this.src.length || this.src[this.pos] === ')') break;
      let conj: Conj = 'none';
      const opStart = this.pos;
      if (this.src.startsWith('&&', this.pos) || this.peekWord('AND')) {
        conj = 'and';
        this.pos += this.src[this.pos] === '&' ? 2 : 3;
      } else if (this.src.startsWith('||', this.pos) || this.peekWord('OR')) {
        conj = 'or';
        this.pos += 2;
      }
      if (conj !== 'none') {
        if (first) {
          this.pos = opStart;
          this.fail(`unexpected operator '${conj.toUpperCase()}'`, 'a term, phrase, range or ( before it');
        }
        this.skipWs();
      }
      let mod: Mod = 'none';
      const c = this.src[this.pos];
      if (c === '+') {
        mod = 'req';
        this.pos++;
      } else if (c === '-' || c === '!') {
        mod = 'not';
        this.pos++;
      } else if (this.peekWord('NOT')) {
        mod = 'not';
        this.pos += 3;
      }
      if (mod !== 'none') this.skipWs();
      if (this.pos >= this.src.length || this.src[this.pos] === ')') {
        this.fail(this.pos >= this.src.length ? 'nothing' : "unexpected ')'", 'a term, phrase, range or ( after the operator');
      }
      const q = this.parseClause(field);
      this.addClause(clauses, conj, mod, q);
      first = false;
    }
    if (clauses.length === 1 && clauses[0]!.occur !== 'mustNot') return clauses[0]!.query;
    return { kind: 'bool', clauses, boost: 1 };
  }

  // Lucene's classic rule: AND makes the previous and the current clause required; OR (under q.op=AND)
  // makes the previous clause optional; NOT / '-' prohibit.
  private addClause(clauses: BoolClause[], conj: Conj, mod: Mod, q: Query): void {
    const last = clauses[clauses.length - 1];
    if (last && conj === 'and' && last.occur !== 'mustNot') clauses[clauses.length - 1] = { occur: 'must', query: last.query };
    if (last && this.op === 'AND' && conj === 'or' && last.occur !== 'mustNot') clauses[clauses.length - 1] = { occur: 'should', query: last.query };
    let occur: Occur;
    if (this.op === 'OR') {
      occur = mod === 'not' ? 'mustNot' : mod === 'req' || conj === 'and' ? 'must' : 'should';
    } else {
      occur = mod === 'not' ? 'mustNot' : conj !== 'or' ? 'must' : 'should';
    }
    clauses.push({ occur, query: q });
  }

  private parseClause(defaultField: string | null): Query {
    const c = this.src[this.pos]!;
    if (c === '(') return this.parseParenthesised(defaultField);
    if (c === '"') return this.withBoost(this.parsePhrase(defaultField));
    if (c === '[' || c === '{') return this.withBoost(this.parseRange(defaultField));
    const start = this.pos;
    const word = this.readTerm();
    if (this.src[this.pos] === ':' && word.parts.length > 0) {
      this.pos++;
      const fieldName = word.raw;
      const isStar = word.parts.length === 1 && 'any' in word.parts[0]! && word.parts[0].any === 'many';
      this.skipWs();
      const n = this.src[this.pos];
      if (n === undefined) this.fail(`nothing after '${this.src.slice(start, this.pos)}'`, 'a term, phrase, range or ( after the field name');
      if (isStar) {
        if (n === '*' && this.isLoneStar()) {
          this.pos++;
          return this.withBoost({ kind: 'all', boost: 1 });
        }
        return this.parseClause(defaultField);
      }
      if (/\s/.test(n) || n === ')') this.fail(`unexpected '${n}'`, `a value for field '${fieldName}'`);
      if (n === '(') return this.parseParenthesised(fieldName);
      if (n === '"') return this.withBoost(this.parsePhrase(fieldName));
      if (n === '[' || n === '{') return this.withBoost(this.parseRange(fieldName));
      const value = this.readTerm(true);
      return this.termQuery(fieldName, value);
    }
    return this.termQuery(defaultField, word);
  }

  private isLoneStar(): boolean {
    const next = this.src[this.pos + 1];
    return next === undefined || /\s/.test(next) || next === ')' || next === '^';
  }

  private parseParenthesised(field: string | null): Query {
    this.pos++;
    const inner = this.parseGroup(field);
    this.skipWs();
    if (this.src[this.pos] !== ')') this.fail(this.pos >= this.src.length ? 'nothing' : `unexpected '${this.src[this.pos]}'`, "')' to close the group");
    this.pos++;
    return this.withBoost(inner);
  }

  private termQuery(field: string | null, word: Word): Query {
    if (word.parts.length === 0) this.fail(`unexpected '${this.src[this.pos] ?? ''}'`, 'a term');
    // fuzzy `term~` / `term~1`: no edit-distance matching in full-text here; the term matches as written.
    if (this.src[this.pos] === '~') {
      this.pos++;
      this.readNumber(true);
    }
    const wild = word.parts.filter((p) => 'any' in p);
    let q: Query;
    if (wild.length === 0) q = { kind: 'term', field, text: word.raw, boost: 1 };
    else if (word.parts.length === 1 && wild.length === 1 && (wild[0] as { any: string }).any === 'many') q = field === null ? { kind: 'all', boost: 1 } : { kind: 'exists', field, boost: 1 };
    else if (wild.length === 1 && word.parts.length === 2 && 'literal' in word.parts[0]! && 'any' in word.parts[1]! && word.parts[1].any === 'many')
      q = { kind: 'prefix', field, prefix: word.parts[0].literal, boost: 1 };
    else q = { kind: 'wildcard', field, parts: word.parts, boost: 1 };
    return this.withBoost(q);
  }

  private withBoost(q: Query): Query {
    if (this.src[this.pos] !== '^') return q;
    this.pos++;
    const boost = this.readNumber(false);
    return { ...q, boost };
  }

  private readNumber(optional: boolean): number {
    const m = /^\d+(\.\d+)?|^\.\d+/.exec(this.src.slice(this.pos));
    if (!m) {
      if (optional) return 0;
      this.fail(this.pos >= this.src.length ? 'nothing' : `unexpected '${this.src[this.pos]}'`, 'a number');
    }
    this.pos += m[0].length;
    return Number(m[0]);
  }

  private parsePhrase(field: string | null): Query {
    const open = this.pos;
    this.pos++;
    let text = '';
    while (this.pos < this.src.length && this.src[this.pos] !== '"') {
      if (this.src[this.pos] === '\\' && this.pos + 1 < this.src.length) this.pos++;
      text += this.src[this.pos++];
    }
    if (this.pos >= this.src.length) {
      this.pos = open;
      this.fail('unterminated phrase', 'a closing \'"\' for the phrase starting here');
    }
    this.pos++;
    let slop = 0;
    if (this.src[this.pos] === '~') {
      this.pos++;
      slop = Math.floor(this.readNumber(true));
    }
    return { kind: 'phrase', field, text, slop, boost: 1 };
  }

  private parseRange(field: string | null): Query {
    if (field === null) {
      // Ranges need a field; Lucene would use df, which is compiled later, so keep null.
    }
    const includeLower = this.src[this.pos] === '[';
    this.pos++;
    this.skipWs();
    const lower = this.readBound();
    this.skipWs();
    if (!this.peekWord('TO')) this.fail(this.pos >= this.src.length ? 'nothing' : `unexpected '${this.src[this.pos]}'`, "'TO' between the range bounds");
    this.pos += 2;
    this.skipWs();
    const upper = this.readBound();
    this.skipWs();
    const close = this.src[this.pos];
    if (close !== ']' && close !== '}') this.fail(close === undefined ? 'nothing' : `unexpected '${close}'`, "']' or '}' to close the range");
    this.pos++;
    return { kind: 'range', field, lower, upper, includeLower, includeUpper: close === ']', boost: 1 };
  }

  private readBound(): string | null {
    if (this.src[this.pos] === '"') {
      this.pos++;
      let text = '';
      while (this.pos < this.src.length && this.src[this.pos] !== '"') {
        if (this.src[this.pos] === '\\' && this.pos + 1 < this.src.length) this.pos++;
        text += this.src[this.pos++];
      }
      if (this.pos >= this.src.length) this.fail('nothing', 'a closing \'"\' for the range bound');
      this.pos++;
      return text;
    }
    let text = '';
    let escaped = false;
    while (this.pos < this.src.length) {
      const c = this.src[this.pos]!;
      if (/\s/.test(c) || c === ']' || c === '}') break;
      if (c === '\\' && this.pos + 1 < this.src.length) {
        escaped = true;
        this.pos++;
      }
      text += this.src[this.pos++];
    }
    if (text === '') this.fail(this.pos >= this.src.length ? 'nothing' : `unexpected '${this.src[this.pos]}'`, 'a range bound (a value or *)');
    return text === '*' && !escaped ? null : text;
  }

  /** A bare term with escapes; unescaped `*`/`?` become wildcard parts. */
  private readTerm(afterColon = false): Word {
    const parts: WildcardPart[] = [];
    let literal = '';
    let raw = '';
    const first = this.src[this.pos];
    if (first === undefined || /\s/.test(first) || (START_EXCLUDED.has(first) && first !== '\\' && !(afterColon && first === '-'))) {
      return { raw: '', parts: [] };
    }
    while (this.pos < this.src.length) {
      const c = this.src[this.pos]!;
      if (/\s/.test(c)) break;
      if (c === '\\') {
        const next = this.src[this.pos + 1];
        if (next === undefined) this.fail('a lone escape character', 'a character after \\');
        literal += next;
        raw += next;
        this.pos += 2;
        continue;
      }
      if (SPECIAL.has(c)) break;
      if (c === '*' || c === '?') {
        if (literal) parts.push({ literal });
        literal = '';
        parts.push({ any: c === '*' ? 'many' : 'one' });
      } else literal += c;
      raw += c;
      this.pos++;
    }
    if (literal) parts.push({ literal });
    return { raw, parts };
  }
}

interface Word {
  /** The term with escapes removed (wildcard characters kept as written). */
  readonly raw: string;
  readonly parts: readonly WildcardPart[];
}
