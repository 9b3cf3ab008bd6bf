/**
 * What must be undone however the run ends (success, an error, Ctrl-C): child processes stopped,
 * the database dropped, the Redis database flushed. Undone last-registered first, each once.
 */
export class Cleanup {
  private readonly steps: { name: string; run: () => Promise<void> }[] = [];
  private running?: Promise<void>;

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

  /** Ctrl-C or SIGTERM: clean up, then exit the way an interrupted program does. */
  onSignals(): void {
    const handler = (signal: NodeJS.Signals) => {
      process.stderr.write(`\n${signal}: stopping the service and removing the run's database and Redis data...\n`);
      void this.run().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
    };
    process.once('SIGINT', handler);
    process.once('SIGTERM', handler);
  }
}
