/**
 * A real cluster for end-to-end tests: one throwaway Postgres, one throwaway Redis and `n` server
 * processes (`deno run main.ts`, each with its own data directory and port) sharing them. Nodes can
 * be killed (SIGKILL) and started again; `stop` ends everything it started.
 */
import { type ServerProcess, spawnServer } from "./subprocess_server.ts";
import {
  startPostgres,
  startRedis,
  type ThrowawayPostgres,
  type ThrowawayRedis,
} from "./throwaway_services.ts";

/** The operator token every node of a test cluster shares. */
export const CLUSTER_ADMIN_TOKEN = "test-cluster-admin-token-0123456789abcdef";

export interface ClusterNode extends ServerProcess {
  name: string;
  dataDir: string;
}

export interface TestCluster {
  pg: ThrowawayPostgres;
  redis: ThrowawayRedis;
  nodes: ClusterNode[];
  /** Starts one more node (or a killed one again, on its data directory). */
  start(name: string, env?: Record<string, string>): Promise<ClusterNode>;
  kill(node: ClusterNode): Promise<void>;
  stop(): Promise<void>;
}

export async function startCluster(
  count: number,
  env: Record<string, string> = {},
): Promise<TestCluster> {
  const pg = await startPostgres();
  let redis: ThrowawayRedis;
  try {
    redis = await startRedis();
  } catch (error) {
    await pg.stop();
    throw error;
  }
  const nodes: ClusterNode[] = [];
  const dirs = new Map<string, string>();
  const start = async (name: string, extra: Record<string, string> = {}) => {
    let dataDir = dirs.get(name);
    if (!dataDir) dirs.set(name, dataDir = await Deno.makeTempDir({ prefix: `ugc-${name}-` }));
    const node = await spawnServer(dataDir, {
      DATABASE_URL: pg.url,
      REDIS_URL: redis.url,
      NODE_ID: name,
      BUILD_WORKERS: "1",
      ADMIN_TOKEN: CLUSTER_ADMIN_TOKEN,
      ...env,
      ...extra,
    });
    const clusterNode = Object.assign(node, { name, dataDir });
    const index = nodes.findIndex((n) => n.name === name);
    if (index >= 0) nodes[index] = clusterNode;
    else nodes.push(clusterNode);
    return clusterNode;
  };
  const kill = async (node: ClusterNode) => {
    try {
      node.child.kill("SIGKILL");
    } catch {
      // already gone
    }
    await node.exited();
  };
  const cluster: TestCluster = {
    pg,
    redis,
    nodes,
    start,
    kill,
    stop: async () => {
      for (const node of nodes) await kill(node);
      await redis.stop();
      await pg.stop();
      for (const dir of dirs.values()) await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
  try {
    // One at a time: the first migrates the database, the others find it ready.
    for (let i = 0; i < count; i++) await start(`node${i + 1}`);
  } catch (error) {
    await cluster.stop();
    throw error;
  }
  return cluster;
}
