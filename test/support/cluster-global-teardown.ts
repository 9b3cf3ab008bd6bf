import { LocalRedisCluster } from '../../bench/local-redis-cluster';

/** Stops the cluster that cluster-global-setup.ts started and removes its directory. */
export default async function clusterGlobalTeardown(): Promise<void> {
  const holder = globalThis as { testRedisCluster?: LocalRedisCluster };
  await holder.testRedisCluster?.stop();
  holder.testRedisCluster = undefined;
  delete process.env.TEST_REDIS_CLUSTER_DIR;
}
