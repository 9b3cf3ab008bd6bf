import { takeProblems } from './openapi-check';

/**
 * Fails the test during which an app answered something its OpenAPI document does not describe
 * (see openapi-check.ts). Loaded for every e2e file by jest.config.js.
 */
function report(): void {
  const problems = takeProblems();
  if (problems.length === 0) return;
  const shown = [...new Set(problems)];
  throw new Error(
    `${shown.length} answer(s) do not match the OpenAPI document (/docs-json); describe them with the ` +
      `@ApiOkResponse/@ApiErrors decorators of the route, or fix the answer:\n  - ${shown.slice(0, 20).join('\n  - ')}` +
      (shown.length > 20 ? `\n  ... and ${shown.length - 20} more` : ''),
  );
}

afterEach(report);
afterAll(report);
