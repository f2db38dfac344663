/**
 * Bringing a project in as a new workspace: a `.zip`, a `.tar.gz` or the files
 * of a folder the browser picked, read within bounds and filtered by
 * {@link planImport}, then handed to the store, which creates the workspace
 * all at once or not at all.
 *
 * Reading is bounded three ways, so a zip bomb costs little: the archive's own
 * size (maxImportArchiveBytes); everything it expands to, skipped entries
 * included (maxImportExpandedBytes: gunzip and inflate stop there); and what is
 * kept, against the workspace limits as it is read (maxFilesPerWorkspace,
 * maxWorkspaceBytes, and maxFileBytes per file: a file that declares more is
 * skipped unread, one that expands past what it declared fails the import).
 * Zips are read with fflate: their entry list from the central directory
 * first, then their data in small slices, so inflating stops within one slice
 * of a limit.
 */
import { Unzip, UnzipInflate, unzipSync } from 'fflate';
import { Readable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { extract, type Header } from 'tar-stream';
import type { ImportArchiveKind, ImportFile, ImportSkipped, ParamsOf, ResultOf } from '../../protocol/messages.ts';
import { importZipSliceBytes, maxFileBytes, maxFilesPerWorkspace, maxImportArchiveBytes, maxImportExpandedBytes, maxWorkspaceBytes } from '../config.ts';
import { limitText } from '../../protocol/workspaceLimits.ts';
import { ErrorCode, StudioError } from '../errors.ts';
import { createSkipReport, planImport, type ArchiveEntry, type ImportPlan } from './importPolicy.ts';
import type { NewFile } from './newWorkspace.ts';
import { decodeText } from './textFile.ts';
import type { WorkspaceStore } from './workspaceStore.ts';

/** What an import will write, and what it left out. */
export interface ImportedProject {
  readonly files: NewFile[];
  readonly skipped: ImportSkipped[];
}

/** Receives one kept file's expanded bytes, then its end. */
interface FileReader {
  push(chunk: Uint8Array): void;
  end(): void;
}

function limit(message: string, cause?: unknown): StudioError {
  return new StudioError(ErrorCode.Limit, message, cause === undefined ? {} : { cause });
}

function unreadable(kind: string, cause: unknown): StudioError {
  if (cause instanceof StudioError) return cause;
  return new StudioError(ErrorCode.BadFile, `The upload could not be read as a ${kind} archive (damaged, cut short or another format): make it again and retry.`, { cause });
}

function expandedTooFar(cause?: unknown): StudioError {
  return limit(
    `The archive expands to more than ${limitText(maxImportExpandedBytes)} (skipped folders such as node_modules count too): leave dependencies and build output out of it.`,
    cause,
  );
}

function checkArchiveSize(bytes: number): void {
  if (bytes > maxImportArchiveBytes) {
    throw limit(`The archive is ${bytes} bytes, over the ${limitText(maxImportArchiveBytes)} limit of an import: leave dependencies and build output out of it.`);
  }
}

/** Applies the plan to entries as they are read, and holds what is kept to the workspace limits. */
class Collector {
  readonly #plan: ImportPlan;
  readonly #report = createSkipReport();
  readonly #files: NewFile[] = [];
  readonly #paths = new Set<string>();
  #keptBytes = 0;
  #expandedBytes = 0;
  #unfinished = 0;

  constructor(entries: readonly ArchiveEntry[]) {
    this.#plan = planImport(entries);
  }

  /** Where to keep `entry`, or undefined when it is skipped (and reported). */
  admit(entry: ArchiveEntry, declaredBytes: number | undefined): string | undefined {
    const decision = this.#plan.decide(entry);
    if ('folder' in decision) return undefined;
    if ('skip' in decision) {
      this.#report.add(decision.group, decision.skip, entry.kind === 'dir' ? 0 : 1);
      return undefined;
    }
    const path = decision.keep;
    if (this.#paths.has(path)) return this.#skip(path, 'duplicate');
    if (declaredBytes !== undefined && declaredBytes > maxFileBytes) return this.#skip(path, 'too-large');
    if (this.#paths.size >= maxFilesPerWorkspace) {
      throw limit(`The project has more than ${maxFilesPerWorkspace} files to import, and a workspace holds at most ${maxFilesPerWorkspace} files and folders: import a smaller project.`);
    }
    this.#paths.add(path);
    return path;
  }

  /** Takes the expanded bytes of a file `admit` kept; `declaredBytes` is what the archive said it holds. */
  reader(path: string, declaredBytes: number | undefined): FileReader {
    const chunks: Uint8Array[] = [];
    let size = 0;
    let tooLarge = false;
    this.#unfinished += 1;
    return {
      push: (chunk) => {
        this.#expandedBytes += chunk.byteLength;
        if (this.#expandedBytes > maxImportExpandedBytes) throw expandedTooFar();
        if (tooLarge) return;
        size += chunk.byteLength;
        if (declaredBytes !== undefined && size > declaredBytes) {
          throw limit(`"${path}" in the archive declares ${declaredBytes} bytes but expands to more: the archive is damaged or crafted.`);
        }
        if (size > maxFileBytes) {
          tooLarge = true;
          this.#keptBytes -= size - chunk.byteLength;
          chunks.length = 0;
          return;
        }
        this.#keptBytes += chunk.byteLength;
        if (this.#keptBytes > maxWorkspaceBytes) {
          throw limit(`The project's files add up to more than ${limitText(maxWorkspaceBytes)}, the most a workspace holds: import a smaller project.`);
        }
        chunks.push(chunk);
      },
      end: () => {
        this.#unfinished -= 1;
        const content = Buffer.concat(chunks);
        if (tooLarge) return void this.#drop(path, 'too-large', 0);
        try {
          decodeText(path, content);
        } catch (err) {
          if (err instanceof StudioError && err.code === ErrorCode.BadFile) return void this.#drop(path, 'binary', content.byteLength);
          throw err;
        }
        this.#files.push({ path, content });
      },
    };
  }

  result(kind: string): ImportedProject {
    if (this.#unfinished > 0) throw unreadable(kind, new Error(`${this.#unfinished} entries end before their data does`));
    return { files: this.#files, skipped: this.#report.list() };
  }

  #skip(path: string, reason: 'duplicate' | 'too-large'): undefined {
    this.#report.add(path, reason, 1);
    return undefined;
  }

  #drop(path: string, reason: 'binary' | 'too-large', bytes: number): void {
    this.#paths.delete(path);
    this.#keptBytes -= bytes;
    this.#report.add(path, reason, 1);
  }
}

function zipEntry(name: string): ArchiveEntry {
  return { name, kind: name.endsWith('/') || name.endsWith('\\') ? 'dir' : 'file' };
}

/** The project in a zip. Entries are listed from the central directory before any is inflated. */
export function readZip(zip: Uint8Array): ImportedProject {
  checkArchiveSize(zip.byteLength);
  const entries: ArchiveEntry[] = [];
  try {
    unzipSync(zip, {
      filter: (file) => {
        entries.push(zipEntry(file.name));
        return false;
      },
    });
  } catch (cause) {
    throw unreadable('zip', cause);
  }
  const collector = new Collector(entries);
  let failure: unknown;
  const unzipper = new Unzip((file) => {
    if (failure !== undefined) return;
    try {
      const path = collector.admit(zipEntry(file.name), file.originalSize);
      if (path === undefined) return;
      const reader = collector.reader(path, file.originalSize);
      file.ondata = (err, data, final) => {
        if (failure !== undefined) return;
        try {
          if (err !== null) throw unreadable('zip', err);
          reader.push(data);
          if (final) reader.end();
        } catch (caught) {
          failure = caught;
        }
      };
      file.start();
    } catch (caught) {
      failure = caught;
    }
  });
  unzipper.register(UnzipInflate);
  try {
    for (let offset = 0; offset < zip.byteLength && failure === undefined; offset += importZipSliceBytes) {
      const end = Math.min(offset + importZipSliceBytes, zip.byteLength);
      unzipper.push(zip.subarray(offset, end), end === zip.byteLength);
    }
  } catch (cause) {
    failure ??= unreadable('zip', cause);
  }
  if (failure !== undefined) throw failure;
  return collector.result('zip');
}

function tarEntry(header: Header): ArchiveEntry {
  switch (header.type ?? 'file') {
    case 'file':
    case 'contiguous-file':
      return { name: header.name, kind: 'file' };
    case 'directory':
      return { name: header.name, kind: 'dir' };
    case 'symlink':
    case 'link':
      return { name: header.name, kind: 'link' };
    default:
      return { name: header.name, kind: 'other' };
  }
}

async function eachTarEntry(tar: Buffer, visit: (header: Header, data: AsyncIterable<unknown> & { resume(): void }) => Promise<void>): Promise<void> {
  const extractor = extract();
  Readable.from([tar]).pipe(extractor);
  try {
    for await (const entry of extractor) await visit(entry.header, entry);
  } catch (cause) {
    throw unreadable('tar.gz', cause);
  }
}

/** The project in a gzipped tar; gunzip stops at maxImportExpandedBytes. */
export async function readTarGz(archive: Uint8Array): Promise<ImportedProject> {
  checkArchiveSize(archive.byteLength);
  let tar: Buffer;
  try {
    tar = gunzipSync(archive, { maxOutputLength: maxImportExpandedBytes });
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw expandedTooFar(cause);
    throw unreadable('tar.gz', cause);
  }
  const entries: ArchiveEntry[] = [];
  await eachTarEntry(tar, async (header, data) => {
    entries.push(tarEntry(header));
    data.resume();
  });
  const collector = new Collector(entries);
  await eachTarEntry(tar, async (header, data) => {
    const path = collector.admit(tarEntry(header), header.size);
    if (path === undefined) return void data.resume();
    const reader = collector.reader(path, header.size);
    for await (const chunk of data) reader.push(chunk as Buffer);
    reader.end();
  });
  return collector.result('tar.gz');
}

/** The files of a picked folder, as the browser read them. */
export function readPickedFiles(files: readonly { readonly path: string; readonly content: Uint8Array }[]): ImportedProject {
  const collector = new Collector(files.map((file) => ({ name: file.path, kind: 'file' })));
  for (const file of files) {
    const path = collector.admit({ name: file.path, kind: 'file' }, file.content.byteLength);
    if (path === undefined) continue;
    const reader = collector.reader(path, file.content.byteLength);
    reader.push(file.content);
    reader.end();
  }
  return collector.result('folder');
}

function readArchive(kind: ImportArchiveKind, bytes: Uint8Array): Promise<ImportedProject> | ImportedProject {
  return kind === 'zip' ? readZip(bytes) : readTarGz(bytes);
}

function pickedContent(file: ImportFile): Uint8Array {
  return 'text' in file ? Buffer.from(file.text, 'utf8') : Buffer.from(file.base64, 'base64');
}

/** Creates workspace `name` from what was read, all or nothing; refuses a project with nothing left to import. */
async function createFromProject(store: WorkspaceStore, name: string, project: ImportedProject): Promise<ResultOf<'workspace/import'>> {
  if (project.files.length === 0) {
    throw new StudioError(ErrorCode.BadFile, 'Nothing to import: every file was skipped (see the list), or the project is empty.', { data: { skipped: project.skipped } });
  }
  await store.createFromFiles(name, project.files);
  return { workspace: name, imported: project.files.length, skipped: project.skipped };
}

/** The `workspace/import` request: reads the project and creates workspace `name` from it, all or nothing. */
export async function importWorkspace(store: WorkspaceStore, params: ParamsOf<'workspace/import'>): Promise<ResultOf<'workspace/import'>> {
  const project =
    'archive' in params
      ? await readArchive(params.archive.kind, Buffer.from(params.archive.base64, 'base64'))
      : readPickedFiles(params.files.map((file) => ({ path: file.path, content: pickedContent(file) })));
  return createFromProject(store, params.name, project);
}

/** An uploaded archive's bytes (the HTTP upload route) as new workspace `name`, all or nothing. */
export async function importArchiveBytes(store: WorkspaceStore, name: string, kind: ImportArchiveKind, bytes: Uint8Array): Promise<ResultOf<'workspace/import'>> {
  return createFromProject(store, name, await readArchive(kind, bytes));
}
