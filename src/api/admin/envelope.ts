// The response envelope every admin call answers with (HTTP 200, also for business errors, as existing
// clients of this API expect): success is false exactly when errormsg is non-empty.
import type { FieldError, TidesearchError } from '../../errors/index.js';

export interface Envelope<B = unknown> {
  success: boolean;
  errormsg: string[];
  msg: string[];
  bizresult: B;
  /** Present on errors: which field was wrong and why. */
  errorfields?: FieldError[];
  /** Present on errors: the catalog code (docs/errors.md). */
  errorcode?: string;
}

export function ok<B>(bizresult: B, msg: readonly string[] = []): Envelope<B> {
  return { success: true, errormsg: [], msg: [...msg], bizresult };
}

export function fail(e: TidesearchError): Envelope<Record<string, never>> {
  const env: Envelope<Record<string, never>> = { success: false, errormsg: [e.message], msg: [], bizresult: {}, errorcode: e.code };
  if (e.fieldErrors.length) env.errorfields = [...e.fieldErrors];
  return env;
}
