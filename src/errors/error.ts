// The one error class. Carries a catalog code, the offending field (as the API names it), and whether
// retrying can help. Messages say what was wrong, where, and what to do.
import { ERROR_CODES, type ErrorCode } from './codes.js';

export interface FieldError {
  /** Path as the user wrote it, e.g. `columns[2].token`, `datasource.pdAddrs`. */
  readonly name: string;
  readonly content: string;
}

export class TidesearchError extends Error {
  readonly code: ErrorCode;
  readonly field: string | undefined;
  readonly retriable: boolean;
  readonly status: number;
  /** More than one field can be wrong at once (validation). */
  readonly fieldErrors: readonly FieldError[];

  constructor(code: ErrorCode, message: string, opts: { field?: string; cause?: unknown; fieldErrors?: readonly FieldError[]; retriable?: boolean } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'TidesearchError';
    this.code = code;
    this.field = opts.field;
    this.status = ERROR_CODES[code].status;
    this.retriable = opts.retriable ?? ERROR_CODES[code].retriable;
    this.fieldErrors = opts.fieldErrors ?? (opts.field ? [{ name: opts.field, content: message }] : []);
  }
}

export function isTidesearchError(e: unknown): e is TidesearchError {
  return e instanceof TidesearchError;
}

/** Wraps anything thrown into a TidesearchError, keeping typed ones intact. */
export function asTidesearchError(e: unknown): TidesearchError {
  if (e instanceof TidesearchError) return e;
  const message = e instanceof Error ? e.message : String(e);
  return new TidesearchError('INTERNAL', message, { cause: e });
}
