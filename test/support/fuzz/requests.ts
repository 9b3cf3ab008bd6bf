import fc from 'fast-check';
import { Agent, request as httpRequest } from 'node:http';
import { authorization, cursor, encodeSegment, headerValue, idString, jsonValue, oddString, pathSegment } from './inputs';

/** One operation of the OpenAPI document (/docs-json): what the fuzzer generates requests for. */
export interface Operation {
  method: string;
  path: string;
  parameters: { name: string; in: 'path' | 'query' | 'header'; schema?: Schema }[];
  body?: Schema;
  secured: boolean;
}

interface Schema {
  $ref?: string;
  type?: string;
  pattern?: string;
  properties?: Record<string, Schema>;
}

type Doc = {
  paths: Record<string, Record<string, { parameters?: Operation['parameters']; requestBody?: { content?: Record<string, { schema?: Schema }> }; security?: unknown[] }>>;
  components?: { schemas?: Record<string, Schema> };
  security?: unknown[];
};

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

/** Every operation the document lists, so a new route is fuzzed without editing this suite. */
export function operations(doc: Doc): Operation[] {
  const resolve = (schema?: Schema): Schema | undefined =>
    schema?.$ref ? doc.components?.schemas?.[schema.$ref.replace('#/components/schemas/', '')] : schema;
  const ops: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      const security = op.security ?? doc.security ?? [];
      ops.push({
        method: method.toUpperCase(),
        path,
        parameters: op.parameters ?? [],
        body: resolve(op.requestBody?.content?.['application/json']?.schema),
        secured: security.length > 0,
      });
    }
  }
  return ops;
}

/** What the generators draw real values from: they change as the run creates and deletes things. */
export interface FuzzWorld {
  secret: string;
  user: { id: string; username: string; token: string };
  usernames: () => string[];
  postIds: () => string[];
  cursors: () => string[];
  signHome: (id: bigint, deep: boolean) => string;
}

export interface FuzzRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

const usernameValue = (world: FuzzWorld) =>
  fc.oneof(
    { weight: 2, arbitrary: fc.nat().map((i) => world.usernames()[i % world.usernames().length]) },
    { weight: 1, arbitrary: fc.stringMatching(/^[A-Za-z0-9_]{3,30}$/) },
    { weight: 3, arbitrary: oddString() },
  );

/** A value for a parameter or field, picked by its name and schema so that some requests get far. */
function valueFor(name: string, schema: Schema | undefined, world: FuzzWorld): fc.Arbitrary<unknown> {
  const lower = name.toLowerCase();
  if (lower === 'username') return usernameValue(world);
  if (lower === 'password') return fc.oneof(fc.constant('password123'), oddString(), jsonValue());
  if (lower === 'cursor') return cursor(world.cursors, world.signHome);
  if (lower === 'limit') return fc.oneof(fc.integer({ min: -5, max: 1000 }).map(String), fc.constantFrom('1', '100', '101', '0', '1.5', '1e2', '99999999999999999999'), oddString());
  if (lower.endsWith('id') || lower === 'since' || schema?.pattern?.includes('[1-9]')) return idString(world.postIds);
  if (schema?.type === 'boolean') return fc.oneof(fc.boolean(), jsonValue());
  if (schema?.type === 'integer' || schema?.type === 'number') return fc.oneof(fc.integer(), jsonValue());
  return oddString();
}

/** A JSON body: the documented fields, each maybe missing, of any type; sometimes extra fields; sometimes not JSON at all. */
function bodyFor(schema: Schema | undefined, world: FuzzWorld): fc.Arbitrary<{ text?: string; type?: string }> {
  const fields = Object.entries(schema?.properties ?? {});
  const object = fc
    .tuple(
      fc.record(Object.fromEntries(fields.map(([name, s]) => [name, fc.oneof({ weight: 3, arbitrary: valueFor(name, s, world) }, { weight: 1, arbitrary: jsonValue() })])), { requiredKeys: [] }),
      fc.oneof({ weight: 3, arbitrary: fc.constant({}) }, { weight: 1, arbitrary: fc.dictionary(fc.oneof(oddString(), fc.constantFrom('isAdmin', 'author', 'id', '__proto__', 'constructor')), jsonValue(), { maxKeys: 3 }) }),
    )
    .map(([known, extra]) => JSON.stringify({ ...known, ...extra }));
  const notAnObject = jsonValue().map((v) => JSON.stringify(v) ?? 'null');
  const malformed = fc.oneof(
    fc.constantFrom('{', '{"text": }', "{'a': 1}", '{"a":1,}', '{"a":1} x', '\u0000', 'undefined', '{"__proto__":{"x":1}}', '{"a":"\\ud800"}', '{"a":"\\x41"}'),
    fc.integer({ min: 33, max: 5000 }).map((n) => `{"a":${'['.repeat(n)}${']'.repeat(n)}}`),
    fc.integer({ min: 17 * 1024, max: 40 * 1024 }).map((n) => JSON.stringify({ text: 'x'.repeat(n) })),
    oddString(),
  );
  const type = fc.oneof(
    { weight: 8, arbitrary: fc.constant('application/json') },
    { weight: 1, arbitrary: fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json; charset=latin1', 'APPLICATION/JSON', 'application/jsonx', '*/*') },
    { weight: 1, arbitrary: headerValue() },
  );
  const text = fc.oneof({ weight: 6, arbitrary: object }, { weight: 1, arbitrary: notAnObject }, { weight: 2, arbitrary: malformed }, { weight: 1, arbitrary: fc.constant('') });
  return fc.record({ text: fc.option(text, { nil: undefined, freq: 8 }), type: fc.option(type, { nil: undefined, freq: 8 }) });
}

function query(op: Operation, world: FuzzWorld): fc.Arbitrary<string> {
  const documented = op.parameters.filter((p) => p.in === 'query');
  const pairs = documented.map((p) =>
    fc.option(fc.array(valueFor(p.name, p.schema, world).map((v) => [p.name, String(v)] as const), { minLength: 1, maxLength: 2 }), { nil: [], freq: 2 }),
  );
  const extra = fc.option(fc.array(fc.tuple(fc.oneof(oddString(), fc.constantFrom('offset', 'sort', '__proto__')), oddString()), { maxLength: 2 }), { nil: [], freq: 3 });
  return fc.tuple(fc.tuple(...pairs), extra).map(([documentedPairs, extraPairs]) => {
    const all = [...documentedPairs.flat(), ...extraPairs];
    return all.length === 0 ? '' : `?${all.map(([k, v]) => `${encodeSegment(k)}=${encodeSegment(v)}`).join('&')}`;
  });
}

/** Requests for one operation: every parameter, header and body field drawn from the hostile generators. */
export function requestFor(op: Operation, world: FuzzWorld): fc.Arbitrary<FuzzRequest> {
  const pathParams = op.parameters.filter((p) => p.in === 'path');
  const path = fc
    .tuple(...pathParams.map((p) => pathSegment(valueFor(p.name, p.schema, world).map(String))))
    .map((values) => pathParams.reduce((acc, p, i) => acc.replace(`{${p.name}}`, values[i]), op.path));
  const headerParams = op.parameters.filter((p) => p.in === 'header');
  const headers = fc
    .tuple(
      authorization(world.secret, world.user),
      fc.tuple(...headerParams.map((p) => fc.option(fc.oneof(headerValue(), valueFor(p.name, p.schema, world).map(String).filter((v) => /^[\t\x20-\x7e\x80-\xff]*$/.test(v))), { nil: undefined }))),
      fc.option(fc.record({ Accept: headerValue(), Origin: headerValue(), 'X-Forwarded-For': headerValue() }, { requiredKeys: [] }), { nil: {}, freq: 3 }),
    )
    .map(([auth, values, extra]) => {
      const out: Record<string, string> = { ...extra };
      if (auth !== undefined) out.Authorization = auth;
      headerParams.forEach((p, i) => {
        if (values[i] !== undefined) out[p.name] = values[i] as string;
      });
      return out;
    });
  const body: fc.Arbitrary<{ text?: string; type?: string }> = op.method === 'GET' ? fc.constant({}) : bodyFor(op.body, world);
  return fc.tuple(path, query(op, world), headers, body).map(([p, q, h, b]) => {
    const all: Record<string, string> = { ...h };
    if (b.type !== undefined) all['Content-Type'] = b.type;
    return { method: op.method, path: p + q, headers: all, body: b.text };
  });
}

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  body: unknown;
}

/** A connection per request: an answer that closes its connection (413, 408) cannot break the next one. */
const agent = new Agent({ keepAlive: false, maxSockets: 4 });

/** Sends a request as it is (no client-side validation of the path); a hang past 15 s is a failure. */
export function send(baseUrl: string, req: FuzzRequest): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const url = new URL(baseUrl);
    const outgoing = httpRequest(
      { host: url.hostname, port: url.port, method: req.method, path: req.path, headers: req.headers, agent, timeout: 15_000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown;
          try {
            body = text ? JSON.parse(text) : undefined;
          } catch {
            body = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, body });
        });
        res.on('error', reject);
      },
    );
    outgoing.on('timeout', () => outgoing.destroy(new Error(`no answer in 15 s to ${req.method} ${req.path.slice(0, 200)}`)));
    outgoing.on('error', reject);
    outgoing.end(req.body);
  });
}

export function closeAgent(): void {
  agent.destroy();
}
