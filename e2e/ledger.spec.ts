/**
 * The Ledger tab on a real sandbox: before Run it says why it is empty; after a
 * CreateAsset, the block appears live, the result card opens the transaction
 * in the ledger with its read/write set, and the world state table finds the
 * key and shows its history back to the create; the history saved as a test
 * runs green on a fresh ledger; a value over 16 KiB opens whole from its block.
 */
import type { Page } from '@playwright/test';
import { invokeTimeoutMs } from './config.ts';
import { expect, test } from './fixtures.ts';
import { createWorkspaceFromSample, invoke, openIde, runAndWaitReady, screenshot, settledResult } from './idePage.ts';

const workspace = 'ledger-e2e';
const assetId = 'ledger-asset-1';

test.describe.serial('the Ledger tab', () => {
  let page: Page;

  test.beforeAll(async ({ browser }) => {
    page = await browser.newPage();
  });
  test.afterAll(async () => {
    await page.close();
  });

  test('before Run it shows the server saying to press Run', async ({ studio }) => {
    await openIde(page, studio);
    await createWorkspaceFromSample(page, workspace, /TypeScript/);
    await page.getByTestId('panel-tab-ledger').click();
    await expect(page.getByTestId('ledger-error')).toContainText(/Press Run/);
  });

  test('a submitted CreateAsset shows live in Blocks, in the transaction view and in the world state with its history', async () => {
    await runAndWaitReady(page);
    const blocks = page.getByTestId('ledger-block');
    await expect(blocks.first()).toBeVisible({ timeout: invokeTimeoutMs });

    const card = await settledResult(await invoke(page, 'submit', 'CreateAsset', { id: assetId, color: 'teal', size: '7', owner: 'Alice', appraisedValue: '1200' }));
    await expect(card).toHaveAttribute('data-state', 'ok');
    const txId = (await card.getByTestId('result-txid').textContent()) ?? '';
    const blockNumber = ((await card.getByTestId('result-block').textContent()) ?? '').match(/^\d+/)?.[0] ?? '';
    expect(txId).toMatch(/^[0-9a-f]{64}$/);

    // The read/write set from the result card.
    await card.getByTestId('result-rwset-summary').click();
    await expect(card.locator(`[data-testid="rwset-write"][data-key="${assetId}"]`)).toContainText('Alice');

    // The block arrived live: the Ledger tab stayed open and was not reloaded.
    const block = page.locator(`[data-testid="ledger-block"][data-number="${blockNumber}"]`);
    await expect(block).toBeVisible({ timeout: invokeTimeoutMs });
    await expect(block.locator(`[data-testid="ledger-tx-row"][data-txid="${txId}"]`)).toContainText('CreateAsset');
    await expect(blocks.first()).toHaveAttribute('data-number', blockNumber);

    // Show in ledger: the transaction with its details and read/write set.
    await card.getByTestId('result-show-in-ledger').click();
    const tx = page.getByTestId('ledger-tx');
    await expect(tx).toHaveAttribute('data-txid', txId);
    await expect(tx.getByTestId('ledger-tx-fn')).toHaveText('CreateAsset');
    await expect(tx.getByTestId('ledger-tx-args')).toContainText(assetId);
    await expect(tx.getByTestId('ledger-tx-validation')).toHaveText('VALID');
    await expect(tx.getByTestId('ledger-tx-creator')).not.toBeEmpty();
    await expect(tx.getByTestId('ledger-tx-endorsers')).not.toBeEmpty();
    await tx.getByTestId('result-rwset-summary').click();
    await expect(tx.locator(`[data-testid="rwset-write"][data-key="${assetId}"]`)).toContainText('Alice');
    await screenshot(page, 'ledger-01-transaction');

    // World state: search the key, open its history, see the create.
    await page.getByTestId('ledger-section-world-state').click();
    await page.getByTestId('ws-search').fill(assetId);
    const row = page.locator(`[data-testid="ws-row"][data-key="${assetId}"]`);
    await expect(row).toBeVisible({ timeout: invokeTimeoutMs });
    await expect(page.getByTestId('ws-row')).toHaveCount(1);
    await expect(row.getByTestId('ws-value')).toContainText('Alice');
    await expect(row.getByTestId('ws-version')).toHaveText(new RegExp(`^${blockNumber}:\\d+$`));
    await row.click();
    const history = page.getByTestId('key-history');
    await expect(history).toHaveAttribute('data-key', assetId);
    const entry = history.locator(`[data-testid="key-history-entry"][data-txid="${txId}"]`);
    await expect(entry).toHaveAttribute('data-delete', 'false');
    await expect(entry.getByTestId('ledger-value')).toContainText('"Owner": "Alice"');
    await screenshot(page, 'ledger-02-world-state');
  });

  test('the history saved as a test runs green on a fresh ledger', async () => {
    await page.getByTestId('side-tab-transaction').click();
    const tests = page.getByTestId('invoke-tests');
    await tests.getByTestId('tests-name').fill('ledger-e2e');
    await tests.getByTestId('tests-save').click();
    await expect(tests.getByTestId('tests-message')).toContainText('tests/ledger-e2e.invokes.json');
    await tests.getByTestId('tests-run').click();
    // A throwaway sandbox is started, the chaincode built and run, the invokes replayed, the sandbox removed.
    const file = tests.locator('[data-testid="tests-file"]', { hasText: 'ledger-e2e.invokes.json' });
    await expect(file).toHaveAttribute('data-passed', 'true', { timeout: 180_000 });
    await expect(tests.getByTestId('tests-results')).toContainText(/Passed: \d+ passed, 0 failed/);
    await screenshot(page, 'ledger-03-tests-passed');
  });

  test('a value over 16 KiB is cut in the views and opens whole from its block', async () => {
    await page.getByTestId('side-tab-transaction').click();
    const color = 'c'.repeat(20 * 1024);
    const card = await settledResult(await invoke(page, 'submit', 'CreateAsset', { id: 'ledger-big', color, size: '1', owner: 'Bob', appraisedValue: '1' }));
    await expect(card).toHaveAttribute('data-state', 'ok');
    await card.getByTestId('result-rwset-summary').click();
    const value = card.locator('[data-testid="rwset-write"][data-key="ledger-big"]').getByTestId('rwset-value');
    await expect(value.getByTestId('ledger-value-truncated')).toBeVisible();
    await value.getByTestId('ledger-value-whole').click();
    await expect(value.getByTestId('ledger-value-truncated')).toHaveCount(0, { timeout: invokeTimeoutMs });
    await expect(value.getByTestId('ledger-value-whole')).toHaveCount(0);
    expect(((await value.textContent()) ?? '').split('c').length - 1).toBe(color.length);
  });
});
