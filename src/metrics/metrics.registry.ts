import { Registry, collectDefaultMetrics } from 'prom-client';

/** One registry per app instance, so tests that boot several apps never share counters. */
export class MetricsRegistry extends Registry {
  constructor() {
    super();
    collectDefaultMetrics({ register: this });
  }
}
