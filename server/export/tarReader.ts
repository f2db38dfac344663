/**
 * Reads the entries of a (gzipped) tar in memory, with their headers, so
 * that packages and bundles can be inspected (tests, and a deploy that wants
 * to check what it is about to install).
 */
import { Readable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { extract, type Header } from 'tar-stream';

/** One archive entry: its header as tar-stream parsed it, and its content. */
export interface TarEntry {
  readonly header: Header;
  readonly content: Buffer;
}

/** Every entry of an uncompressed tar, in archive order. */
export async function readTar(tar: Uint8Array): Promise<TarEntry[]> {
  const entries: TarEntry[] = [];
  const extractor = extract();
  Readable.from([Buffer.from(tar)]).pipe(extractor);
  for await (const entry of extractor) {
    const chunks: Buffer[] = [];
    for await (const chunk of entry) chunks.push(chunk as Buffer);
    entries.push({ header: entry.header, content: Buffer.concat(chunks) });
  }
  return entries;
}

/** Every entry of a gzipped tar, in archive order. */
export async function readTarGz(tarGz: Uint8Array): Promise<TarEntry[]> {
  return readTar(gunzipSync(tarGz));
}
