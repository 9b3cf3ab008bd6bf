import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { AppConfig } from '../config/app-config';
import { MetricsRegistry } from './metrics.registry';

/**
 * METRICS_PORT: `/metrics` on a port of its own, in every role. A ROLE=worker process has no
 * other HTTP server, and its fan-out histograms are the ones that matter most; API processes
 * serve it here too, so Prometheus scrapes every process the same way.
 */
@Injectable()
export class MetricsServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Metrics');
  private server?: Server;

  constructor(
    private readonly config: AppConfig,
    private readonly registry: MetricsRegistry,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.metricsPort === null) return;
    const server = createServer((request, response) => {
      const path = (request.url ?? '').split('?')[0];
      if (path !== '/metrics' || (request.method !== 'GET' && request.method !== 'HEAD')) {
        response.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
        response.end('Not found: this port serves GET /metrics only\n');
        return;
      }
      this.registry.metrics().then(
        (text) => {
          response.writeHead(200, { 'Content-Type': this.registry.contentType });
          response.end(request.method === 'HEAD' ? undefined : text);
        },
        (err: Error) => {
          this.logger.error({ msg: 'metrics collection failed', error: err.message });
          response.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' }).end('metrics collection failed\n');
        },
      );
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.config.metricsPort!, this.config.host, () => resolve());
    });
    this.server = server;
    this.logger.log({ msg: 'metrics listening', url: `http://${this.config.host}:${this.port}/metrics` });
  }

  /** The port it listens on (METRICS_PORT=0 picks a free one), or null when it does not run. */
  get port(): number | null {
    return this.server ? (this.server.address() as AddressInfo).port : null;
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    // Scrapes are short and keep no connection open that matters: close it at once.
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
