/**
 * Reading a drop, with stand-ins for the browser's FileSystemEntry objects:
 * a folder's tree is kept (its entries come in batches), and one archive
 * dropped alone is taken as an archive.
 */
import { describe, expect, it } from 'vitest';
import { readDrop } from './droppedItems.ts';

type FakeEntry = FileSystemEntry;

function fileEntry(fullPath: string, text: string): FakeEntry {
  const name = fullPath.split('/').pop() ?? '';
  const file = new File([text], name);
  return { isFile: true, isDirectory: false, name, fullPath, file: (ok: (f: File) => void) => ok(file) } as unknown as FakeEntry;
}

function dirEntry(fullPath: string, children: FakeEntry[], batchSize = 2): FakeEntry {
  const name = fullPath.split('/').pop() ?? '';
  return {
    isFile: false,
    isDirectory: true,
    name,
    fullPath,
    createReader: () => {
      let at = 0;
      return {
        readEntries: (ok: (batch: FakeEntry[]) => void) => {
          const batch = children.slice(at, at + batchSize);
          at += batch.length;
          setTimeout(() => ok(batch), 0);
        },
      };
    },
  } as unknown as FakeEntry;
}

function dataTransfer(items: { entry: FakeEntry | null; file: File | null }[]): DataTransfer {
  return { items: items.map((item) => ({ kind: 'file', webkitGetAsEntry: () => item.entry, getAsFile: () => item.file })) } as unknown as DataTransfer;
}

describe('readDrop', () => {
  it('keeps a dropped folder’s tree, reading every batch of entries', async () => {
    const folder = dirEntry('/notes', [
      fileEntry('/notes/package.json', '{}'),
      dirEntry('/notes/src', [fileEntry('/notes/src/a.ts', 'a'), fileEntry('/notes/src/b.ts', 'b'), fileEntry('/notes/src/c.ts', 'c')]),
      fileEntry('/notes/README.md', '# notes'),
    ]);
    const dropped = await readDrop(dataTransfer([{ entry: folder, file: null }]));
    expect(dropped && 'files' in dropped ? { name: dropped.name, paths: dropped.files.map((f) => f.path) } : dropped).toEqual({
      name: 'notes',
      paths: ['notes/package.json', 'notes/src/a.ts', 'notes/src/b.ts', 'notes/src/c.ts', 'notes/README.md'],
    });
  });

  it('takes one dropped .zip or .tar.gz as an archive, and several files as a project', async () => {
    const zip = new File(['PK'], 'notes-main.zip');
    expect(await readDrop(dataTransfer([{ entry: fileEntry('/notes-main.zip', 'PK'), file: zip }]))).toEqual({ archive: zip });
    const two = await readDrop(dataTransfer([
      { entry: fileEntry('/package.json', '{}'), file: new File(['{}'], 'package.json') },
      { entry: fileEntry('/index.js', ''), file: new File([''], 'index.js') },
    ]));
    expect(two && 'files' in two ? two.files.map((f) => f.path) : two).toEqual(['package.json', 'index.js']);
  });

  it('finds nothing in a drop of no files', async () => {
    expect(await readDrop(dataTransfer([]))).toBeUndefined();
  });
});
