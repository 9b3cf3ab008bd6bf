import { OpenApiResponses } from './openapi-responses';

interface Request {
  method: string;
  is404?: boolean;
  routeOptions?: { url?: string };
}
interface Reply {
  statusCode: number;
  getHeaders(): Record<string, unknown>;
}
interface Fastify {
  addHook(name: 'onSend', hook: (request: Request, reply: Reply, payload: unknown) => Promise<unknown>): unknown;
}

const problems: string[] = [];
/** One validator per document text: the apps of a test file usually serve the same document. */
const validators = new Map<string, OpenApiResponses>();

/**
 * Every answer an app of the e2e suite sends is checked against that app's own OpenAPI document
 * (`/docs-json`). TestEnv.startApp installs this on every app it starts, so a test file needs
 * nothing to adopt it; what does not match fails the test that caused it, through the afterEach
 * of test/support/openapi-report.ts. For an app built another way: `ResponseCheck.install(fastify)`
 * before it listens, then `await check.load(url)`.
 */
export class ResponseCheck {
  private validator?: OpenApiResponses;

  private constructor() {}

  static install(fastify: Fastify): ResponseCheck {
    const check = new ResponseCheck();
    fastify.addHook('onSend', async (request, reply, payload) => {
      check.observe(request, reply, payload);
      return payload;
    });
    return check;
  }

  /** Reads the document the app serves; answers before this are not checked (there are none). */
  async load(baseUrl: string): Promise<void> {
    const text = await (await fetch(`${baseUrl}/docs-json`)).text();
    let validator = validators.get(text);
    if (!validator) {
      validator = new OpenApiResponses(JSON.parse(text) as Record<string, unknown>);
      validators.set(text, validator);
    }
    this.validator = validator;
  }

  private observe(request: Request, reply: Reply, payload: unknown): void {
    if (!this.validator) return;
    const body = typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString('utf8') : undefined;
    try {
      problems.push(...this.validator.check({
        method: request.method,
        route: request.is404 ? undefined : request.routeOptions?.url,
        status: reply.statusCode,
        headers: reply.getHeaders(),
        body,
      }));
    } catch (err) {
      problems.push(`${request.method} ${request.routeOptions?.url}: could not be checked against the document: ${(err as Error).message}`);
    }
  }
}

/** The mismatches found since the last call. */
export function takeProblems(): string[] {
  return problems.splice(0, problems.length);
}
