import { LocalRedisCluster } from '../../bench/local-redis-cluster';
import globalSetup from './global-setup';

/**
 * The e2e-cluster project: what the e2e project checks and builds, then a local 3-master Redis
 * Cluster on free loopback ports (7100 and up) in a directory of its own under /tmp, so that runs
 * of other checkouts on this machine never share it. Test files attach to it by directory
 * (TEST_REDIS_CLUSTER_DIR, inherited by Jest's workers) and take a key prefix each.
 */
export default async function clusterGlobalSetup(): Promise<void> {
  await globalSetup();
  const cluster = await LocalRedisCluster.start(3);
  process.env.TEST_REDIS_CLUSTER_DIR = cluster.dir;
  (globalThis as { testRedisCluster?: LocalRedisCluster }).testRedisCluster = cluster;
}
