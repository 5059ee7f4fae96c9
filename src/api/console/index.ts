// Re-exports the console plugin and its asset loader.
export { consoleRoutes, type ConsoleRoutesOptions } from './console-routes.js';
export { loadConsoleAssets, findRepoRoot, type ConsoleAssets } from './console-assets.js';
