// Re-exports the CLI entry point for src/main.ts.
export { runCli, USAGE, type CliIo } from './cli.js';
