/**
 * The Logs panel as a person uses it while working, on a real sandbox: a save
 * no longer floods it with the peer's connection errors, the user's own
 * console.log lines are apart from the shim's and survive a reload, the level
 * filter leaves only errors, and "Logs of this transaction" shows one
 * transaction's lines.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { chaincodeRestartTimeoutMs, invokeTimeoutMs } from './config.ts';
import { expect, test } from './fixtures.ts';
import { createWorkspaceFromSample, invoke, openFile, openIde, placeCursorAfter, runAndWaitReady, screenshot, settledResult } from './idePage.ts';

const workspace = 'asset-logs';
const contractFile = 'src/assetTransferContract.ts';

test.describe.serial('the Logs panel', () => {
  let page: Page;

  test.beforeAll(async ({ browser }) => {
    page = await browser.newPage();
  });
  test.afterAll(async () => {
    await page.close();
  });

  const lines = (source: string, text = '') => page.locator(`[data-testid="log-line"][data-source="${source}"]`, { hasText: text });
  const showLogs = async (): Promise<void> => {
    await page.getByTestId('panel-tab-logs').click();
    await expect(page.getByTestId('log-view')).toBeVisible();
  };

  test('a save restarts the chaincode without a flood of peer errors', async ({ studio }) => {
    await openIde(page, studio);
    await createWorkspaceFromSample(page, workspace, /TypeScript/);
    await openFile(page, contractFile);
    await page.getByTestId('restart-on-save').check();
    await runAndWaitReady(page);
    await showLogs();

    const peerBefore = await lines('peer').count();
    const peerErrors = page.locator('[data-testid="log-line"][data-source="peer"][data-level="error"]');
    // The first definition of a chaincode makes the peer try to launch it once (a warning); that is not the save's.
    const refusedBefore = await lines('peer', 'connection refused').count();
    const errorsBefore = await peerErrors.count();
    const startsBefore = await lines('sandbox', 'ms after its start').count();
    const saved = readFileSync(path.join(studio.dataDir, 'workspaces', workspace, contractFile), 'utf8');
    await placeCursorAfter(page, saved, 'const json = sortedJson(asset);');
    await page.keyboard.press('Enter');
    await page.keyboard.insertText('// saved to restart');
    await page.keyboard.press('Control+S');
    await expect(lines('sandbox', 'ms after its start')).toHaveCount(startsBefore + 1, { timeout: chaincodeRestartTimeoutMs });
    await expect(page.getByTestId('chaincode-state')).toHaveAttribute('data-state', 'running');

    // Before, the readiness probe made the peer log a connection error with a stack trace (~60 lines) every 40 ms.
    await expect(lines('peer', 'connection refused')).toHaveCount(refusedBefore);
    await expect(peerErrors).toHaveCount(errorsBefore);
    expect(errorsBefore).toBe(0);
    const added = (await lines('peer').count()) - peerBefore;
    console.log(`peer log lines added by one save: ${added}`);
    expect(added).toBeLessThan(50);
    // The runtime's own lines are tagged shim, not chaincode.
    await expect(lines('shim', 'Debugger listening').first()).toBeAttached();
    await expect(lines('chaincode', 'Debugger listening')).toHaveCount(0);
    await expect(lines('chaincode', '[c-api:')).toHaveCount(0);
  });

  test("the user's console.log lines stay apart from the shim's, and are still there after a reload", async ({ studio }) => {
    const card = await settledResult(await invoke(page, 'submit', 'CreateAsset', { id: 'logs-1', color: 'blue', size: '5', owner: 'Alice', appraisedValue: '300' }));
    await expect(card).toHaveAttribute('data-state', 'ok');
    await showLogs();
    await page.getByTestId('log-filter-shim').uncheck();
    await page.getByTestId('log-filter-peer').uncheck();
    await page.getByTestId('log-filter-orderer').uncheck();
    await page.getByTestId('log-filter-sandbox').uncheck();
    await expect(lines('chaincode', 'CreateAsset logs-1 owned by Alice')).toHaveCount(1, { timeout: invokeTimeoutMs });
    await expect(page.locator('[data-testid="log-line"]:not([data-source="chaincode"])')).toHaveCount(0);
    await screenshot(page, '10-logs-own-lines');

    await page.reload();
    await openIde(page, studio, workspace);
    await showLogs();
    await expect(lines('chaincode', 'CreateAsset logs-1 owned by Alice')).toHaveCount(1);
  });

  test('the level filter leaves the errors: a refused CreateAsset shows with its reason', async () => {
    const refused = await settledResult(await invoke(page, 'submit', 'CreateAsset', { id: 'logs-1', color: 'blue', size: '5', owner: 'Alice', appraisedValue: '300' }));
    await expect(refused).toHaveAttribute('data-state', 'error');
    await showLogs();
    await page.getByTestId('log-level').selectOption('error');
    const shown = page.getByTestId('log-line');
    await expect(shown.filter({ hasText: 'logs-1 already exists' }).first()).toBeVisible({ timeout: invokeTimeoutMs });
    const levels = await shown.evaluateAll((els) => els.map((el) => el.getAttribute('data-level')));
    expect(levels.length).toBeGreaterThan(0);
    expect(new Set(levels)).toEqual(new Set(['error']));
    await page.getByTestId('log-level').selectOption('debug');
  });

  test('"Logs of this transaction" shows the lines of that transaction only', async () => {
    const card = await settledResult(await invoke(page, 'submit', 'CreateAsset', { id: 'logs-2', color: 'red', size: '2', owner: 'Bob', appraisedValue: '10' }));
    await expect(card).toHaveAttribute('data-state', 'ok');
    const txId = (await card.getByTestId('result-txid').textContent()) ?? '';
    await card.getByTestId('result-logs').click();
    await expect(page.getByTestId('log-transaction')).toHaveValue(txId);
    await expect(lines('chaincode', 'CreateAsset logs-2 owned by Bob')).toHaveCount(1, { timeout: invokeTimeoutMs });
    await expect(lines('chaincode', 'logs-1')).toHaveCount(0);
    await expect(lines('peer', txId.slice(0, 8)).first()).toBeAttached();
    const texts = await page.getByTestId('log-line').allTextContents();
    for (const text of texts) {
      expect(text.includes(txId.slice(0, 8)) || text.includes('CreateAsset logs-2'), `a line of another transaction: ${text}`).toBe(true);
    }
    await screenshot(page, '11-logs-of-transaction');
    await page.getByTestId('log-transaction').selectOption('');
    await expect(lines('chaincode', 'logs-1').first()).toBeAttached();
  });
});
