// Seeded, realistic `employees.employess` rows for tests and benchmarks (see BENCHMARKS.md): row i depends
// only on i, so the first N rows of a 1M table equal the N-row table; loads ≥ 50k rows/s into MySQL.
import { Readable } from 'node:stream';
import type { Pool, PoolConnection } from 'mysql2/promise';
import {
  CHINESE_GIVEN_NAMES,
  CHINESE_SURNAMES,
  ENGLISH_WORDS,
  loadChineseWords,
  pickWeighted,
  UNUSUAL_FIRST_NAMES,
  UNUSUAL_LAST_NAMES,
  WESTERN_FIRST_NAMES,
  WESTERN_LAST_NAMES,
  zipf,
  type WeightedWords,
} from './employees-vocabulary.js';

export interface EmployeeRow {
  readonly emp_no: number;
  /** 'YYYY-MM-DD' */
  readonly birth_date: string;
  readonly first_name: string;
  readonly last_name: string;
  readonly gender: 'M' | 'F';
  /** 'YYYY-MM-DD' */
  readonly hire_date: string;
  /** DECIMAL(10,2) as its exact text, e.g. '61234.50'. */
  readonly salary: string | null;
  readonly bio: string | null;
}

export const EMPLOYEE_COLUMNS = [
  'emp_no',
  'birth_date',
  'first_name',
  'last_name',
  'gender',
  'hire_date',
  'salary',
  'bio',
] as const satisfies ReadonlyArray<keyof EmployeeRow>;

/** First emp_no; row i has emp_no FIRST_EMP_NO + i, as in the MySQL sample database. */
export const FIRST_EMP_NO = 10001;

export function employeesTableDdl(database: string, table: string): string {
  return (
    `CREATE TABLE ${ident(database)}.${ident(table)} (\n` +
    '  emp_no INT NOT NULL PRIMARY KEY,\n' +
    '  birth_date DATE NOT NULL,\n' +
    '  first_name VARCHAR(14) NOT NULL,\n' +
    '  last_name VARCHAR(16) NOT NULL,\n' +
    "  gender ENUM('M','F') NOT NULL,\n" +
    '  hire_date DATE NOT NULL,\n' +
    '  salary DECIMAL(10,2) NULL,\n' +
    '  bio TEXT NULL\n' +
    ') ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci'
  );
}

export interface EmployeeGenerator {
  row(i: number): EmployeeRow;
  /** The Chinese words bios draw from, most frequent first (for picking query terms by rank). */
  readonly chineseWords: readonly string[];
  /** The English words bios draw from, Zipf rank order. */
  readonly englishWords: readonly string[];
}

/** Builds a generator; loading jieba's dictionary takes ~0.3 s, so build one and reuse it. */
export function createEmployeeGenerator(): EmployeeGenerator {
  const chinese = loadChineseWords();
  const english = zipf(ENGLISH_WORDS);
  return {
    row: (i) => makeRow(i, chinese, english),
    chineseWords: chinese.words,
    englishWords: english.words,
  };
}

// The dictionary is immutable once loaded; sharing it keeps employeeRow(i) a plain function.
let sharedGenerator: EmployeeGenerator | undefined;
function generator(): EmployeeGenerator {
  sharedGenerator ??= createEmployeeGenerator();
  return sharedGenerator;
}

/** Row i (0-based) of the employees table; the same on every run and for every table size. */
export function employeeRow(i: number): EmployeeRow {
  return generator().row(i);
}

/** Rows from..from+count-1. */
export function employeeRows(from: number, count: number): EmployeeRow[] {
  const g = generator();
  const rows: EmployeeRow[] = new Array(count);
  for (let k = 0; k < count; k++) rows[k] = g.row(from + k);
  return rows;
}

export function employeeVocabulary(): { readonly chineseWords: readonly string[]; readonly englishWords: readonly string[] } {
  const g = generator();
  return { chineseWords: g.chineseWords, englishWords: g.englishWords };
}

export interface CreateEmployeesOptions {
  /** Default 'employees'; created if missing. */
  readonly database?: string;
  /** Default 'employess' (the seed's spelling). */
  readonly table?: string;
  readonly rows: number;
  /** Drop and recreate the table first; default true. With false, rows are appended. */
  readonly recreate?: boolean;
  /** Index of the first row to insert; default 0 (use with recreate:false to grow a table). */
  readonly from?: number;
  /** Rows generated per stream chunk; default 2000 (~0.6 MB). */
  readonly batchRows?: number;
  readonly onProgress?: (inserted: number) => void;
}

export interface CreateEmployeesResult {
  readonly rows: number;
  readonly elapsedMs: number;
  readonly rowsPerSecond: number;
}

/**
 * Creates and fills the table with LOAD DATA LOCAL INFILE fed by a stream of generated tab-separated
 * rows, so generation (here) and parsing (in the server) run on both cores at once. The server needs
 * local_infile=ON (startMariaDb sets it).
 */
export async function createEmployeesTable(pool: Pool, opts: CreateEmployeesOptions): Promise<CreateEmployeesResult> {
  const database = opts.database ?? 'employees';
  const table = opts.table ?? 'employess';
  const from = opts.from ?? 0;
  const batchRows = opts.batchRows ?? 2000;
  const g = generator();
  const started = performance.now();
  const conn: PoolConnection = await pool.getConnection();
  try {
    await conn.query(`CREATE DATABASE IF NOT EXISTS ${ident(database)}`);
    if (opts.recreate ?? true) {
      await conn.query(`DROP TABLE IF EXISTS ${ident(database)}.${ident(table)}`);
      await conn.query(employeesTableDdl(database, table));
    }
    await conn.query('SET SESSION unique_checks = 0');
    const total = opts.rows;
    function* chunks(): Generator<Buffer> {
      for (let start = 0; start < total; start += batchRows) {
        opts.onProgress?.(start);
        const n = Math.min(batchRows, total - start);
        let text = '';
        for (let k = 0; k < n; k++) text += tsvLine(g.row(from + start + k));
        yield Buffer.from(text, 'utf8');
      }
    }
    await conn.query({
      sql:
        `LOAD DATA LOCAL INFILE 'employees.tsv' INTO TABLE ${ident(database)}.${ident(table)} ` +
        `CHARACTER SET utf8mb4 (${EMPLOYEE_COLUMNS.join(', ')})`,
      infileStreamFactory: () => Readable.from(chunks()),
    });
    opts.onProgress?.(total);
  } finally {
    await conn.query('SET SESSION unique_checks = 1').catch(() => {});
    conn.release();
  }
  const elapsedMs = performance.now() - started;
  return { rows: opts.rows, elapsedMs, rowsPerSecond: Math.round(opts.rows / (elapsedMs / 1000)) };
}

/** One row in LOAD DATA's default format: tab-separated, backslash escapes, \\N for NULL. */
function tsvLine(r: EmployeeRow): string {
  return (
    `${r.emp_no}\t${r.birth_date}\t${tsv(r.first_name)}\t${tsv(r.last_name)}\t${r.gender}\t${r.hire_date}\t` +
    `${r.salary ?? '\\N'}\t${r.bio === null ? '\\N' : tsv(r.bio)}\n`
  );
}

function tsv(s: string): string {
  return /[\\\t\n\r]/.test(s) ? s.replace(/[\\\t\n\r]/g, (c) => TSV_ESCAPES[c] ?? c) : s;
}

const TSV_ESCAPES: Readonly<Record<string, string>> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

// ---- generation ------------------------------------------------------------------------------

const SEED = 0x7ede5ea7;
const DAY_MS = 86_400_000;
const BIRTH_FROM = Date.UTC(1952, 1, 1);
const BIRTH_DAYS = 4748; // to 1965-02-01
const HIRE_FROM = Date.UTC(1985, 0, 1);
const HIRE_DAYS = 5505; // to 1999-12-31
// Formatting dates per row costs more than the rest of the row; a few thousand strings are cheap.
const BIRTH_DATES = isoDays(BIRTH_FROM, BIRTH_DAYS);
const HIRE_DATES = isoDays(HIRE_FROM, HIRE_DAYS);
const CLAUSE_END = ['，', '，', '，', '，', '。', '。', '、', '；', '！', '？'];

type Random = () => number;

/** A Weyl sequence through the murmur3 finalizer: fast, seedable per row, good enough for test data. */
function rowRandom(i: number): Random {
  let state = mix32((i ^ SEED) >>> 0) ^ Math.imul(Math.floor(i / 4294967296), 0x9e3779b1);
  return () => {
    state = (state + 0x9e3779b9) | 0;
    return mix32(state) / 4294967296;
  };
}

function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

function pick<T>(list: readonly T[], rnd: Random): T {
  return list[Math.floor(rnd() * list.length)]!;
}

function makeRow(i: number, chinese: WeightedWords, english: WeightedWords): EmployeeRow {
  const rnd = rowRandom(i);
  const nameKind = rnd();
  let first_name: string;
  let last_name: string;
  if (nameKind < 0.85) {
    first_name = pick(WESTERN_FIRST_NAMES, rnd);
    last_name = pick(WESTERN_LAST_NAMES, rnd);
  } else if (nameKind < 0.97) {
    first_name = pick(CHINESE_GIVEN_NAMES, rnd);
    last_name = pick(CHINESE_SURNAMES, rnd);
  } else {
    first_name = pick(UNUSUAL_FIRST_NAMES, rnd);
    last_name = pick(UNUSUAL_LAST_NAMES, rnd);
  }
  const gender = rnd() < 0.6 ? 'M' : 'F';
  const birth_date = BIRTH_DATES[Math.floor(rnd() * BIRTH_DAYS)]!;
  const hire_date = HIRE_DATES[Math.floor(rnd() * HIRE_DAYS)]!;
  const salary = rnd() < 0.02 ? null : (38000 + Math.floor(rnd() * 12_200_000) / 100).toFixed(2);
  const bio = rnd() < 1 / 13 ? null : makeBio(rnd, chinese, english);
  return { emp_no: FIRST_EMP_NO + i, birth_date, first_name, last_name, gender, hire_date, salary, bio };
}

function isoDays(fromMs: number, days: number): readonly string[] {
  return Array.from({ length: days }, (_, d) => new Date(fromMs + d * DAY_MS).toISOString().slice(0, 10));
}

/**
 * ≈205 UTF-8 bytes (a target of 140–249, overshot by the last piece): clauses of Chinese words drawn by corpus count, run together and
 * punctuated; English words under Zipf weights set off by spaces; now and then a rare code like QK-3817.
 */
function makeBio(rnd: Random, chinese: WeightedWords, english: WeightedWords): string {
  const targetBytes = 140 + Math.floor(rnd() * 110);
  let bytes = 0;
  let out = '';
  while (bytes < targetBytes) {
    const kind = rnd();
    if (kind < 0.72) {
      const words = 2 + Math.floor(rnd() * 6);
      for (let w = 0; w < words; w++) {
        const word = pickWeighted(chinese, rnd());
        out += word;
        bytes += word.length * 3;
      }
      out += pick(CLAUSE_END, rnd);
      bytes += 3;
    } else if (kind < 0.93) {
      const words = 1 + Math.floor(rnd() * 4);
      let phrase = '';
      for (let w = 0; w < words; w++) phrase += (w > 0 ? ' ' : '') + pickWeighted(english, rnd());
      out += ` ${phrase} `;
      bytes += phrase.length + 2;
    } else {
      const code =
        String.fromCharCode(65 + Math.floor(rnd() * 26), 65 + Math.floor(rnd() * 26)) +
        '-' +
        String(Math.floor(rnd() * 10000)).padStart(4, '0');
      out += ` ${code} `;
      bytes += code.length + 2;
    }
  }
  return out.trim().replace(/ {2,}/g, ' ');
}

function ident(name: string): string {
  return `\`${name.replaceAll('`', '``')}\``;
}
