import { Injectable } from '@nestjs/common';
import { Histogram } from 'prom-client';
import { MetricsRegistry } from './metrics.registry';

interface FastifyLike {
  addHook(
    name: 'onResponse',
    hook: (
      request: { method: string; routeOptions?: { url?: string } },
      reply: { statusCode: number; elapsedTime: number },
      done: () => void,
    ) => void,
  ): unknown;
}

@Injectable()
export class HttpMetrics {
  private readonly latency: Histogram<'method' | 'route' | 'status'>;

  constructor(registry: MetricsRegistry) {
    this.latency = new Histogram({
      name: 'feed_http_request_duration_seconds',
      help: 'HTTP request latency by route',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    });
  }

  /** Times every request by its route pattern (not its URL, which would explode the label set). */
  install(fastify: FastifyLike): void {
    fastify.addHook('onResponse', (request, reply, done) => {
      this.latency.observe(
        { method: request.method, route: request.routeOptions?.url ?? 'unmatched', status: String(reply.statusCode) },
        reply.elapsedTime / 1000,
      );
      done();
    });
  }
}
