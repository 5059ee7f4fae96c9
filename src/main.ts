// Process entry: `tidesearch serve` (the service) or a CLI subcommand against a running server.
// The only file that touches process.* (argv, env, signals, exit).
import { loadConfig } from './config/config.js';
import { buildApp } from './app.js';
import { runCli } from './cli/index.js';
import { isTidesearchError } from './errors/index.js';

async function serve(argv: readonly string[]): Promise<void> {
  const config = loadConfig(argv, process.env);
  const app = await buildApp(config);
  const log = app.observability.logger;
  await app.http.listen({ host: config.host, port: config.port });
  log.info({ port: config.port, dataDir: config.dataDir, auth: config.token ? 'token' : 'none' }, `tidesearch listening on http://${config.host}:${config.port}`);
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    log.info({ signal }, 'shutting down');
    app.close().then(
      () => process.exit(0),
      (e) => {
        log.error({ err: e }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

const [command = 'serve', ...rest] = process.argv.slice(2);
if (command === 'serve' || (command.startsWith('--') && command !== '--help')) {
  serve(command === 'serve' ? rest : [command, ...rest]).catch((e) => {
    console.error(isTidesearchError(e) ? `tidesearch: ${e.message}` : e);
    process.exit(1);
  });
} else {
  runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr }).then((code) => process.exit(code));
}
