/**
 * Bringing your own chaincode project through the New workspace dialog: a
 * folder picked as a developer has it (with node_modules, dist/ and a .env to
 * leave out) and a GitHub-style zip are imported, told what was left out,
 * named, Run and invoked; imports over a limit name the limit beside the field;
 * an empty project is created in the language chosen; the workspace's sources
 * download as a zip.
 */
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { strFromU8, unzipSync, zipSync, type Zippable } from 'fflate';
import type { Locator, Page } from '@playwright/test';
import { maxFilesPerWorkspace, maxWorkspaceBytes } from '../protocol/workspaceLimits.ts';
import { projectRoot } from './config.ts';
import { expect, test } from './fixtures.ts';
import { invoke, openIde, runAndWaitReady, screenshot, settledResult } from './idePage.ts';

const fixture = path.join(projectRoot, 'tests', 'fixtures', 'notes-ts');

/** Every file under `dir`, by its '/'-separated path. */
function filesUnder(dir: string, prefix = ''): Zippable {
  const files: Zippable = {};
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const rel = `${prefix}${entry.name}`;
    if (entry.isDirectory()) Object.assign(files, filesUnder(path.join(dir, entry.name), `${rel}/`));
    else files[rel] = new Uint8Array(readFileSync(path.join(dir, entry.name)));
  }
  return files;
}

/** The fixture as a developer's folder: with installed dependencies, a build and secrets beside the sources. */
function developerFolder(parent: string): string {
  const folder = path.join(parent, 'ledger-notes');
  cpSync(fixture, folder, { recursive: true });
  for (const pkg of ['fabric-contract-api', 'left-pad']) {
    mkdirSync(path.join(folder, 'node_modules', pkg), { recursive: true });
    writeFileSync(path.join(folder, 'node_modules', pkg, 'index.js'), 'module.exports = {};\n');
    writeFileSync(path.join(folder, 'node_modules', pkg, 'package.json'), `{"name":"${pkg}"}\n`);
  }
  mkdirSync(path.join(folder, 'dist'));
  writeFileSync(path.join(folder, 'dist', 'index.js'), '"use strict";\n');
  writeFileSync(path.join(folder, '.env'), 'API_KEY=secret\n');
  return folder;
}

async function openImport(page: Page): Promise<Locator> {
  await page.getByTestId('workspace-new').click();
  const dialog = page.getByTestId('create-workspace-dialog');
  await expect(dialog).toBeVisible();
  await dialog.getByTestId('create-mode-import').check();
  return dialog;
}

/** Adds a note, reads it back, and checks the result card shows it. */
async function addAndReadNote(page: Page, id: string): Promise<void> {
  const added = await settledResult(await invoke(page, 'submit', 'AddNote', { id, text: `hello from ${id}` }));
  await expect(added).toHaveAttribute('data-state', 'ok');
  await expect(added.getByTestId('result-validation')).toHaveText('VALID');
  const read = await settledResult(await invoke(page, 'evaluate', 'ReadNote', { id }));
  await expect(read).toHaveAttribute('data-state', 'ok');
  await expect(read.getByTestId('result-value')).toContainText(`"text": "hello from ${id}"`);
}

test.describe.serial('bring your own chaincode project', () => {
  let page: Page;
  let work: string;

  test.beforeAll(async ({ browser }) => {
    page = await browser.newPage({ acceptDownloads: true });
    work = mkdtempSync(path.join(os.tmpdir(), 'studio-e2e-import-'));
  });
  test.afterAll(async () => {
    await page.close();
    rmSync(work, { recursive: true, force: true });
  });

  test('a picked folder is imported without node_modules, dist/ and .env, and says so; the chaincode name is set before Run', async ({ studio }) => {
    await openIde(page, studio);
    const dialog = await openImport(page);
    await dialog.getByTestId('import-folder-input').setInputFiles(developerFolder(path.join(work, 'picked')));
    await expect(dialog.getByTestId('import-source')).toContainText('ledger-notes/');
    await expect(dialog.getByTestId('import-source')).toContainText('node_modules/');
    await expect(dialog.getByTestId('workspace-name-input')).toHaveValue('ledger-notes');
    await dialog.getByTestId('create-workspace-submit').click();

    await expect(dialog).toHaveAttribute('data-step', 'imported');
    await expect(dialog.getByTestId('import-summary')).toContainText('6 files imported');
    const skipped = dialog.getByTestId('import-skipped-item');
    await expect(skipped.and(page.locator('[data-path="node_modules/"]'))).toHaveAttribute('data-reason', 'dependencies');
    await expect(skipped.and(page.locator('[data-path="node_modules/"]'))).toContainText('4 files');
    await expect(skipped.and(page.locator('[data-path="dist/"]'))).toHaveAttribute('data-reason', 'build-output');
    await expect(skipped.and(page.locator('[data-path=".env"]'))).toHaveAttribute('data-reason', 'secret');

    const nameInput = dialog.getByTestId('chaincode-name-input');
    await expect(nameInput).toHaveValue('ledger-notes');
    await expect(dialog.getByTestId('chaincode-name-hint')).toContainText('From package.json');
    for (const bad of ['ledger notes', '-notes', 'notes--v2']) {
      await nameInput.fill(bad);
      await expect(dialog.getByTestId('chaincode-name-hint')).toHaveClass(/error/);
      await expect(dialog.getByTestId('chaincode-name-save')).toBeDisabled();
    }
    await nameInput.fill('notes');
    await dialog.getByTestId('chaincode-name-save').click();
    await expect(dialog.getByTestId('chaincode-name-hint')).toContainText('Set in studio.json');
    await screenshot(page, '10-import-folder');
    await dialog.getByTestId('import-done').click();
    await expect(dialog).toHaveCount(0);

    await expect(page.getByTestId('workspace-select')).toHaveValue('ledger-notes');
    await expect(page.locator('[data-testid="file-tree-item"][data-path="src"]')).toBeVisible();
    await expect(page.locator('[data-testid="file-tree-item"][data-path="node_modules"]')).toHaveCount(0);
    await expect(page.getByTestId('project-bar').getByTestId('chaincode-name-input')).toHaveValue('notes');
  });

  test('the imported folder runs, and a transaction answers', async () => {
    await runAndWaitReady(page);
    await addAndReadNote(page, 'note-1');
    await expect(page.getByTestId('project-bar').getByTestId('chaincode-name-hint')).not.toContainText('Running as');
  });

  test('Download workspace (.zip) gives its sources, the chaincode name with them', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('workspace-download-zip').click()]);
    expect(download.suggestedFilename()).toBe('ledger-notes.zip');
    const target = path.join(work, 'ledger-notes.zip');
    await download.saveAs(target);
    const entries = unzipSync(new Uint8Array(readFileSync(target)));
    expect(Object.keys(entries).sort()).toEqual(['README.md', 'package.json', 'src/index.ts', 'src/note.ts', 'src/notesContract.ts', 'studio.json', 'tsconfig.json']);
    expect(JSON.parse(strFromU8(entries['studio.json'] ?? new Uint8Array()))).toMatchObject({ chaincodeName: 'notes' });
  });

  test('a GitHub-style zip is imported without its wrapper folder, runs and answers', async () => {
    const zipPath = path.join(work, 'ledger-notes-main.zip');
    const wrapped: Zippable = {};
    for (const [rel, bytes] of Object.entries(filesUnder(developerFolder(path.join(work, 'zipped'))))) wrapped[`ledger-notes-main/${rel}`] = bytes;
    writeFileSync(zipPath, zipSync(wrapped));

    const dialog = await openImport(page);
    await dialog.getByTestId('import-archive-input').setInputFiles(zipPath);
    await expect(dialog.getByTestId('workspace-name-input')).toHaveValue('ledger-notes-main');
    await dialog.getByTestId('workspace-name-input').fill('notes-zip');
    await dialog.getByTestId('create-workspace-submit').click();
    await expect(dialog).toHaveAttribute('data-step', 'imported');
    await expect(dialog.getByTestId('import-summary')).toContainText('6 files imported');
    await expect(dialog.getByTestId('import-skipped-item').and(page.locator('[data-path="node_modules/"]'))).toHaveAttribute('data-reason', 'dependencies');
    await dialog.getByTestId('import-done').click();

    await expect(page.getByTestId('workspace-select')).toHaveValue('notes-zip');
    await expect(page.getByTestId('project-bar').getByTestId('chaincode-name-input')).toHaveValue('ledger-notes');
    await runAndWaitReady(page);
    await addAndReadNote(page, 'note-zip');
  });

  test('an archive dropped on the dialog is imported the same way', async () => {
    const zip = zipSync(filesUnder(fixture));
    const dialog = await openImport(page);
    const dataTransfer = await page.evaluateHandle((bytes) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([new Uint8Array(bytes)], 'Dropped Notes.zip', { type: 'application/zip' }));
      return transfer;
    }, Array.from(zip));
    await dialog.getByTestId('import-drop-zone').dispatchEvent('drop', { dataTransfer });
    await expect(dialog.getByTestId('import-source')).toContainText('Dropped Notes.zip');
    await expect(dialog.getByTestId('workspace-name-input')).toHaveValue('dropped-notes');
    await dialog.getByTestId('create-workspace-submit').click();
    await expect(dialog).toHaveAttribute('data-step', 'imported');
    await expect(dialog.getByTestId('import-summary')).toContainText('6 files imported into the workspace dropped-notes');
    await expect(dialog.getByTestId('import-skipped')).toHaveCount(0);
    await dialog.getByTestId('import-done').click();
    await expect(page.getByTestId('workspace-select')).toHaveValue('dropped-notes');
  });

  test('imports over a limit name the limit beside the field, and create nothing', async () => {
    const dialog = await openImport(page);

    // Too large to upload: refused before anything is sent.
    const huge = path.join(work, 'huge.zip');
    writeFileSync(huge, Buffer.alloc(maxWorkspaceBytes + 1024 * 1024, 1));
    await dialog.getByTestId('import-archive-input').setInputFiles(huge);
    await expect(dialog.getByTestId('import-error')).toContainText(`at most 20 MB (${maxWorkspaceBytes} bytes)`);
    await expect(dialog.getByTestId('create-workspace-submit')).toBeDisabled();

    // Too many files: the server's count, named.
    const many = path.join(work, 'many-files');
    mkdirSync(path.join(many, 'src'), { recursive: true });
    writeFileSync(path.join(many, 'package.json'), '{"name":"many"}\n');
    for (let i = 0; i < maxFilesPerWorkspace; i++) writeFileSync(path.join(many, 'src', `f${i}.ts`), 'export {};\n');
    await dialog.getByTestId('import-folder-input').setInputFiles(many);
    await expect(dialog.getByTestId('import-error')).toHaveCount(0);
    await dialog.getByTestId('create-workspace-submit').click();
    await expect(dialog.getByTestId('import-error')).toContainText(`at most ${maxFilesPerWorkspace} files`);
    await expect(dialog.getByTestId('import-error')).toContainText('(limit)');

    // Too many bytes once expanded (the zip itself is small): the workspace size, named.
    const big = path.join(work, 'big-files');
    mkdirSync(big);
    const line = 'a line of text that compresses well\n';
    const perFile = line.repeat(Math.floor(1_000_000 / line.length));
    for (let i = 0; i * perFile.length <= maxWorkspaceBytes; i++) writeFileSync(path.join(big, `part${i}.txt`), perFile);
    await dialog.getByTestId('import-folder-input').setInputFiles(big);
    await dialog.getByTestId('create-workspace-submit').click();
    await expect(dialog.getByTestId('import-error')).toContainText(`more than 20 MB (${maxWorkspaceBytes} bytes)`);
    await screenshot(page, '11-import-limit');

    await dialog.getByRole('button', { name: 'Cancel' }).click();
    const options = await page.getByTestId('workspace-select').locator('option').allTextContents();
    expect(options.some((o) => /many-files|big-files|huge/.test(o))).toBe(false);
  });

  /** New → Empty project → language → name → Create; waits until the workspace is open. */
  async function createEmpty(name: string, language: 'typescript' | 'javascript'): Promise<void> {
    await page.getByTestId('workspace-new').click();
    const dialog = page.getByTestId('create-workspace-dialog');
    await dialog.getByTestId('create-mode-empty').check();
    await dialog.getByTestId('create-language-select').selectOption(language);
    await dialog.getByTestId('workspace-name-input').fill(name);
    await dialog.getByTestId('create-workspace-submit').click();
    await expect(dialog).toHaveCount(0);
    await expect(page.getByTestId('workspace-select')).toHaveValue(name);
    await expect(page.getByTestId('project-bar').getByTestId('chaincode-name-input')).toHaveValue(name);
    await expect(page.getByTestId('project-bar').getByTestId('chaincode-name-hint')).toContainText('From package.json');
  }

  test('an empty JavaScript project has a package.json, an index.js and a contract', async () => {
    await createEmpty('fresh-js', 'javascript');
    for (const file of ['package.json', 'index.js', 'lib']) await expect(page.locator(`[data-testid="file-tree-item"][data-path="${file}"]`)).toBeVisible();
    await expect(page.locator('[data-testid="file-tree-item"][data-path="tsconfig.json"]')).toHaveCount(0);
  });

  test('an empty TypeScript project runs as it is, and its Put and Get answer', async () => {
    await createEmpty('fresh-ts', 'typescript');
    for (const file of ['package.json', 'tsconfig.json', 'src']) await expect(page.locator(`[data-testid="file-tree-item"][data-path="${file}"]`)).toBeVisible();
    await runAndWaitReady(page);
    const put = await settledResult(await invoke(page, 'submit', 'Put', { key: 'greeting', value: 'hello' }));
    await expect(put).toHaveAttribute('data-state', 'ok');
    const get = await settledResult(await invoke(page, 'evaluate', 'Get', { key: 'greeting' }));
    await expect(get).toHaveAttribute('data-state', 'ok');
    await expect(get.getByTestId('result-value')).toContainText('hello');
  });
});
