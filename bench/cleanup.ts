/**
 * What must be undone however the run ends (success, an error, Ctrl-C): child processes stopped,
 * the database dropped, the Redis database flushed. Undone last-registered first, each once.
 */
export class Cleanup {
  private readonly steps: { name: string; run: () => Promise<void> }[] = [];
  private running?: Promise<void>;
  /** Set by Ctrl-C or SIGTERM: the run's own failures from then on are expected. */
  interrupted = false;

  add(name: string, run: () => Promise<void>): void {
    this.steps.push({ name, run });
  }

  run(): Promise<void> {
    this.running ??= (async () => {
      for (const step of this.steps.reverse()) {
        try {
          await step.run();
        } catch (err) {
          process.stderr.write(`cleanup: ${step.name} failed: ${(err as Error).message}\n`);
        }
      }
    })();
    return this.running;
  }

  /**
   * Ctrl-C or SIGTERM: clean up, then exit the way an interrupted program does. The scenario that
   * was running goes on failing meanwhile (its requests meet a stopped service); those failures
   * are expected and must not end the process before its database is dropped.
   */
  onSignals(): void {
    const handler = (signal: NodeJS.Signals) => {
      this.interrupted = true;
      process.stderr.write(`\n${signal}: stopping the service and removing the run's database and Redis data...\n`);
      const ignore = () => undefined;
      process.on('unhandledRejection', ignore);
      process.on('uncaughtException', ignore);
      void this.run().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
    };
    process.once('SIGINT', handler);
    process.once('SIGTERM', handler);
  }
}
