/**
 * Go chaincode through the UI on a real sandbox: the Go sample created and
 * run, an invoke from its form (parameters named as in the Go source), a
 * gutter breakpoint in CreateAsset, an invoke that stops on the Go line with
 * `id` in Variables, and Continue letting the transaction commit as VALID.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { invokeTimeoutMs } from './config.ts';
import { expect, test } from './fixtures.ts';
import { clickGutter, createWorkspaceFromSample, editor, invoke, openFile, openIde, placeCursorAfter, runAndWaitReady, settledResult } from './idePage.ts';

const workspace = 'asset-go';
const contractFile = 'contract.go';

test.describe.serial('Go chaincode through the UI', () => {
  let page: Page;
  let breakpointLine = 0;

  test.beforeAll(async ({ browser }) => {
    page = await browser.newPage();
  });
  test.afterAll(async () => {
    await page.close();
  });

  test('the Go sample runs and answers an invoke from its form', async ({ studio }) => {
    await openIde(page, studio);
    await createWorkspaceFromSample(page, workspace, /\(Go\)/);
    await openFile(page, contractFile);
    await runAndWaitReady(page);
    const card = await settledResult(await invoke(page, 'submit', 'CreateAsset', { id: 'go-e2e-1', color: 'blue', size: '3', owner: 'Ann', appraisedValue: '10' }));
    await expect(card).toHaveAttribute('data-state', 'ok');
    await expect(card.getByTestId('result-validation')).toHaveText('VALID');
    const saved = readFileSync(path.join(studio.dataDir, 'workspaces', workspace, contractFile), 'utf8');
    breakpointLine = await placeCursorAfter(page, saved, 'data, err := json.Marshal(asset)');
  });

  test('a gutter breakpoint stops an invoke on the Go line with its variables, and Continue commits it', async () => {
    await clickGutter(page, breakpointLine);
    await expect(editor(page).locator('.bp-glyph')).toHaveCount(1);
    await page.getByTestId('side-tab-debug').click();
    await expect(page.getByTestId('debugger-state')).toHaveText('attached');
    await expect(editor(page).locator('.bp-unverified')).toHaveCount(0);

    await invoke(page, 'submit', 'CreateAsset', { id: 'go-e2e-2', color: 'green', size: '4', owner: 'Carol', appraisedValue: '99' });
    const banner = page.getByTestId('paused-banner');
    await expect(banner).toBeVisible({ timeout: invokeTimeoutMs });
    await expect(page.getByTestId('debugger-state')).toHaveText('paused');
    // The banner names the paused transaction, as for Node chaincode.
    await expect(banner).toHaveAttribute('data-txid', /^[0-9a-f]{64}$/);
    const txId = (await banner.getAttribute('data-txid')) ?? '';
    await expect(banner).toContainText(txId.slice(0, 8));
    const top = page.getByTestId('stack-frame').first();
    await expect(top).toHaveAttribute('data-path', contractFile);
    await expect(top).toHaveAttribute('data-line', String(breakpointLine));
    await expect(editor(page).locator('.paused-line')).toHaveCount(1);
    const id = page.locator('[data-testid="variable"][data-name="id"]').first();
    await expect(id.getByTestId('variable-value')).toHaveText(/go-e2e-2/);

    await page.getByTestId('debug-continue').click();
    await expect(page.getByTestId('paused-banner')).toHaveCount(0);
    await page.getByTestId('side-tab-transaction').click();
    const card = await settledResult(page.getByTestId('result-card'));
    await expect(card).toHaveAttribute('data-state', 'ok');
    await expect(card.getByTestId('result-validation')).toHaveText('VALID');
    await expect(card.getByTestId('result-txid')).toHaveText(txId);
  });
});
