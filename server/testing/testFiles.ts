/**
 * Reads a workspace's `tests/*.invokes.json` files and validates each against
 * protocol/invokeTests.ts. A file that is not valid comes back with an error
 * naming the file and the field, so one bad file does not hide the others.
 * Workspace files are untrusted: plain files only, links not followed, size capped.
 */
import { constants, promises as fs } from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import { InvokeTestFile, invokeTestSuffix, invokeTestsDir } from '../../protocol/invokeTests.ts';

/** A test file larger than this is refused rather than read. */
export const maxTestFileBytes = 5 * 1024 * 1024;

export type LoadedTestFile = { file: string; test: InvokeTestFile } | { file: string; error: string };

/** Zod's issues as "field: message" lines, e.g. `invokes[2].expect.error: …`. */
function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 10)
    .map((issue) => {
      const field = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '');
      return `${field || '(file)'}: ${issue.message}`;
    })
    .join('; ');
}

/** Parses one test file's text; errors name `file` and the field. */
export function parseTestFile(file: string, text: string): LoadedTestFile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return { file, error: `${file} is not valid JSON: ${err instanceof Error ? err.message : String(err)}` };
  }
  const parsed = InvokeTestFile.safeParse(json);
  return parsed.success ? { file, test: parsed.data } : { file, error: `${file} is not a valid test file: ${describeIssues(parsed.error)}` };
}

async function readPlainFile(full: string): Promise<string> {
  const handle = await fs.open(full, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw new Error('not a plain file');
    if (stat.size > maxTestFileBytes) throw new Error(`larger than ${maxTestFileBytes} bytes`);
    return await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
}

/** Every test file of the workspace, by name (as `tests/<name>.invokes.json`), valid or not. */
export async function loadTestFiles(workspaceDir: string): Promise<LoadedTestFile[]> {
  const dir = path.join(workspaceDir, invokeTestsDir);
  const stat = await fs.lstat(dir).catch(() => undefined);
  if (!stat?.isDirectory()) return [];
  const names = (await fs.readdir(dir)).filter((n) => n.endsWith(invokeTestSuffix)).sort();
  const loaded: LoadedTestFile[] = [];
  for (const name of names) {
    const file = `${invokeTestsDir}/${name}`;
    try {
      loaded.push(parseTestFile(file, await readPlainFile(path.join(dir, name))));
    } catch (err) {
      loaded.push({ file, error: `${file} cannot be read: ${err instanceof Error ? err.message : String(err)}` });
    }
  }
  return loaded;
}

/** A test file's text as `tests/save` writes it: stable, two-space JSON. */
export function formatTestFile(test: InvokeTestFile): string {
  return `${JSON.stringify(test, null, 2)}\n`;
}
