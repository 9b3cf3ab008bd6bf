/**
 * One line on stderr, redrawn in place: the phase, a bar and what it counts. When stderr is not a
 * terminal (CI, a test), each phase prints one line when it starts and one when it ends instead.
 */
export class Progress {
  private phase = '';
  private total = 0;
  private done = 0;
  private detail = '';
  private phaseStarted = 0;
  private timer?: NodeJS.Timeout;
  private readonly runStarted = Date.now();
  private readonly tty = Boolean(process.stderr.isTTY);

  start(phase: string, total = 0): void {
    this.finish();
    this.phase = phase;
    this.total = total;
    this.done = 0;
    this.detail = '';
    this.phaseStarted = Date.now();
    if (this.tty) {
      this.timer = setInterval(() => this.draw(), 200);
      this.timer.unref();
      this.draw();
    } else {
      process.stderr.write(`[${this.elapsed(this.runStarted)}] ${phase}...\n`);
    }
  }

  update(done: number, detail = this.detail): void {
    this.done = done;
    this.detail = detail;
  }

  /** Ends the current phase, leaving its last line on screen. */
  finish(summary = ''): void {
    if (!this.phase) return;
    if (summary) this.detail = summary;
    if (this.tty) {
      clearInterval(this.timer);
      this.draw();
      process.stderr.write('\n');
    } else {
      process.stderr.write(`[${this.elapsed(this.runStarted)}] ${this.phase}: done in ${this.elapsed(this.phaseStarted)}${this.detail ? ` (${this.detail})` : ''}\n`);
    }
    this.phase = '';
  }

  private draw(): void {
    const width = 24;
    const share = this.total > 0 ? Math.min(1, this.done / this.total) : 0;
    const filled = Math.round(share * width);
    const bar = this.total > 0 ? `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${this.done}/${this.total} ` : '';
    const line = `${this.elapsed(this.runStarted)} ${this.phase.padEnd(28)} ${bar}${this.detail}`;
    const columns = process.stderr.columns || 120;
    process.stderr.write(`\r${line.slice(0, columns - 1).padEnd(columns - 1)}`);
  }

  private elapsed(since: number): string {
    const s = Math.floor((Date.now() - since) / 1000);
    return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
  }
}
