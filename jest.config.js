// Nest 12 ships ESM-only packages; swc turns them (and our TypeScript) into CommonJS for Jest.
const transform = {
  '^.+\\.(t|j)s$': [
    '@swc/jest',
    {
      jsc: {
        parser: { syntax: 'typescript', decorators: true },
        transform: { legacyDecorator: true, decoratorMetadata: true },
        target: 'es2022',
      },
      module: { type: 'commonjs' },
    },
  ],
};
const common = {
  moduleFileExtensions: ['js', 'json', 'ts'],
  transform,
  transformIgnorePatterns: ['/node_modules/(?!(@nestjs|file-type|load-esm|content-disposition)/)'],
  testEnvironment: 'node',
};

/** The e2e tests on one Redis: a database of its own (1-15) per test file. */
const e2e = {
  ...common,
  displayName: 'e2e',
  rootDir: '.',
  testRegex: 'test/.*\\.e2e-spec\\.ts$',
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  // Every answer of an app the tests start is checked against its OpenAPI document.
  setupFilesAfterEnv: ['<rootDir>/test/support/openapi-report.ts'],
};

module.exports = {
  // Real services on a shared machine: an argon2 hash or a child process start can take seconds
  // under load. Tests wait for conditions with their own deadlines; this is the backstop. It must
  // be here: Jest reads testTimeout from the global config only, and ignored it inside a project
  // (hooks still failed at the default 5 s).
  testTimeout: 30_000,
  // One test file at a time (`--maxWorkers=1`: the e2e files share PostgreSQL, Redis and two cores),
  // in a worker process that is replaced once it holds more than this after a file. In one process
  // (`--runInBand`) the apps' leftovers grew it to 3.5 GB over the run, and the last heavy files
  // crawled in garbage collection until BullMQ's job locks expired (the cluster's fairness test took
  // 365 s instead of 6).
  workerIdleMemoryLimit: '1GB',
  projects: [
    { ...common, displayName: 'unit', rootDir: 'src', testRegex: '.*\\.spec\\.ts$' },
    e2e,
    // Every e2e test again on a local 3-master Redis Cluster (REDIS_CLUSTER_NODES), each test file
    // with a key prefix of its own: the global setup starts the cluster, the teardown stops it.
    {
      ...e2e,
      displayName: 'e2e-cluster',
      globalSetup: '<rootDir>/test/support/cluster-global-setup.ts',
      globalTeardown: '<rootDir>/test/support/cluster-global-teardown.ts',
      globals: { TEST_REDIS_MODE: 'cluster' },
    },
  ],
};
