import { isDependencyDown } from './dependency-errors';

describe('isDependencyDown', () => {
  it.each([
    'CLUSTERDOWN The cluster is down',
    'CLUSTERDOWN Hash slot not served',
    'Too many Cluster redirections. Last error: Error: Connection is closed.',
    'Failed to refresh slots cache.',
    'None of startup nodes is available',
    "Cluster isn't ready and enableOfflineQueue options is false",
    'connect ECONNREFUSED 127.0.0.1:7101',
    "Stream isn't writeable and enableOfflineQueue options is false",
  ])('names Redis for a cluster or node outage: %s', (message) => {
    expect(isDependencyDown(new Error(message))).toBe('Redis');
  });

  it('names PostgreSQL for a refused PostgreSQL connection', () => {
    expect(isDependencyDown(new Error('connect ECONNREFUSED 127.0.0.1:5432'))).toBe('PostgreSQL');
  });

  it('is null for an error that is not an outage', () => {
    expect(isDependencyDown(new Error('All keys in the pipeline should belong to the same slots allocation group'))).toBeNull();
    expect(isDependencyDown(new TypeError('x is undefined'))).toBeNull();
  });
});
