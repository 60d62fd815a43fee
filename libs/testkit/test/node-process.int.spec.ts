import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { freeLoopbackPort, httpGet, processExists, startNodeProcess } from '@ringbus/testkit';

// Compiled by `npx tsc -b` next to this file's compiled twin.
const fixture = fileURLToPath(new URL('../dist/test/fixtures/http-echo-process.js', import.meta.url));

describe('freeLoopbackPort', () => {
  it('returns a port nothing is listening on', async () => {
    const port = await freeLoopbackPort();
    expect(port).toBeGreaterThan(0);
    await expect(httpGet(`http://127.0.0.1:${port}/`, 500)).rejects.toThrow(/ECONNREFUSED/);
  });
});

describe('startNodeProcess', () => {
  it('runs a node program with the given environment, waits for HTTP, captures output and stops it by PID', async () => {
    const port = await freeLoopbackPort();
    const child = await startNodeProcess({
      args: [fixture],
      env: { PORT: String(port), MARKER: 'kit-marker' },
    });
    const reply = await child.waitForHttp(`http://127.0.0.1:${port}/`);
    expect(reply).toEqual({ status: 200, body: 'ready' });
    await child.waitForOutput(/marker kit-marker/);
    expect(child.output()).toContain(`listening on ${port}`);

    expect(await child.stop()).toEqual({ code: 0, signal: null });
    expect(processExists(child.pid)).toBe(false);
  });

  it('reports the exit code the program chose', async () => {
    const port = await freeLoopbackPort();
    const child = await startNodeProcess({
      args: [fixture],
      env: { PORT: String(port), EXIT_CODE_ON_SIGTERM: '3' },
    });
    await child.waitForHttp(`http://127.0.0.1:${port}/`);
    expect(await child.stop()).toEqual({ code: 3, signal: null });
  });

  it('kills a program that ignores SIGTERM once the stop timeout passes', async () => {
    const port = await freeLoopbackPort();
    const child = await startNodeProcess({
      args: [fixture],
      env: { PORT: String(port), IGNORE_SIGTERM: '1' },
    });
    await child.waitForHttp(`http://127.0.0.1:${port}/`);
    expect(await child.stop({ timeoutMs: 300 })).toEqual({ code: null, signal: 'SIGKILL' });
    expect(processExists(child.pid)).toBe(false);
  });

  it('fails the wait at once, with the output, when the program exits before answering', async () => {
    const child = await startNodeProcess({
      args: ['-e', 'console.error("no config, giving up"); process.exit(2)'],
    });
    await expect(child.waitForHttp('http://127.0.0.1:9/')).rejects.toThrow(
      /exited \(code 2\)[\s\S]*no config, giving up/,
    );
    expect((await child.exited).code).toBe(2);
  });
});
