// `tidesearch <command>`: the admin CLI. Parses arguments, builds the client, runs one command and maps
// the outcome to an exit code: 0 success, 1 business error (server's errormsg/errorfields), 2 usage.
import { parseArgs } from 'node:util';
import { setTimeout as delay } from 'node:timers/promises';
import { AdminError, createAdminClient, type FetchLike } from './admin-client.js';
import { UsageError, createCommand, deleteCommand, rebuildCommand, searchCommand, statusCommand, tasksCommand, type CommandIo } from './commands.js';

export interface CliIo {
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream;
  readonly fetch?: FetchLike;
  /** Defaults to process.env; tests pass their own. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Poll interval of --wait; default 500 ms. */
  readonly pollMs?: number;
}

export const USAGE = `Usage: tidesearch <command> [options]

Commands:
  create --file body.json [--wait]   create an index (do_create body, JSON or JSON5); --wait shows progress
  status <index>                     documents, last full build, channel state, lag, positions
  tasks <taskid>                     stages, progress and log of a build task
  search <index> <query> [--rows n] [--fq filter]...   run a select query (Lucene syntax)
  rebuild <index> [--wait]           full rebuild from a fresh snapshot (do_fullbuild)
  delete <index>                     delete the index and its channel
  serve [--port n] [--data dir]      run the server

Options:
  --url <url>       server (default $TIDESEARCH_URL or http://127.0.0.1:8080)
  --token <token>   admin token (default $TIDESEARCH_TOKEN), sent as Authorization: Bearer
  --json            print the server's answers as JSON
  -h, --help        this text

Exit codes: 0 success, 1 the server refused or failed the request, 2 usage error.
`;

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const env = io.env ?? process.env;
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        url: { type: 'string' },
        token: { type: 'string' },
        file: { type: 'string', short: 'f' },
        wait: { type: 'boolean', short: 'w' },
        rows: { type: 'string' },
        fq: { type: 'string', multiple: true },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    return usage(io, (err as Error).message);
  }
  const { values, positionals } = parsed;
  const [command, ...args] = positionals;
  if (values.help || command === undefined || command === 'help') {
    (command === undefined && !values.help ? io.stderr : io.stdout).write(USAGE);
    return command === undefined && !values.help ? 2 : 0;
  }

  const fetchImpl: FetchLike = io.fetch ?? ((url, init) => fetch(url, init));
  const client = createAdminClient({ url: values.url ?? env.TIDESEARCH_URL ?? 'http://127.0.0.1:8080', token: values.token ?? env.TIDESEARCH_TOKEN, fetch: fetchImpl });
  const cio: CommandIo = {
    stdout: io.stdout,
    stderr: io.stderr,
    client,
    json: values.json ?? false,
    pollMs: io.pollMs ?? 500,
    now: Date.now,
    sleep: (ms) => delay(ms),
  };

  try {
    switch (command) {
      case 'create':
        if (values.file === undefined) throw new UsageError('create needs --file <body.json>');
        expectArgs(args, 0, 'create --file body.json');
        return await createCommand(cio, values.file, values.wait ?? false);
      case 'status':
        return await statusCommand(cio, expectArgs(args, 1, 'status <index>')[0]!);
      case 'tasks': {
        const id = Number(expectArgs(args, 1, 'tasks <taskid>')[0]);
        if (!Number.isSafeInteger(id) || id < 0) throw new UsageError(`task id must be a whole number, got '${args[0]}'`);
        return await tasksCommand(cio, id);
      }
      case 'search': {
        const [index, query] = expectArgs(args, 2, 'search <index> <query>');
        const rows = values.rows === undefined ? 10 : Number(values.rows);
        if (!Number.isSafeInteger(rows) || rows < 0) throw new UsageError(`--rows must be a whole number, got '${values.rows}'`);
        return await searchCommand(cio, index!, query!, rows, values.fq ?? []);
      }
      case 'rebuild':
        return await rebuildCommand(cio, expectArgs(args, 1, 'rebuild <index>')[0]!, values.wait ?? false);
      case 'delete':
        return await deleteCommand(cio, expectArgs(args, 1, 'delete <index>')[0]!);
      default:
        throw new UsageError(`unknown command '${command}'`);
    }
  } catch (err) {
    if (err instanceof UsageError) return usage(io, err.message);
    if (err instanceof AdminError) {
      for (const m of err.errormsg) io.stderr.write(`error: ${m}\n`);
      for (const f of err.errorfields) io.stderr.write(`  ${f.name}: ${f.content}\n`);
      return 1;
    }
    // Anything else is our bug; still no stack trace for the user unless they ask for it.
    io.stderr.write(`error: ${(err as Error).message ?? String(err)}\n`);
    if (env.TIDESEARCH_DEBUG) io.stderr.write(`${(err as Error).stack ?? ''}\n`);
    return 1;
  }
}

function expectArgs(args: readonly string[], n: number, shape: string): readonly string[] {
  if (args.length !== n) throw new UsageError(`expected: tidesearch ${shape}`);
  return args;
}

function usage(io: CliIo, message: string): number {
  io.stderr.write(`${message}\n\n${USAGE}`);
  return 2;
}
