/**
 * The debugger through the UI on a real sandbox: a gutter click sets a
 * breakpoint in CreateAsset, a submit stops on it, the paused line and the
 * transaction are shown, `id` has its value in Variables, Step Over moves
 * one line, Continue lets the transaction commit as VALID.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { chaincodeRestartTimeoutMs, invokeTimeoutMs } from './config.ts';
import { expect, test } from './fixtures.ts';
import {
  clickGutter,
  createWorkspaceFromSample,
  editor,
  invoke,
  lineNumber,
  lineTop,
  openFile,
  openIde,
  runAndWaitReady,
  screenshot,
  placeCursorAfter,
  settledResult,
} from './idePage.ts';

const workspace = 'asset-debug';
const contractFile = 'src/assetTransferContract.ts';
/** Spaces put before a statement so that its column is past the editor's right edge. */
const farIndent = 300;
/** A lower bound of one character's width in the editor's monospace font, to compare columns with pixels. */
const characterWidthPx = 6;

test.describe.serial('the debugger through the UI', () => {
  let page: Page;
  let breakpointLine = 0;

  test.beforeAll(async ({ browser }) => {
    page = await browser.newPage();
  });
  test.afterAll(async () => {
    await page.close();
  });

  /** Where the paused-line highlight is, as a line number. */
  const pausedHighlightAt = async (line: number): Promise<number> => {
    const highlight = await editor(page).locator('.paused-line').first().boundingBox();
    return highlight ? Math.round(highlight.y - (await lineTop(page, line))) : Number.NaN;
  };

  test('a gutter click sets a breakpoint the debugger verifies', async ({ studio }) => {
    await openIde(page, studio);
    await createWorkspaceFromSample(page, workspace, /TypeScript/);
    await openFile(page, contractFile);
    await runAndWaitReady(page);

    const saved = readFileSync(path.join(studio.dataDir, 'workspaces', workspace, contractFile), 'utf8');
    breakpointLine = await placeCursorAfter(page, saved, 'const asset: Asset = { ID: id');
    expect(breakpointLine).toBeGreaterThan(20);
    await clickGutter(page, breakpointLine);
    const dot = editor(page).locator('.bp-glyph');
    await expect(dot).toHaveCount(1);
    const dotBox = await dot.boundingBox();
    expect(Math.abs((dotBox?.y ?? 0) - (await lineTop(page, breakpointLine)))).toBeLessThan(2);
    // The server answers setBreakpoints with verified breakpoints once the chaincode runs under the debugger.
    await page.getByTestId('side-tab-debug').click();
    await expect(page.getByTestId('debugger-state')).toHaveText('attached');
    await expect(editor(page).locator('.bp-unverified')).toHaveCount(0);
  });

  test('a submit stops on the breakpoint with the line, the transaction and the variables shown', async () => {
    await invoke(page, 'submit', 'CreateAsset', { id: 'asset-dbg-1', color: 'green', size: '4', owner: 'Carol', appraisedValue: '99' });
    const banner = page.getByTestId('paused-banner');
    await expect(banner).toBeVisible({ timeout: invokeTimeoutMs });
    // A stop brings the Debug panel to the front.
    await expect(page.getByTestId('side-tab-debug')).toHaveAttribute('aria-selected', 'true');
    const txId = (await banner.getAttribute('data-txid')) ?? '';
    expect(txId).toMatch(/^[0-9a-f]{64}$/);
    await expect(banner).toContainText(txId.slice(0, 8));

    await expect(page.getByTestId('debugger-state')).toHaveText('paused');
    const top = page.getByTestId('stack-frame').first();
    await expect(top).toHaveAttribute('data-path', contractFile);
    await expect(top).toHaveAttribute('data-line', String(breakpointLine));
    await expect.poll(() => pausedHighlightAt(breakpointLine)).toBe(0);

    const id = page.locator('[data-testid="variable"][data-name="id"]').first();
    await expect(id.getByTestId('variable-value')).toHaveText(/asset-dbg-1/);
    const owner = page.locator('[data-testid="variable"][data-name="owner"]').first();
    await expect(owner.getByTestId('variable-value')).toHaveText(/Carol/);
    await screenshot(page, '04-paused-debugger');
    test.info().annotations.push({ type: 'paused txId', description: txId });
  });

  test('Step Over moves to the next line and Continue lets the transaction commit as VALID', async () => {
    const txId = (await page.getByTestId('paused-banner').getAttribute('data-txid')) ?? '';
    await page.getByTestId('debug-step-over').click();
    const top = page.getByTestId('stack-frame').first();
    await expect(top).toHaveAttribute('data-line', String(breakpointLine + 1));
    await expect.poll(() => pausedHighlightAt(breakpointLine + 1)).toBe(0);
    // `asset` was assigned by the line stepped over.
    await expect(page.locator('[data-testid="variable"][data-name="asset"]').first().getByTestId('variable-value')).toContainText('asset-dbg-1');

    await page.getByTestId('debug-continue').click();
    await expect(page.getByTestId('paused-banner')).toHaveCount(0);
    await expect(editor(page).locator('.paused-line')).toHaveCount(0);
    await page.getByTestId('side-tab-transaction').click();
    const card = await settledResult(page.getByTestId('result-card'));
    await expect(card).toHaveAttribute('data-state', 'ok');
    await expect(card.getByTestId('result-validation')).toHaveText('VALID');
    await expect(card.getByTestId('result-txid')).toHaveText(txId);
  });

  test('a stop on a line whose paused column is far right keeps the start of every line in view', async ({ studio }) => {
    // Indent the breakpoint's statement far past the editor's width, save and run it.
    const saved = readFileSync(path.join(studio.dataDir, 'workspaces', workspace, contractFile), 'utf8');
    await placeCursorAfter(page, saved, 'const asset: Asset = { ID: id');
    await page.keyboard.press('Home');
    await page.keyboard.type(' '.repeat(farIndent));
    await page.keyboard.press('Control+S');
    await expect
      .poll(() => readFileSync(path.join(studio.dataDir, 'workspaces', workspace, contractFile), 'utf8'), { timeout: chaincodeRestartTimeoutMs })
      .toContain(`${' '.repeat(farIndent)}const asset: Asset = { ID: id`);
    await runAndWaitReady(page);
    await page.getByTestId('side-tab-debug').click();
    await expect(page.getByTestId('debugger-state')).toHaveText('attached', { timeout: chaincodeRestartTimeoutMs });

    // The stop has to bring the contract back into the editor: another file is in front.
    await openFile(page, 'src/asset.ts');
    await invoke(page, 'submit', 'CreateAsset', { id: 'asset-dbg-2', color: 'red', size: '2', owner: 'Dave', appraisedValue: '7' });
    await expect(page.getByTestId('paused-banner')).toBeVisible({ timeout: invokeTimeoutMs });
    const top = page.getByTestId('stack-frame').first();
    await expect(top).toHaveAttribute('data-line', String(breakpointLine));
    await expect(editor(page)).toHaveAttribute('data-path', contractFile);
    const editorBox = await editor(page).locator('.monaco-scrollable-element.editor-scrollable').boundingBox();
    if (!editorBox) throw new Error('no editor');
    // The paused statement starts beyond what the editor shows at once...
    expect(farIndent * characterWidthPx).toBeGreaterThan(editorBox.width);
    await expect.poll(() => pausedHighlightAt(breakpointLine)).toBe(0);
    // ...and the editor still shows every line from its first column: no horizontal scroll.
    expect(await horizontalScrollPx()).toBe(0);
    await expect(lineNumber(page, breakpointLine)).toBeVisible();
    const lineBox = await editor(page).locator('.view-line').filter({ hasText: /\S/ }).first().boundingBox();
    expect(lineBox ? Math.round(lineBox.x - editorBox.x) : Number.NaN).toBe(0);
    await screenshot(page, '05-paused-far-right');

    await page.getByTestId('debug-continue').click();
    await expect(page.getByTestId('paused-banner')).toHaveCount(0);
  });

  /** How far the editor is scrolled sideways, from the offset Monaco gives its lines. */
  const horizontalScrollPx = async (): Promise<number> => {
    const left = await editor(page).locator('.lines-content').evaluate((el) => (el as HTMLElement).style.left);
    return Math.abs(parseFloat(left || '0'));
  };
});
