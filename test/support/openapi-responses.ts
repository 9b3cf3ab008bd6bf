import Ajv, { ErrorObject, ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

/** An answer as the server sent it. */
export interface ObservedResponse {
  method: string;
  /** The route pattern (`/posts/:id`), or undefined when no route matched. */
  route: string | undefined;
  status: number;
  headers: Record<string, unknown>;
  body: string | undefined;
}

/**
 * Served by the API but not part of it: the web client, the docs, the queue dashboard, and the
 * CORS preflight (`OPTIONS *`, @fastify/cors, when CORS_ORIGINS is set).
 */
const UNDOCUMENTED_ROUTES = [/^\/$/, /^\/web\//, /^\/docs(\/|-json|-yaml|$)/, /^\/admin\/queues(\/|$)/, /^\*$/];
const DOC = 'openapi';

type Json = Record<string, unknown>;
interface ResponseObject {
  headers?: Record<string, { required?: boolean; schema?: Json }>;
  content?: Record<string, { schema?: Json }>;
}

/**
 * Checks answers against the OpenAPI document: the status must be listed for the operation, the
 * body must match its schema, required headers must be there. Objects are checked as closed (no
 * property the document does not name), so an undocumented field is caught too; the document
 * itself leaves responses open, so clients keep working when fields are added.
 */
export class OpenApiResponses {
  // verbose: each error carries the schema object it failed in, which `locations` turns into its
  // place in the document (Ajv's own schemaPath starts again at every $ref).
  private readonly ajv = new Ajv({ strict: false, allErrors: true, verbose: true });
  private readonly compiled = new Map<string, ValidateFunction>();
  private readonly locations = new WeakMap<object, string>();

  constructor(private readonly document: Json) {
    addFormats(this.ajv);
    const closed = toClosedJsonSchema(structuredClone(document)) as Json;
    locate(closed, '#', this.locations);
    this.ajv.addSchema(closed, DOC);
  }

  /** The problems with one answer, each a sentence naming the operation and the schema path. */
  check(response: ObservedResponse): string[] {
    const method = response.method.toLowerCase() === 'head' ? 'get' : response.method.toLowerCase();
    if (response.route === undefined) return this.checkBody(response, `${response.method} (no route)`, '#/components/schemas/ErrorView');
    if (UNDOCUMENTED_ROUTES.some((pattern) => pattern.test(response.route!))) return [];
    const path = response.route.replace(/:(\w+)/g, '{$1}');
    const paths = this.document.paths as Record<string, Record<string, Json>>;
    const operation = paths[path]?.[method];
    const name = `${method.toUpperCase()} ${path}`;
    if (!operation) return [`${name} answered ${response.status}, but the document has no such operation`];
    const label = `${name} (${String(operation.operationId)}) → ${response.status}`;
    const responses = operation.responses as Record<string, ResponseObject>;
    const key = [String(response.status), `${String(response.status)[0]}XX`, 'default'].find((k) => responses[k]);
    if (!key) {
      return [`${label}: the document lists no ${response.status} for this operation (it lists ${Object.keys(responses).join(', ')})`];
    }
    const pointer = `#/paths/${escape(path)}/${method}/responses/${key}`;
    const described = responses[key];
    const problems = this.checkHeaders(response, label, described, pointer);
    if (response.method.toLowerCase() === 'head') return problems;
    const mediaType = String(response.headers['content-type'] ?? '').split(';')[0].trim();
    const content = described.content ?? {};
    if (Object.keys(content).length === 0) {
      if (response.body) problems.push(`${label}: has a body, but the document describes none (${pointer})`);
      return problems;
    }
    const media = content[mediaType] ? mediaType : undefined;
    if (!media) {
      problems.push(`${label}: answered ${mediaType || 'no content type'}, but the document describes ${Object.keys(content).join(', ')} (${pointer}/content)`);
      return problems;
    }
    if (!content[media].schema) return problems;
    return [...problems, ...this.checkBody(response, label, `${pointer}/content/${escape(media)}/schema`, media)];
  }

  private checkHeaders(response: ObservedResponse, label: string, described: ResponseObject, pointer: string): string[] {
    const problems: string[] = [];
    for (const [name, header] of Object.entries(described.headers ?? {})) {
      const value = response.headers[name.toLowerCase()];
      if (value === undefined) {
        if (header.required) problems.push(`${label}: the required header ${name} is missing (${pointer}/headers/${name})`);
        continue;
      }
      if (!header.schema) continue;
      const validate = this.validator(`${pointer}/headers/${escape(name)}/schema`);
      const typed = header.schema.type === 'integer' || header.schema.type === 'number' ? Number(value) : String(value);
      if (!validate(typed)) problems.push(...this.describe(validate.errors, `${label}: header ${name}`));
    }
    return problems;
  }

  private checkBody(response: ObservedResponse, label: string, pointer: string, media = 'application/json'): string[] {
    let body: unknown = response.body ?? '';
    if (media === 'application/json') {
      try {
        body = JSON.parse(response.body ?? '');
      } catch {
        return [`${label}: the body is not JSON, but the document describes a JSON body (${pointer}): ${String(response.body).slice(0, 200)}`];
      }
    }
    const validate = this.validator(pointer);
    return validate(body) ? [] : this.describe(validate.errors, `${label}: body`);
  }

  private describe(errors: ErrorObject[] | null | undefined, where: string): string[] {
    return (errors ?? []).map((e) => {
      const detail = e.keyword === 'additionalProperties' ? `${e.message} "${String(e.params.additionalProperty)}"` : e.message;
      const at = this.locations.get(e.parentSchema as object);
      const schemaPath = at ? `${at}/${e.keyword}` : e.schemaPath;
      return `${where}${e.instancePath} ${detail} (schema ${schemaPath})`;
    });
  }

  private validator(pointer: string): ValidateFunction {
    let validate = this.compiled.get(pointer);
    if (!validate) {
      validate = this.ajv.compile({ $ref: `${DOC}${pointer}` });
      this.compiled.set(pointer, validate);
    }
    return validate;
  }
}

/** Records the JSON pointer of every object in the document. */
function locate(node: unknown, pointer: string, into: WeakMap<object, string>): void {
  if (node === null || typeof node !== 'object') return;
  into.set(node, pointer);
  for (const [key, value] of Object.entries(node)) locate(value, `${pointer}/${escape(key)}`, into);
}

function escape(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

/**
 * OpenAPI 3.0 schemas as JSON Schema for Ajv: `nullable` beside a `$ref` or `allOf` (which Ajv
 * only accepts beside `type`) becomes an `anyOf` with null; every object that lists its
 * properties and does not say otherwise is closed.
 */
function toClosedJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toClosedJsonSchema);
  if (node === null || typeof node !== 'object') return node;
  const schema = node as Json;
  for (const [key, value] of Object.entries(schema)) {
    // Examples are data, not schemas.
    if (key !== 'example' && key !== 'examples') schema[key] = toClosedJsonSchema(value);
  }
  if (schema.properties && typeof schema.properties === 'object' && schema.additionalProperties === undefined) {
    schema.additionalProperties = false;
  }
  // Swagger writes a nullable reference as `type: object` beside `allOf`, which Redocly wants:
  // Ajv would still refuse null inside the `allOf`, so that `type` goes too.
  if (schema.nullable === true && (schema.type === undefined || schema.allOf !== undefined)) {
    const { nullable: _nullable, description, type: _type, ...rest } = schema;
    return { description, anyOf: [rest, { type: 'null' }] };
  }
  return schema;
}
