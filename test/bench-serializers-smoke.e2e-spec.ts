import { join } from 'node:path';
import { runScript } from './support/processes';

jest.setTimeout(60_000);

const SCRIPT = join(__dirname, '..', 'dist', 'bench', 'serializers.js');

// The serializer benchmark at a tiny size, so that it cannot rot: it refuses to time a way that
// writes other JSON than JSON.stringify, so a clean exit says all three write the same pages.
describe('bench:serializers (smoke run)', () => {
  it('checks every way against JSON.stringify and prints a row for each', async () => {
    const run = await runScript(SCRIPT, ['--pages', '60', '--rounds', '1'], 50_000);
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    for (const label of ['JSON.stringify (the service)', 'compiled schema (fast-json-stringify)', 'joined from each post’s JSON']) {
      expect(run.stdout).toMatch(new RegExp(`^${label.replace(/[.()]/g, '\\$&')}\\s+[\\d.]+ µs\\s+[\\d.]+× as fast$`, 'm'));
    }
  });
});
