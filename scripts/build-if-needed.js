#!/usr/bin/env node
// `npm start` builds first when dist/ is missing or older than any source file: the service
// (src, migrations, bench) with nest build, the web client (web/) with scripts/build-web.js.
const { execFileSync, execSync } = require('node:child_process');
const { existsSync, readdirSync, statSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');

function newestMtime(dir) {
  let newest = 0;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const stat = statSync(path);
    newest = Math.max(newest, stat.isDirectory() ? newestMtime(path) : stat.mtimeMs);
  }
  return newest;
}

function stale(output, sourceDirs) {
  const sources = sourceDirs.map((d) => join(root, d)).filter(existsSync);
  return !existsSync(output) || Math.max(...sources.map(newestMtime)) > statSync(output).mtimeMs;
}

const server = join(root, 'dist', 'src', 'main.js');
const web = join(root, 'dist', 'web', 'js', 'main.js');
// nest build empties dist/, the web client included.
const serverStale = stale(server, ['src', 'migrations', 'bench']);
if (serverStale) {
  console.log('Building the service (dist/ is missing or older than the sources)...');
  execSync('npx nest build', { cwd: root, stdio: 'inherit' });
}
if (serverStale || stale(web, ['web'])) {
  console.log('Building the web client...');
  execFileSync(process.execPath, [join(__dirname, 'build-web.js')], { cwd: root, stdio: 'inherit' });
}
