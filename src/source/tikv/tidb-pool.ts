// Connections to the live TiDB servers: spreads callers round-robin over them, skips servers that refuse,
// and asks PD again when every known server failed (TiDB servers come and go; any of them serves the same data).
import { TidesearchError } from '../../errors/index.js';
import { connect, type SqlConnection } from '../mysql/connection.js';
import { discoverTidbServers, type DiscoveryInput, type TidbServer } from './discovery.js';

export interface TidbPoolOptions extends DiscoveryInput {
  readonly user: string;
  readonly password: string;
  readonly connectTimeoutMs: number;
  readonly pdTimeoutMs: number;
}

export class TidbPool {
  private turn = 0;

  constructor(
    private servers: readonly TidbServer[],
    private readonly o: TidbPoolOptions,
    private readonly log: (line: string) => void,
  ) {}

  get known(): readonly TidbServer[] {
    return this.servers;
  }

  /** A connection to some live server, or SOURCE_UNREACHABLE naming every server tried and its error. */
  async connect(): Promise<{ readonly conn: SqlConnection; readonly addr: string; readonly server: TidbServer }> {
    const failures: string[] = [];
    for (let round = 0; round < 2; round++) {
      const n = this.servers.length;
      const start = this.turn++ % Math.max(1, n);
      for (let i = 0; i < n; i++) {
        const server = this.servers[(start + i) % n]!;
        try {
          const conn = await connect({ host: server.host, port: server.port, user: this.o.user, password: this.o.password, connectTimeoutMs: this.o.connectTimeoutMs });
          return { conn, addr: server.addr, server };
        } catch (e) {
          failures.push(`${server.addr} (${(e as Error).message})`);
          // A refused login is the same on every server: no point trying the others.
          if ((e as TidesearchError).field === 'datasource.password' || (e as TidesearchError).field === 'datasource.user') throw e;
        }
      }
      // Only PD can tell us about servers started since discovery.
      if (round > 0 || this.o.tidbAddrs) break;
      try {
        const fresh = await discoverTidbServers(this.o, { pdTimeoutMs: this.o.pdTimeoutMs });
        this.log(`TiDB servers re-read from ${fresh.via}: ${fresh.servers.map((s) => s.addr).join(', ')}`);
        this.servers = fresh.servers;
      } catch (e) {
        failures.push(`re-discovery: ${(e as Error).message}`);
        break;
      }
    }
    const field = this.o.tidbAddrs ? 'datasource.tidbAddrs' : 'datasource.pdAddrs';
    throw new TidesearchError('SOURCE_UNREACHABLE', `no TiDB server accepted a connection: ${failures.join('; ')}`, { field });
  }
}
