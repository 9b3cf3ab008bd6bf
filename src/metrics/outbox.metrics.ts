import { Injectable } from '@nestjs/common';
import { Counter, Gauge } from 'prom-client';
import { OutboxRepository } from '../jobs/outbox.repository';
import { MetricsRegistry } from './metrics.registry';

/** The outbox relay: work it had to enqueue again, and work it gave up on. */
@Injectable()
export class OutboxMetrics {
  readonly relayed: Counter;
  readonly deadLettered: Counter;

  constructor(registry: MetricsRegistry, outbox: OutboxRepository) {
    this.relayed = new Counter({
      name: 'feed_outbox_relayed_total',
      help: 'Outbox rows whose job the relay enqueued again (it had failed or was lost)',
      registers: [registry],
    });
    this.deadLettered = new Counter({
      name: 'feed_outbox_dead_lettered_total',
      help: 'Outbox rows this process moved to the dead-letter state after OUTBOX_MAX_ATTEMPTS',
      registers: [registry],
    });
    // From PostgreSQL, so every process reports the same number whichever relay dead-lettered them.
    new Gauge({
      name: 'feed_outbox_dead_letters',
      help: 'Outbox rows in the dead-letter state (their work failed every attempt; see README, Reliability)',
      registers: [registry],
      async collect() {
        const dead = await outbox.countDead().catch(() => null);
        if (dead !== null) this.set(dead);
      },
    });
  }
}
