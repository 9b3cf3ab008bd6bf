import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Browser, chromium, ConsoleMessage, Page } from 'playwright-core';

/**
 * Debian's chromium, driven by playwright-core: Playwright's own browser download needs a network
 * this project cannot count on. `.ci/run` installs the package when it is missing; CHROMIUM_PATH
 * points at another build.
 */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Screenshots of the browser tests, for people to look at: test-results/ next to the repo's other output. */
export const SCREENSHOT_DIR = join(__dirname, '..', '..', 'test-results', 'web-client');

/**
 * A headless Chromium that never touches the network on its own (no updates, sync, QUIC or
 * first-run pages). Playwright gives it a fresh, temporary --user-data-dir and deletes it on close.
 */
export function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`no Chromium at ${CHROMIUM_PATH}: install it (apt-get install chromium) or set CHROMIUM_PATH`);
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export function screenshotPath(name: string): string {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  return join(SCREENSHOT_DIR, `${name}.png`);
}

/** What a page wrote to its console as an error, or threw. */
export interface ConsoleError {
  page: string;
  text: string;
  /** Written while the test made requests of the page fail on purpose. */
  expected: boolean;
}

/**
 * What the browser itself logs for a request that fails: a refused connection, or an error status.
 * These are expected only while a test makes requests fail on purpose.
 */
const FAILED_REQUEST = /ERR_CONNECTION_REFUSED|ERR_CONNECTION_RESET|ERR_INTERNET_DISCONNECTED|WebSocket connection to .* failed|Failed to load resource: the server responded with a status of/;

/** Collects every console error and uncaught exception of the pages it watches. */
export class ConsoleWatch {
  readonly errors: ConsoleError[] = [];
  private readonly failing = new Set<string>();

  watch(page: Page, name: string): void {
    page.on('console', (message: ConsoleMessage) => {
      if (message.type() !== 'error') return;
      const text = message.text();
      this.errors.push({ page: name, text, expected: this.failing.has(name) && FAILED_REQUEST.test(text) });
    });
    page.on('pageerror', (error) => this.errors.push({ page: name, text: `uncaught: ${error.message}`, expected: false }));
  }

  /** Runs `during` while the page's requests fail on purpose (an outage, a refused request). */
  async failingRequests<T>(name: string, during: () => Promise<T>): Promise<T> {
    this.failing.add(name);
    try {
      return await during();
    } finally {
      this.failing.delete(name);
    }
  }

  unexpected(): ConsoleError[] {
    return this.errors.filter((e) => !e.expected);
  }
}
