import { FanoutMetrics, followingClass } from './fanout.metrics';
import { MetricsRegistry } from './metrics.registry';

describe('FanoutMetrics', () => {
  it.each([
    [0, '<=10'],
    [10, '<=10'],
    [11, '<=100'],
    [1_000, '<=1000'],
    [10_000, '<=10000'],
    [10_001, '>10000'],
    [5_000_000, '>10000'],
  ])('puts a following of %i in the class %s', (followers, label) => {
    expect(followingClass(followers)).toBe(label);
  });

  it('observes the fan-out delay in seconds under its following class', async () => {
    const registry = new MetricsRegistry();
    new FanoutMetrics(registry).observeDelay(1500, 250);
    const text = await registry.metrics();
    expect(text).toContain('feed_fanout_delay_seconds_count{followers="<=1000"} 1');
    expect(text).toContain('feed_fanout_delay_seconds_sum{followers="<=1000"} 1.5');
    // The other classes exist at zero, so a dashboard shows 0 rather than no data.
    expect(text).toContain('feed_fanout_delay_seconds_count{followers=">10000"} 0');
    expect(text).toContain('feed_job_failures_total{queue="fanout-bulk"} 0');
  });
});
