/**
 * "A tool for every day", through the UI on a real server and sandbox: the
 * file tree, Problems, the call stack and the history answer the keyboard;
 * quick open (Ctrl+P) and search across files (Ctrl+Shift+F); a light theme
 * that follows the system, editor included; the invoke history survives a
 * reload; and no serious or critical accessibility violation (axe-core) on
 * the main views: empty, editing, running, paused, export.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { BrowserContext, Page } from '@playwright/test';
import { seriousViolations } from './accessibility.ts';
import { chaincodeRestartTimeoutMs, exportTimeoutMs, invokeTimeoutMs } from './config.ts';
import { expect, test } from './fixtures.ts';
import {
  clickGutter,
  createWorkspaceFromSample,
  cursorLine,
  editor,
  invoke,
  openFile,
  openIde,
  placeCursorAfter,
  runAndWaitReady,
  screenshot,
  settledResult,
} from './idePage.ts';

const workspace = 'asset-daily';
const contractFile = 'src/assetTransferContract.ts';

test.describe.serial('a tool for every day', () => {
  let context: BrowserContext;
  let page: Page;

  // axe-core runs in a page of a context of our own (it refuses browser.newPage()).
  test.beforeAll(async ({ browser }) => {
    context = await browser.newContext();
    page = await context.newPage();
  });
  test.afterAll(async () => {
    await context.close();
  });

  const saved = (dataDir: string, file = contractFile): string => readFileSync(path.join(dataDir, 'workspaces', workspace, file), 'utf8');
  const treeItem = (p: string) => page.locator(`[data-testid="file-tree-item"][data-path="${p}"]`);
  const focusedPath = () => page.evaluate(() => document.activeElement?.getAttribute('data-path') ?? null);
  /** Checks the page in the dark and the light scheme; `name` says which view failed. */
  const expectAccessible = async (name: string, schemes: ('dark' | 'light')[] = ['dark']): Promise<void> => {
    for (const colorScheme of schemes) {
      await page.emulateMedia({ colorScheme });
      // Soft: every view is checked in one run, and the test still fails at its end.
      expect.soft(await seriousViolations(page), `${name} view, ${colorScheme} theme`).toEqual([]);
    }
    await page.emulateMedia({ colorScheme: 'dark' });
  };

  test('the empty IDE has no serious accessibility violation, dark or light', async ({ studio }) => {
    await openIde(page, studio);
    await expectAccessible('empty', ['dark', 'light']);
  });

  test('the file tree answers the keyboard: arrows, Enter, F2 rename', async () => {
    await createWorkspaceFromSample(page, workspace, /TypeScript/);
    const tree = page.getByRole('tree');
    await expect(tree).toBeVisible();
    // The tree is one tab stop; its first row takes the focus.
    await page.getByRole('treeitem').first().focus();
    expect(await focusedPath()).toBe('src');
    await expect(treeItem('src')).toHaveAttribute('aria-expanded', 'true');
    for (let i = 0; i < 10 && (await focusedPath()) !== contractFile; i++) await page.keyboard.press('ArrowDown');
    expect(await focusedPath()).toBe(contractFile);
    await page.keyboard.press('Enter');
    await expect(editor(page)).toHaveAttribute('data-path', contractFile);

    await treeItem(contractFile).focus();
    await page.keyboard.press('ArrowLeft');
    expect(await focusedPath()).toBe('src');
    await page.keyboard.press('ArrowLeft');
    await expect(treeItem('src')).toHaveAttribute('aria-expanded', 'false');
    await expect(treeItem(contractFile)).toHaveCount(0);
    await page.keyboard.press('ArrowRight');
    await expect(treeItem(contractFile)).toBeVisible();

    // A new file goes into the folder the keyboard left selected.
    await page.getByTestId('new-file').click();
    await page.getByTestId('file-tree-input').fill('notes.md');
    await page.keyboard.press('Enter');
    await expect(treeItem('src/notes.md')).toBeVisible();
    // The new file opens in the editor, which takes the focus: back to the tree only after that.
    await expect(editor(page)).toHaveAttribute('data-path', 'src/notes.md');
    await expect.poll(() => page.evaluate(() => document.activeElement?.closest('[data-testid="editor"]') != null)).toBe(true);
    await treeItem('src/notes.md').focus();
    await page.keyboard.press('F2');
    const input = page.getByTestId('file-tree-input');
    await expect(input).toBeFocused();
    await input.fill('daily-notes.md');
    await page.keyboard.press('Enter');
    await expect(treeItem('src/daily-notes.md')).toBeVisible();
    await expect(treeItem('src/notes.md')).toHaveCount(0);
    await expectAccessible('editing', ['dark', 'light']);
  });

  test('Ctrl+P opens a file by part of its name, Ctrl+Shift+F finds text in every file', async ({ studio }) => {
    await editor(page).click();
    await page.keyboard.press('Control+P');
    const quick = page.getByTestId('quick-open');
    await expect(quick).toBeVisible();
    await page.keyboard.type('asset.ts');
    await expect(page.getByTestId('quick-open-item').first()).toHaveAttribute('aria-label', 'src/asset.ts');
    await page.keyboard.press('Enter');
    await expect(quick).toHaveCount(0);
    await expect(editor(page)).toHaveAttribute('data-path', 'src/asset.ts');

    await page.keyboard.press('Control+Shift+F');
    const search = page.getByTestId('search-files');
    await expect(search).toBeVisible();
    await page.keyboard.type('owned by');
    await expect(page.getByTestId('search-files-item')).toHaveCount(1);
    await expect(page.getByTestId('search-files-status')).toContainText('1 lines in 1 file');
    await screenshot(page, '12-search-in-files');
    await expectAccessible('search');
    await page.keyboard.press('Enter');
    await expect(search).toHaveCount(0);
    await expect(editor(page)).toHaveAttribute('data-path', contractFile);
    const expectedLine = saved(studio.dataDir).split('\n').findIndex((l) => l.includes('owned by')) + 1;
    await expect.poll(() => cursorLine(page)).toBe(expectedLine);
  });

  test('a light theme follows the system, the editor included', async () => {
    await page.emulateMedia({ colorScheme: 'light' });
    await expect(page.locator('body')).toHaveCSS('background-color', 'rgb(248, 248, 248)');
    await expect(editor(page).locator('.monaco-editor').first()).toHaveCSS('background-color', 'rgb(255, 255, 255)');
    await screenshot(page, '13-light-theme');
    await page.emulateMedia({ colorScheme: 'dark' });
    await expect(page.locator('body')).toHaveCSS('background-color', 'rgb(31, 31, 31)');
    await expect(editor(page).locator('.monaco-editor').first()).toHaveCSS('background-color', 'rgb(30, 30, 30)');
  });

  test('running: Problems answer the keyboard, and the invoke history is kept across a reload', async ({ studio }) => {
    await page.getByTestId('restart-on-save').check();
    await runAndWaitReady(page);
    await page.getByTestId('panel-tab-logs').click();
    await expectAccessible('running', ['dark', 'light']);

    const card = await settledResult(await invoke(page, 'submit', 'CreateAsset', { id: 'daily-1', color: 'teal', size: '3', owner: 'Dana', appraisedValue: '40' }));
    await expect(card).toHaveAttribute('data-state', 'ok');
    await settledResult(await invoke(page, 'evaluate', 'ReadAsset', { id: 'daily-1' }));
    await page.reload();
    await openIde(page, studio, workspace);
    await page.getByTestId('side-tab-transaction').click();
    const history = page.getByTestId('tx-history-item');
    await expect(history).toHaveCount(2);
    await expect(history.nth(0)).toContainText('ReadAsset(daily-1)');
    await expect(history.nth(1)).toContainText('CreateAsset(daily-1');
    await history.nth(1).getByTestId('tx-history-open').focus();
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('tx-function-select')).toHaveValue('CreateAsset');
    await expect(page.getByTestId('tx-param-owner')).toHaveValue('Dana');

    await openFile(page, contractFile);
    await placeCursorAfter(page, saved(studio.dataDir), 'const json = sortedJson(asset);');
    await page.keyboard.press('Enter');
    await page.keyboard.insertText('const wrong: number = id;');
    await page.keyboard.press('Control+S');
    await page.getByTestId('panel-tab-problems').click();
    const problem = page.locator('[data-testid="problem-item"][data-severity="error"]', { hasText: /not assignable to type 'number'/ });
    await expect(problem).toHaveCount(1, { timeout: chaincodeRestartTimeoutMs });
    const line = Number(await problem.getAttribute('data-line'));
    await page.getByRole('listbox', { name: 'Problems' }).getByRole('option').first().focus();
    await page.keyboard.press('End');
    await expect(problem).toBeFocused();
    await page.keyboard.press('Enter');
    await expect.poll(() => cursorLine(page)).toBe(line);
    // Undo the error so the chaincode runs again.
    await page.keyboard.press('End');
    await page.keyboard.press('Shift+Home');
    await page.keyboard.press('Backspace');
    await page.keyboard.press('Backspace');
    await page.keyboard.press('Control+S');
    await expect(problem).toHaveCount(0, { timeout: chaincodeRestartTimeoutMs });
    await expect(page.getByTestId('chaincode-state')).toHaveAttribute('data-state', 'running', { timeout: chaincodeRestartTimeoutMs });
  });

  test('paused: the call stack answers the keyboard, and the view passes the check', async ({ studio }) => {
    await openFile(page, contractFile);
    const line = await placeCursorAfter(page, saved(studio.dataDir), 'const asset: Asset = { ID: id');
    await clickGutter(page, line);
    await page.getByTestId('side-tab-debug').click();
    await expect(page.getByTestId('debugger-state')).toHaveText('attached', { timeout: chaincodeRestartTimeoutMs });
    await invoke(page, 'submit', 'CreateAsset', { id: 'daily-2', color: 'red', size: '1', owner: 'Eve', appraisedValue: '5' });
    await expect(page.getByTestId('paused-banner')).toBeVisible({ timeout: invokeTimeoutMs });
    const frames = page.getByRole('listbox', { name: 'Call stack' }).getByRole('option');
    await expect(frames.first()).toHaveAttribute('aria-selected', 'true');
    expect(await frames.count()).toBeGreaterThan(1);
    await frames.first().focus();
    await page.keyboard.press('ArrowDown');
    await expect(frames.nth(1)).toBeFocused();
    await page.keyboard.press('Enter');
    await expect(frames.nth(1)).toHaveAttribute('aria-selected', 'true');
    await expectAccessible('paused', ['dark', 'light']);
    await screenshot(page, '14-paused-light-check');

    await clickGutter(page, line);
    await page.getByTestId('debug-continue').click();
    await expect(page.getByTestId('paused-banner')).toHaveCount(0, { timeout: invokeTimeoutMs });
    await page.getByTestId('side-tab-transaction').click();
    await expect(page.getByTestId('result-card')).toHaveAttribute('data-state', 'ok', { timeout: invokeTimeoutMs });
  });

  test('the export dialog passes the check, before and after an export', async () => {
    await page.getByTestId('export-button').click();
    await expect(page.getByTestId('export-dialog')).toBeVisible();
    await expectAccessible('export', ['dark', 'light']);
    await page.getByTestId('export-package').click();
    await expect(page.getByTestId('export-result')).toBeVisible({ timeout: exportTimeoutMs });
    await expectAccessible('export result', ['dark', 'light']);
  });
});
