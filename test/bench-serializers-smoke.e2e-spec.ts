import { spawn } from 'node:child_process';
import { join } from 'node:path';

jest.setTimeout(60_000);

const SCRIPT = join(__dirname, '..', 'dist', 'bench', 'serializers.js');

function runBench(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [SCRIPT, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

// The serializer benchmark at a tiny size, so that it cannot rot: it refuses to time a way that
// writes other JSON than JSON.stringify, so a clean exit says all three write the same pages.
describe('bench:serializers (smoke run)', () => {
  it('checks every way against JSON.stringify and prints a row for each', async () => {
    const run = await runBench(['--pages', '60', '--rounds', '1']);
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    for (const label of ['JSON.stringify (the service)', 'compiled schema (fast-json-stringify)', 'joined from each post’s JSON']) {
      expect(run.stdout).toMatch(new RegExp(`^${label.replace(/[.()]/g, '\\$&')}\\s+[\\d.]+ µs\\s+[\\d.]+× as fast$`, 'm'));
    }
  });
});
