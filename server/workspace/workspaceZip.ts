/**
 * A workspace's sources as a `.zip` to download: exactly what the store lists
 * (so never node_modules, .git, the root dist/ or the studio's own .studio/),
 * with empty folders kept as folder entries.
 */
import { zipSync, type Zippable } from 'fflate';
import type { WorkspaceStore } from './workspaceStore.ts';

/** The zip of workspace `id`'s files, their paths relative to the workspace root. */
export async function zipWorkspace(store: WorkspaceStore, id: string): Promise<Buffer> {
  const entries = await store.listFiles(id);
  const parents = new Set(entries.map((entry) => entry.path.split('/').slice(0, -1).join('/')));
  const zippable: Zippable = {};
  for (const entry of entries) {
    if (entry.kind === 'file') {
      zippable[entry.path] = Buffer.from((await store.read(id, entry.path)).content, 'utf8');
    } else if (!parents.has(entry.path)) {
      zippable[`${entry.path}/`] = new Uint8Array(0);
    }
  }
  return Buffer.from(zipSync(zippable, { level: 6 }));
}
