import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Folders this test process created, removed even when a test crashes before its cleanup runs.
const ownedFolders = new Set<string>();
let exitCleanupInstalled = false;

function installExitCleanup(): void {
  if (exitCleanupInstalled) return;
  exitCleanupInstalled = true;
  process.once('exit', () => {
    for (const folder of ownedFolders) rmSync(folder, { recursive: true, force: true });
  });
}

async function createOwnedFolder(prefix: string): Promise<string> {
  installExitCleanup();
  const folder = await mkdtemp(join(tmpdir(), prefix));
  ownedFolders.add(folder);
  return folder;
}

export async function removeOwnedFolder(folder: string): Promise<void> {
  await rm(folder, { recursive: true, force: true });
  ownedFolders.delete(folder);
}

/**
 * Creates a fresh folder `<tmpdir>/<prefix>XXXXXX` and runs `start` in it, e.g. to launch a server that keeps
 * its data there. When `start` fails the folder is removed before the error is passed on; otherwise it stays
 * until `removeOwnedFolder`, or at the latest until this test process exits.
 */
export async function startInOwnedFolder<T>(
  prefix: string,
  start: (folder: string) => Promise<T>,
): Promise<T> {
  const folder = await createOwnedFolder(prefix);
  try {
    return await start(folder);
  } catch (error) {
    await removeOwnedFolder(folder);
    throw error;
  }
}
