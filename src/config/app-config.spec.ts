import { AppConfig, ConfigError, loadConfig, warnAboutDefaults } from './app-config';

describe('loadConfig', () => {
  it('has the defaults of the configuration table in API.md', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 3000,
      databaseUrl: 'postgres://postgres@127.0.0.1:5432/feed',
      redisUrl: 'redis://127.0.0.1:6379',
      role: 'all',
      timelineMaxLength: 800,
      fanoutCelebrityThreshold: 10_000,
      fanoutBatchSize: 1000,
    });
  });

  it('has working defaults for the rest', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      nodeEnv: 'development',
      host: '0.0.0.0',
      redisKeyPrefix: 'feed:',
      jwtExpiresInSec: 7 * 86_400,
      fanoutChunkSize: 2_500,
      fanoutInactiveDays: 30,
      feedRules: 'on',
      logLevel: 'log',
      workerQueues: ['fanout', 'fanout-bulk', 'graph', 'maintenance'],
    });
    expect(config.jwtSecret).not.toBe('');
  });

  it('takes WORKER_QUEUES as a comma-separated list of queue names', () => {
    expect(loadConfig({ WORKER_QUEUES: ' fanout-bulk ' }).workerQueues).toEqual(['fanout-bulk']);
    expect(loadConfig({ WORKER_QUEUES: 'fanout,graph,maintenance,fanout' }).workerQueues).toEqual(['fanout', 'graph', 'maintenance']);
  });

  it('never makes a chunk smaller than a batch', () => {
    expect(loadConfig({ FANOUT_BATCH_SIZE: '5000' }).fanoutChunkSize).toBe(5_000);
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ PORT: '', ROLE: '', DATABASE_URL: '', TIMELINE_MAX_LENGTH: '' })).toMatchObject({
      port: 3000,
      role: 'all',
      databaseUrl: 'postgres://postgres@127.0.0.1:5432/feed',
      timelineMaxLength: 800,
    });
  });

  it('reads the values it is given', () => {
    const config = loadConfig({
      PORT: '8080',
      ROLE: 'worker',
      DATABASE_URL: 'postgresql://app:pw@db:5432/feed',
      REDIS_URL: 'rediss://cache:6380/2',
      TIMELINE_MAX_LENGTH: '200',
      FANOUT_CELEBRITY_THRESHOLD: '0',
      FANOUT_BATCH_SIZE: '50',
      JWT_SECRET: 's3cret',
    });
    expect(config).toMatchObject({
      port: 8080,
      role: 'worker',
      databaseUrl: 'postgresql://app:pw@db:5432/feed',
      redisUrl: 'rediss://cache:6380/2',
      timelineMaxLength: 200,
      fanoutCelebrityThreshold: 0,
      fanoutBatchSize: 50,
      fanoutChunkSize: 2_500,
      jwtSecret: 's3cret',
    });
  });

  it.each(['all', 'api', 'worker'])('accepts ROLE=%s', (role) => {
    expect(loadConfig({ ROLE: role }).role).toBe(role);
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '30.5'],
    ['PORT', '3e3'],
    ['PORT', '70000'],
    ['PORT', '-1'],
    ['TIMELINE_MAX_LENGTH', 'eight hundred'],
    ['TIMELINE_MAX_LENGTH', '0'],
    ['TIMELINE_MAX_LENGTH', '100001'],
    ['FANOUT_CELEBRITY_THRESHOLD', '1.5'],
    ['FANOUT_CELEBRITY_THRESHOLD', '-1'],
    ['FANOUT_CELEBRITY_THRESHOLD', '99999999999999999999'],
    ['FANOUT_BATCH_SIZE', 'x'],
    ['FANOUT_BATCH_SIZE', '0'],
    ['FANOUT_BATCH_SIZE', '100001'],
    ['FANOUT_INACTIVE_DAYS', '0'],
    ['FANOUT_CONCURRENCY', '257'],
    ['DATABASE_URL', 'not a url'],
    ['DATABASE_URL', 'mysql://root@127.0.0.1/feed'],
    ['REDIS_URL', '127.0.0.1:6379'],
    ['REDIS_URL', 'http://127.0.0.1:6379'],
    ['REDIS_URL', 'redis://127.0.0.1:6379/one'],
    ['QUEUE_REDIS_URL', '127.0.0.1:6390'],
    ['QUEUE_REDIS_URL', 'redis://127.0.0.1:6390/queues'],
    ['RETENTION_DAYS', '0'],
    ['RETENTION_INTERVAL_MS', '10'],
    ['OUTBOX_MAX_ATTEMPTS', '0'],
    ['DATABASE_STATEMENT_TIMEOUT_MS', '5'],
    ['REDIS_CLUSTER_NODES', '127.0.0.1'],
    ['REDIS_CLUSTER_NODES', '127.0.0.1:7000,'],
    ['REDIS_CLUSTER_NODES', 'redis://127.0.0.1:7000'],
    ['REDIS_CLUSTER_NODES', '127.0.0.1:70000'],
    ['FANOUT_MODE', 'sometimes'],
    ['FEED_RULES', 'false'],
    ['ROLE', 'both'],
    ['ROLE', 'API'],
    ['LOG_LEVEL', 'verbose'],
    ['REDIS_KEY_PREFIX', 'has space'],
    ['WORKER_QUEUES', 'fanout,bulk'],
    ['WORKER_QUEUES', 'fanout,'],
    ['WORKER_QUEUES', 'FANOUT'],
    ['METRICS_PORT', '9464x'],
    ['METRICS_PORT', '65536'],
    ['ADMIN_TOKEN', 'has a space'],
    ['ADMIN_TOKEN', 'x'.repeat(257)],
    ['JWT_EXPIRES_IN', 'forever'],
    ['JWT_EXPIRES_IN', '7 days'],
    ['JWT_EXPIRES_IN', '0s'],
    ['JWT_EXPIRES_IN', '366d'],
    ['JWT_EXPIRES_IN', '-5m'],
    ['CORS_ORIGINS', '*'],
    ['CORS_ORIGINS', 'app.example.com'],
    ['CORS_ORIGINS', 'https://app.example.com/path'],
    ['CORS_ORIGINS', 'ftp://app.example.com'],
    ['CORS_ORIGINS', 'https://ok.example.com,'],
    ['REQUEST_TIMEOUT_MS', '999'],
    ['CONNECTION_TIMEOUT_MS', '20000'],
    ['KEEP_ALIVE_TIMEOUT_MS', 'soon'],
    ['RATE_LIMIT_LOGIN', '10'],
    ['RATE_LIMIT_LOGIN', '10/15'],
    ['RATE_LIMIT_REGISTER', '0/1h'],
    ['RATE_LIMIT_WRITE', '-1/1m'],
    ['RATE_LIMIT_WRITE', '5/0s'],
    ['RATE_LIMIT_READ', '5/2d'],
    ['RATE_LIMIT_READ', '1.5/1m'],
    ['RATE_LIMIT_READ', 'on'],
    ['LIVE_MAX_SOCKETS', '0'],
    ['LIVE_MAX_SOCKETS', 'ten'],
    ['TRUST_PROXY', '2'],
    ['TRUST_PROXY', 'proxy.local'],
    ['TRUST_PROXY', '10.0.0.0/33'],
    ['TRUST_PROXY', '10.0.0.1,'],
  ])('rejects %s=%s with a ConfigError naming the variable', (name, value) => {
    const load = () => loadConfig({ [name]: value });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(name);
  });

  it('rejects a FANOUT_CHUNK_SIZE smaller than FANOUT_BATCH_SIZE', () => {
    expect(() => loadConfig({ FANOUT_BATCH_SIZE: '100', FANOUT_CHUNK_SIZE: '99' })).toThrow(/FANOUT_CHUNK_SIZE/);
  });

  it('requires JWT_SECRET when NODE_ENV=production', () => {
    const load = () => loadConfig({ NODE_ENV: 'production' });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow('JWT_SECRET');
    const strong = 'a3f9c2e8b1d74f60a5e2c9b8d7f6e5a4';
    expect(loadConfig({ NODE_ENV: 'production', JWT_SECRET: strong }).jwtSecret).toBe(strong);
  });

  it('falls back to a development JWT secret outside production, with a warning', () => {
    const logger = { warn: jest.fn() };
    const config = loadConfig({ NODE_ENV: 'test' });
    warnAboutDefaults(config, logger as never);
    expect(logger.warn).toHaveBeenCalledWith(expect.stringContaining('JWT_SECRET'));
  });

  it('does not warn when JWT_SECRET is set', () => {
    const logger = { warn: jest.fn() };
    warnAboutDefaults(loadConfig({ JWT_SECRET: 'a-secret-of-at-least-thirty-two-bytes' }) as AppConfig, logger as never);
    expect(logger.warn).not.toHaveBeenCalled();
  });

  it('leaves METRICS_PORT and ADMIN_TOKEN unset by default: no metrics port, no dashboard', () => {
    expect(loadConfig({})).toMatchObject({ metricsPort: null, adminToken: null });
    expect(loadConfig({ METRICS_PORT: '', ADMIN_TOKEN: '' })).toMatchObject({ metricsPort: null, adminToken: null });
  });

  it('reads METRICS_PORT and ADMIN_TOKEN', () => {
    expect(loadConfig({ METRICS_PORT: '9464', ADMIN_TOKEN: 'a-long-enough-admin-token' })).toMatchObject({
      metricsPort: 9464,
      adminToken: 'a-long-enough-admin-token',
    });
  });

  it('keeps the queues on REDIS_URL unless QUEUE_REDIS_URL is set', () => {
    expect(loadConfig({}).queueRedisUrl).toBeNull();
    expect(loadConfig({ QUEUE_REDIS_URL: 'redis://queues:6379/1' }).queueRedisUrl).toBe('redis://queues:6379/1');
  });

  it('has sane defaults for retention, the relay and the statement timeout', () => {
    expect(loadConfig({})).toMatchObject({
      retentionDays: 7,
      retentionIntervalMs: 3_600_000,
      outboxMaxAttempts: 5,
      databaseStatementTimeoutMs: 15_000,
    });
  });

  it('leaves REDIS_CLUSTER_NODES unset by default: one Redis at REDIS_URL', () => {
    expect(loadConfig({}).redisClusterNodes).toBeNull();
    expect(loadConfig({ REDIS_CLUSTER_NODES: ' ' }).redisClusterNodes).toBeNull();
  });

  it('reads REDIS_CLUSTER_NODES as seed nodes', () => {
    expect(loadConfig({ REDIS_CLUSTER_NODES: 'redis-1:7000, 10.0.0.2:7001,[::1]:7002' }).redisClusterNodes).toEqual([
      { host: 'redis-1', port: 7000 },
      { host: '10.0.0.2', port: 7001 },
      { host: '::1', port: 7002 },
    ]);
  });

  it('accepts a short ADMIN_TOKEN with a warning', () => {
    const logger = { warn: jest.fn() };
    warnAboutDefaults(loadConfig({ JWT_SECRET: 'set', ADMIN_TOKEN: 'short' }), logger as never);
    expect(logger.warn).toHaveBeenCalledWith(expect.stringContaining('ADMIN_TOKEN'));
  });

  it('has the limits of API.md by default, and TRUST_PROXY off', () => {
    expect(loadConfig({})).toMatchObject({
      rateLimits: {
        login: { points: 10, windowSec: 900 },
        register: { points: 20, windowSec: 3600 },
        write: { points: 300, windowSec: 900 },
        read: { points: 1500, windowSec: 900 },
      },
      liveMaxSockets: 10,
      trustProxy: false,
    });
  });

  it('reads N/WINDOW in seconds, minutes, hours or days, and off', () => {
    expect(
      loadConfig({ RATE_LIMIT_LOGIN: '5/30s', RATE_LIMIT_REGISTER: 'off', RATE_LIMIT_WRITE: ' 100/2h ', RATE_LIMIT_READ: '7/1d', LIVE_MAX_SOCKETS: '3' }),
    ).toMatchObject({
      rateLimits: { login: { points: 5, windowSec: 30 }, register: null, write: { points: 100, windowSec: 7200 }, read: { points: 7, windowSec: 86_400 } },
      liveMaxSockets: 3,
    });
  });

  it.each([
    ['true', true],
    ['off', false],
    ['loopback', ['loopback']],
    ['10.0.0.1, 192.168.0.0/16,::1', ['10.0.0.1', '192.168.0.0/16', '::1']],
  ])('reads TRUST_PROXY=%s', (raw, expected) => {
    expect(loadConfig({ TRUST_PROXY: raw }).trustProxy).toEqual(expected);
  });

  it.each([
    ['60s', 60],
    ['15m', 900],
    ['12h', 43_200],
    ['3600', 3600],
  ])('reads JWT_EXPIRES_IN=%s as %i seconds', (raw, seconds) => {
    expect(loadConfig({ JWT_EXPIRES_IN: raw }).jwtExpiresInSec).toBe(seconds);
  });

  it.each([
    ['shorter than 32 bytes', 'short-but-not-empty-secret', /at least 32 bytes/],
    ['a published default', 'dev-only-compose-secret-change-me', /published or trivial/],
    ['one character repeated', 'x'.repeat(40), /published or trivial/],
  ])('refuses a JWT_SECRET %s when NODE_ENV=production', (_what, secret, message) => {
    const load = () => loadConfig({ NODE_ENV: 'production', JWT_SECRET: secret });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(/JWT_SECRET/);
    expect(load).toThrow(message);
  });

  it('accepts a short JWT_SECRET outside production, with a warning', () => {
    const logger = { warn: jest.fn() };
    warnAboutDefaults(loadConfig({ JWT_SECRET: 'short' }), logger as never);
    expect(logger.warn).toHaveBeenCalledWith(expect.stringContaining('shorter than 32 bytes'));
  });

  it('allows no cross-origin access by default, and reads CORS_ORIGINS as a list of origins', () => {
    expect(loadConfig({}).corsOrigins).toEqual([]);
    expect(loadConfig({ CORS_ORIGINS: 'https://app.example.com, http://localhost:5173/' }).corsOrigins).toEqual([
      'https://app.example.com',
      'http://localhost:5173',
    ]);
  });

  it('has request, connection and keep-alive timeouts by default', () => {
    expect(loadConfig({})).toMatchObject({ requestTimeoutMs: 30_000, connectionTimeoutMs: 60_000, keepAliveTimeoutMs: 5_000 });
  });
});
