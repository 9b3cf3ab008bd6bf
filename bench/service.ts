import { ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, WriteStream } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

const MAIN = join(__dirname, '..', 'src', 'main.js');
const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 15_000;

/** Only what a Node process needs from our environment: the service's own settings are ours to give. */
const INHERITED = ['PATH', 'HOME', 'LANG', 'TZ', 'TMPDIR'];

export interface ServiceSpec {
  name: string;
  role: 'all' | 'api' | 'worker';
  env: Record<string, string>;
  logFile: string;
  /** A directory for a V8 CPU profile, written when the process exits. */
  profileDir?: string;
}

/** The built service (dist/src/main.js) as a child process on a loopback port, its log in a file. */
export class ServiceProcess {
  private constructor(
    readonly name: string,
    readonly url: string | null,
    private readonly child: ChildProcess,
    private readonly log: WriteStream,
  ) {}

  get pid(): number {
    return this.child.pid!;
  }

  static async start(spec: ServiceSpec): Promise<ServiceProcess> {
    const port = spec.role === 'worker' ? 0 : await freePort();
    const env: Record<string, string> = {};
    for (const name of INHERITED) if (process.env[name] !== undefined) env[name] = process.env[name]!;
    Object.assign(env, { NODE_ENV: 'production', HOST: '127.0.0.1', PORT: String(port), ROLE: spec.role, LOG_LEVEL: 'log' }, spec.env);
    const flags = spec.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${spec.profileDir}`, `--cpu-prof-name=${spec.name}.cpuprofile`] : [];
    const child = spawn(process.execPath, [...flags, MAIN], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const log = createWriteStream(spec.logFile);
    child.stdout!.pipe(log, { end: false });
    child.stderr!.pipe(log, { end: false });
    const url = spec.role === 'worker' ? null : `http://127.0.0.1:${port}`;
    const service = new ServiceProcess(spec.name, url, child, log);
    await service.ready(spec.role === 'worker' ? '"worker started"' : '"listening"', spec.logFile);
    return service;
  }

  private stopped?: Promise<void>;

  /** SIGTERM and a graceful drain; SIGKILL if it takes too long. Safe to call twice. */
  stop(): Promise<void> {
    this.stopped ??= this.terminate();
    return this.stopped;
  }

  private async terminate(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    }
    await new Promise<void>((resolve) => this.log.end(resolve));
  }

  private ready(marker: string, logFile: string): Promise<void> {
    return new Promise((resolve, reject) => {
      let output = '';
      const onData = (chunk: Buffer) => {
        output = (output + chunk.toString()).slice(-20_000);
        if (output.includes(marker)) done();
      };
      const onExit = (code: number | null) => fail(new Error(`${this.name} exited with ${code} before it was ready; see ${logFile}\n${output.slice(-2000)}`));
      const timer = setTimeout(() => fail(new Error(`${this.name} not ready after ${READY_TIMEOUT_MS / 1000} s; see ${logFile}`)), READY_TIMEOUT_MS);
      const done = () => {
        clearTimeout(timer);
        this.child.stdout!.off('data', onData);
        this.child.off('exit', onExit);
        resolve();
      };
      const fail = (err: Error) => {
        clearTimeout(timer);
        this.child.stdout!.off('data', onData);
        this.child.kill('SIGKILL');
        reject(err);
      };
      this.child.stdout!.on('data', onData);
      this.child.once('exit', onExit);
    });
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}
