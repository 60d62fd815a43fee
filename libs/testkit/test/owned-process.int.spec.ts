import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { OwnedProcess, removeOwnedFolder, startInOwnedFolder } from '@ringbus/testkit';

/** Gone, or a zombie no one reaps (this machine's PID 1 may not): either way it runs no more. */
function ended(pid: number): boolean {
  try {
    const state = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1] ?? '';
    return state.startsWith('Z');
  } catch {
    return true;
  }
}

// A parent that ignores SIGTERM, with two workers that outlive a SIGKILL of the parent alone.
const PARENT_WITH_WORKERS = 'trap "" TERM; sleep 300 & echo "worker $!"; sleep 300 & echo "worker $!"; wait';

async function startParentWithWorkers(): Promise<{ parent: OwnedProcess; workers: number[] }> {
  const parent = await OwnedProcess.spawn('workers', '/bin/bash', ['-c', PARENT_WITH_WORKERS]);
  await parent.waitForOutput(/worker \d+\n[\s\S]*worker \d+\n/, 5_000);
  const workers = [...parent.output().matchAll(/worker (\d+)/g)].map((match) => Number(match[1]));
  expect(workers).toHaveLength(2);
  return { parent, workers };
}

describe('OwnedProcess', () => {
  it('stop() ends a parent that ignores SIGTERM together with the workers it forked', async () => {
    const { parent, workers } = await startParentWithWorkers();

    expect(await parent.stop({ timeoutMs: 300 })).toEqual({ code: null, signal: 'SIGKILL' });
    for (const worker of workers) await vi.waitFor(() => expect(ended(worker)).toBe(true));
  });

  it('kill() signals the parent alone: its workers outlive a SIGKILL of it', async () => {
    const { parent, workers } = await startParentWithWorkers();
    try {
      parent.kill('SIGKILL');
      expect((await parent.exited).signal).toBe('SIGKILL');
      await new Promise((resolve) => setTimeout(resolve, 100));
      for (const worker of workers) expect(ended(worker)).toBe(false);
    } finally {
      for (const worker of workers) process.kill(worker, 'SIGKILL');
    }
  });

  it('killWithDescendants() signals the parent and every worker by PID', async () => {
    const { parent, workers } = await startParentWithWorkers();
    parent.killWithDescendants('SIGKILL');
    expect((await parent.exited).signal).toBe('SIGKILL');
    for (const worker of workers) await vi.waitFor(() => expect(ended(worker)).toBe(true));
  });
});

describe('owned folders', () => {
  it('removes the folder again when the start in it fails', async () => {
    let used = '';
    await expect(
      startInOwnedFolder('ringbus-kit-', async (folder) => {
        used = folder;
        throw new Error('port taken');
      }),
    ).rejects.toThrow('port taken');
    expect(used).not.toBe('');
    expect(existsSync(used)).toBe(false);
  });

  it('keeps the folder after a successful start until it is removed', async () => {
    const folder = await startInOwnedFolder('ringbus-kit-', async (created) => created);
    expect(existsSync(folder)).toBe(true);
    await removeOwnedFolder(folder);
    expect(existsSync(folder)).toBe(false);
  });
});
