#!/usr/bin/env node
// Builds the web client into dist/web: its TypeScript (web/src) to ES modules in dist/web/js, and
// its page, styles and icon copied beside them. No bundler: the browser loads the modules as they are.
const { execFileSync } = require('node:child_process');
const { cpSync, mkdirSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const out = join(root, 'dist', 'web');

execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', join(root, 'web')], { stdio: 'inherit' });
mkdirSync(out, { recursive: true });
for (const file of ['index.html', 'styles.css', 'favicon.svg']) cpSync(join(root, 'web', file), join(out, file));
