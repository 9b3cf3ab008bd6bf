#!/usr/bin/env node
// Lints the OpenAPI document the service generates, with Redocly's recommended rules (the engine
// of `redocly lint`). Any problem, a warning included, fails: the document is kept clean.
//
//   node scripts/lint-openapi.mjs                          # the document of `npm start` on :3000
//   node scripts/lint-openapi.mjs http://host:port/docs-json
//   node scripts/lint-openapi.mjs openapi.json
import { createConfig, formatProblems, getTotals, lintFromString } from '@redocly/openapi-core';
import { readFileSync } from 'node:fs';

const source = process.argv[2] ?? 'http://127.0.0.1:3000/docs-json';
const DOCUMENT = 'openapi.json';

// Where a recommended rule does not apply, and why. /health and /metrics take no input and need
// no token, so no 4xx answer exists for them to describe.
const IGNORED = {
  'operation-4xx-response': ['#/paths/~1health/get/responses', '#/paths/~1metrics/get/responses'],
};

async function read(location) {
  if (!/^https?:\/\//.test(location)) return readFileSync(location, 'utf8');
  const response = await fetch(location).catch((err) => {
    throw new Error(`cannot fetch ${location} (${err.cause?.code ?? err.message}): is the service running? Try npm start`);
  });
  if (!response.ok) throw new Error(`${location} answered ${response.status}`);
  return response.text();
}

try {
  const ignore = { [DOCUMENT]: Object.fromEntries(Object.entries(IGNORED).map(([rule, at]) => [rule, new Set(at)])) };
  const config = await createConfig({ extends: ['recommended'] }, { ignore });
  const found = await lintFromString({ source: await read(source), absoluteRef: DOCUMENT, config });
  const problems = found.filter((problem) => !problem.ignored);
  if (problems.length === 0) {
    console.log(`${source}: the OpenAPI document is clean (Redocly recommended rules)`);
  } else {
    formatProblems(problems, { format: 'stylish', totals: getTotals(problems), version: 'openapi-core' });
    process.exitCode = 1;
  }
} catch (err) {
  console.error(err.message);
  process.exitCode = 2;
}
