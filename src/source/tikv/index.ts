// The TiKV (TiDB via PD) source's public surface.
export { createTikvSource, type TikvSourceOptions } from './tikv-source.js';
export { discoverTidbServers, parseAddrList, type TidbServer, type Discovered } from './discovery.js';
