/** Where the test servers are; override with TEST_DATABASE_SERVER / TEST_REDIS_SERVER. */
export const TEST_DATABASE_SERVER = process.env.TEST_DATABASE_SERVER ?? 'postgres://postgres@127.0.0.1:5432';
export const TEST_REDIS_SERVER = process.env.TEST_REDIS_SERVER ?? 'redis://127.0.0.1:6379';
