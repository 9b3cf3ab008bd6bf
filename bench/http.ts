import { Agent, request } from 'node:http';

export interface HttpResult<T> {
  status: number;
  body: T;
  /** Request written → last byte of the answer read, as the client sees it. */
  ms: number;
}

/** A keep-alive HTTP client for one base URL: the shortest path to a timed request, no framework. */
export class Http {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 64 });
  private readonly url: URL;

  constructor(baseUrl: string) {
    this.url = new URL(baseUrl);
  }

  get<T>(path: string, token?: string): Promise<HttpResult<T>> {
    return this.send<T>('GET', path, token);
  }

  post<T>(path: string, body: unknown, token?: string): Promise<HttpResult<T>> {
    return this.send<T>('POST', path, token, JSON.stringify(body));
  }

  close(): void {
    this.agent.destroy();
  }

  /**
   * The server may close an idle keep-alive socket just as a request goes out on it (its
   * KEEP_ALIVE_TIMEOUT_MS ran out between two phases): that request never reached it, so it is sent
   * once more on a new socket, as Node's documentation advises for `reusedSocket`.
   */
  private async send<T>(method: string, path: string, token?: string, payload?: string): Promise<HttpResult<T>> {
    try {
      return await this.attempt<T>(method, path, token, payload);
    } catch (err) {
      if (!(err instanceof StaleSocketError)) throw err;
      return this.attempt<T>(method, path, token, payload);
    }
  }

  private attempt<T>(method: string, path: string, token?: string, payload?: string): Promise<HttpResult<T>> {
    const headers: Record<string, string> = {};
    if (token) headers.authorization = `Bearer ${token}`;
    if (payload !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(Buffer.byteLength(payload));
    }
    return new Promise((resolve, reject) => {
      const started = performance.now();
      const req = request(
        { host: this.url.hostname, port: this.url.port, method, path, headers, agent: this.agent, timeout: 60_000 },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            const ms = performance.now() - started;
            const text = Buffer.concat(chunks).toString('utf8');
            let body: unknown = text;
            try {
              body = text ? JSON.parse(text) : undefined;
            } catch {
              // not JSON: keep the text, the caller reports it
            }
            resolve({ status: res.statusCode ?? 0, body: body as T, ms });
          });
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)));
      req.on('error', (err: NodeJS.ErrnoException) => {
        reject(req.reusedSocket && err.code === 'ECONNRESET' ? new StaleSocketError(err.message) : err);
      });
      req.end(payload);
    });
  }
}

/** A reused keep-alive socket was closed by the server before the request reached it. */
class StaleSocketError extends Error {}
