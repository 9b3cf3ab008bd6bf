import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { PUBLIC_OPERATION } from '../auth/current-user.decorator';
import { AppConfig } from '../config/app-config';
import { documentRateLimits } from '../rate-limit/rate-limit.openapi';

/** The contract's version (API.md). */
const API_VERSION = '2';
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head', 'trace'] as const;

type Schema = { $ref?: string; additionalProperties?: unknown; properties?: object };

/**
 * The OpenAPI document, built from the controllers' decorators, then completed with the rules the
 * server applies to every route (and that decorators cannot say per route): the token is needed
 * unless a route is @Public(), and a body with a field it does not know is refused.
 */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Feed fan-out API')
    .setDescription(
      'Post, follow and read home timelines. IDs are decimal strings. Lists are pages: pass the ' +
        '`nextCursor` of a page as `cursor` for the next, older one. New posts are pushed live on ' +
        'the Socket.IO namespace `/feed` (see the README).',
    )
    .setVersion(API_VERSION)
    .setLicense('MIT', 'https://opensource.org/licenses/MIT')
    .addServer('/', 'the service that serves this document')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'the accessToken of register or login' })
    .addSecurityRequirements('bearer')
    .build();
  const document = SwaggerModule.createDocument(app, config);
  documentRateLimits(document, app.get(AppConfig).rateLimits, PUBLIC_OPERATION);
  for (const operation of operations(document)) {
    if (operation[PUBLIC_OPERATION]) {
      delete operation[PUBLIC_OPERATION];
      operation.security = [];
    }
    closeRequestBody(document, operation.requestBody as { content?: Record<string, { schema?: Schema }> } | undefined);
  }
  return document;
}

/** The global ValidationPipe refuses unknown fields (forbidNonWhitelisted): the schema says so. */
function closeRequestBody(document: OpenAPIObject, body: { content?: Record<string, { schema?: Schema }> } | undefined): void {
  for (const media of Object.values(body?.content ?? {})) {
    const ref = media.schema?.$ref;
    const schema = ref ? (document.components?.schemas?.[ref.split('/').pop()!] as Schema | undefined) : media.schema;
    if (schema?.properties) schema.additionalProperties = false;
  }
}

function* operations(document: OpenAPIObject): Generator<Record<string, unknown>> {
  for (const path of Object.values(document.paths)) {
    for (const method of METHODS) {
      const operation = (path as Record<string, unknown>)[method];
      if (operation) yield operation as Record<string, unknown>;
    }
  }
}

/** Serves the document at /docs-json and the Swagger UI at /docs. */
export function serveApiDocs(app: INestApplication): void {
  SwaggerModule.setup('docs', app, buildOpenApiDocument(app));
}
