/**
 * A project folder packed as a user would upload it for `workspace/import`:
 * a `.tar.gz` or a `.zip` with everything under one top folder (as GitHub's
 * `<repo>-main/` archives are), plus any extra entries (a stray node_modules,
 * a dist/) the import must leave out.
 */
import { zipSync, type Zippable } from 'fflate';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { buffer } from 'node:stream/consumers';
import { gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';
import type { ImportArchive } from '../../protocol/messages.ts';

/** Every file under `dir`, by '/'-separated relative path. */
export async function filesUnder(dir: string): Promise<Record<string, Buffer>> {
  const files: Record<string, Buffer> = {};
  for (const entry of await fs.readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const full = path.join(entry.parentPath, entry.name);
    files[path.relative(dir, full).split(path.sep).join('/')] = await fs.readFile(full);
  }
  return files;
}

/** `files` as an import archive of `kind`, each under `top/`. */
export async function projectArchive(files: Readonly<Record<string, Buffer | string>>, kind: ImportArchive['kind'], top: string): Promise<ImportArchive> {
  const entries = Object.entries(files).map(([name, content]) => [`${top}/${name}`, typeof content === 'string' ? Buffer.from(content) : content] as const);
  if (kind === 'zip') {
    const zip = zipSync(Object.fromEntries(entries) as Zippable, { level: 6 });
    return { kind, base64: Buffer.from(zip).toString('base64') };
  }
  const tar = pack();
  for (const [name, content] of entries) tar.entry({ name, mode: 0o644 }, content);
  tar.finalize();
  return { kind, base64: gzipSync(await buffer(tar)).toString('base64') };
}
