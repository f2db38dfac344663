/**
 * A working day in the IDE at 1280×720, on a real server and real sandboxes:
 * the start page creates and runs a sample; the form checks each argument
 * against the contract's types before sending; a change that does not compile
 * leaves the previous build running and every place that invokes says so; a
 * transaction stuck in a loop says so on its pending result, and can be paused
 * where it is and restarted; and the sandbox actions (Stop sandbox, Reset
 * ledger, Delete workspace) say what they keep and lose, one of them freeing
 * the slot a refused Run was waiting for.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { chaincodeRestartTimeoutMs, invokeTimeoutMs, sandboxReadyTimeoutMs } from './config.ts';
import { expect, test } from './fixtures.ts';
import { editor, invoke, lineTop, openFile, openIde, placeCursorAfter, screenshot, settledResult, waitUntilRunning } from './idePage.ts';

const workspace = 'daily';
const second = 'second';
const contractFile = 'src/assetTransferContract.ts';
const small = { width: 1280, height: 720 };
const large = { width: 1440, height: 900 };

// A server of this file's own: one running sandbox per user (so the second Run meets the cap),
// and the long-transaction warning after 3 s of running instead of 20.
test.use({ studioEnv: { STUDIO_MAX_SANDBOXES: '1', STUDIO_LONG_TX_WARN_MS: '3000' } });

test.describe.serial('a working day', () => {
  let page: Page;

  test.beforeAll(async ({ browser }) => {
    page = await browser.newPage({ viewport: small });
  });
  test.afterAll(async () => {
    await page.close();
  });

  const savedContract = (dataDir: string, name = workspace): string => readFileSync(path.join(dataDir, 'workspaces', name, contractFile), 'utf8');
  const sandboxMenu = async (item: 'sandbox-stop' | 'sandbox-reset' | 'workspace-delete') => {
    await page.getByTestId('sandbox-menu').click();
    await page.getByTestId(item).click();
    const dialog = page.getByTestId('confirm-action-dialog');
    await expect(dialog).toBeVisible();
    return dialog;
  };

  test('the first screen offers the samples and Create & Run, and checks the name beside the field', async ({ studio }) => {
    for (const viewport of [large, small]) {
      await page.setViewportSize(viewport);
      await openIde(page, studio);
      const welcome = page.getByTestId('welcome');
      await expect(welcome).toBeVisible();
      // Each sample once, its language said once (the title already names it).
      await expect(welcome.getByTestId('welcome-sample')).toHaveText(['Asset transfer (JavaScript)', 'Asset transfer (TypeScript)', 'Asset transfer (Go)']);
      await expect(page.getByTestId('tx-panel')).toContainText('No workspace open');
      await expect(page.getByTestId('tx-panel')).not.toContainText('Press Run');
      await expect(page.getByTestId('welcome-create-run')).toBeInViewport();
      await screenshot(page, `10-welcome-${viewport.width}`);
    }

    await page.locator('[data-testid="welcome-sample"][data-sample="asset-transfer-ts"]').click();
    const name = page.getByTestId('welcome-name');
    const hint = page.getByTestId('welcome-name-hint');
    await expect(name).toHaveValue('asset-transfer-ts');
    await name.fill('-oops');
    await expect(hint).toHaveAttribute('data-problem', 'true');
    await expect(hint).toContainText('lowercase letters, digits and dashes');
    await expect(page.getByTestId('welcome-create-run')).toBeDisabled();
    await name.fill(workspace);
    await expect(hint).toHaveAttribute('data-problem', 'false');
    await page.getByTestId('welcome-create-run').click();

    await expect(page.getByTestId('welcome')).toHaveCount(0);
    await expect(page.getByTestId('workspace-select')).toHaveValue(workspace);
    await waitUntilRunning(page);
    await expect(page.getByTestId('notice').filter({ hasText: /Could not create/ })).toHaveCount(0);
  });

  test('the form names the field whose value does not fit its type, and sends nothing until all fit', async () => {
    await page.getByTestId('tx-function-select').selectOption('CreateAsset');
    await expect(page.getByTestId('tx-param-required-id')).toBeVisible();
    await page.getByTestId('tx-submit').click();
    await expect(page.getByTestId('tx-param-error-id')).toHaveText('id is required');
    await expect(page.getByTestId('tx-param-error-size')).toHaveText('size needs a number');
    await expect(page.getByTestId('tx-param-error-appraisedValue')).toHaveText('appraisedValue needs a number');
    await expect(page.getByTestId('tx-form-problems')).toBeVisible();
    await expect(page.getByTestId('tx-history-item')).toHaveCount(0);
    await expect(page.getByTestId('tx-param-id')).toBeFocused();

    await page.getByTestId('tx-param-size').fill('seven');
    await expect(page.getByTestId('tx-param-error-size')).toHaveText('size must be a number, not "seven"');
    await screenshot(page, '11-form-checks');

    const card = await settledResult(await invoke(page, 'submit', 'CreateAsset', { id: 'daily-1', color: 'blue', size: '7', owner: 'Ana', appraisedValue: '100' }));
    await expect(card.getByTestId('result-validation')).toHaveText('VALID');
    await expect(page.locator('[data-testid^="tx-param-error-"]')).toHaveCount(0);
    await expect(page.getByTestId('tx-history-item')).toHaveCount(1);
  });

  test('after a change that does not compile, the previous build answers and says so where the user invokes', async ({ studio }) => {
    await openFile(page, contractFile);
    await placeCursorAfter(page, savedContract(studio.dataDir), 'const json = sortedJson(asset);');
    await page.keyboard.press('End');
    await page.keyboard.press('Enter');
    await page.keyboard.insertText('const wrong: number = id;');
    await page.keyboard.press('Control+S');
    await expect.poll(() => savedContract(studio.dataDir)).toContain('const wrong: number = id;');
    await page.getByTestId('run-button').click();

    await expect(page.locator('[data-testid="problem-item"][data-severity="error"]')).toHaveCount(1, { timeout: chaincodeRestartTimeoutMs });
    const state = page.getByTestId('chaincode-state');
    await expect(state).toHaveAttribute('data-previous-build', 'true');
    await expect(state).toHaveText('chaincode: running (previous build)');
    await expect(state).toBeInViewport({ ratio: 1 });
    await page.getByTestId('side-tab-transaction').click();
    await expect(page.getByTestId('tx-previous-build')).toContainText('Running the previous build.');
    await expect(page.getByTestId('tx-previous-build')).toContainText('did not compile (1 error');

    const read = await settledResult(await invoke(page, 'evaluate', 'ReadAsset', { id: 'daily-1' }));
    await expect(read).toHaveAttribute('data-state', 'ok');
    await expect(read.getByTestId('result-previous-build')).toContainText('Answered by the previous build');
    await screenshot(page, '12-previous-build');

    // Take the error out and Run: the current code answers, and nothing says "previous" any more.
    await placeCursorAfter(page, savedContract(studio.dataDir), 'const wrong: number = id;');
    await page.keyboard.press('Shift+Home');
    await page.keyboard.press('Backspace');
    await page.keyboard.press('Control+S');
    await expect.poll(() => savedContract(studio.dataDir)).not.toContain('const wrong');
    await page.getByTestId('run-button').click();
    await expect(state).not.toHaveAttribute('data-previous-build', 'true', { timeout: chaincodeRestartTimeoutMs });
    await expect(state).toHaveAttribute('data-state', 'running', { timeout: chaincodeRestartTimeoutMs });
    await expect(page.getByTestId('tx-previous-build')).toHaveCount(0);
  });

  test('a transaction stuck in a loop says so on its pending result, pauses where it spins, and Restart ends it', async ({ studio }) => {
    const marker = 'public async ReadAsset(ctx: Context, id: string): Promise<string> {';
    await placeCursorAfter(page, savedContract(studio.dataDir), marker);
    await page.keyboard.press('End');
    await page.keyboard.press('Enter');
    await page.keyboard.insertText("while (id === 'spin') { id = id.trim(); }");
    await page.keyboard.press('Control+S');
    await expect.poll(() => savedContract(studio.dataDir)).toContain("while (id === 'spin')");
    const loopLine = savedContract(studio.dataDir).split('\n').findIndex((l) => l.includes("while (id === 'spin')")) + 1;
    await page.getByTestId('run-button').click();
    await expect(page.getByTestId('run-button')).toHaveText(/Run$/, { timeout: chaincodeRestartTimeoutMs });
    await expect(page.getByTestId('chaincode-state')).toHaveAttribute('data-state', 'running');

    const card = await invoke(page, 'evaluate', 'ReadAsset', { id: 'spin' });
    await expect(card).toHaveAttribute('data-state', 'pending');
    const warning = card.getByTestId('result-long-running');
    await expect(warning).toBeVisible({ timeout: invokeTimeoutMs });
    await expect(warning).toContainText(/Still running after \d+ s: possibly an infinite loop/);
    await expect(warning.getByTestId('result-pause')).toBeInViewport();
    await expect(warning.getByTestId('result-restart')).toBeInViewport();
    await screenshot(page, '13-long-transaction');

    await warning.getByTestId('result-pause').click();
    await expect(page.getByTestId('paused-banner')).toHaveAttribute('data-reason', 'pause');
    await expect(editor(page)).toHaveAttribute('data-path', contractFile);
    await expect.poll(async () => {
      const highlight = await editor(page).locator('.paused-line').first().boundingBox();
      return highlight ? Math.round(highlight.y - (await lineTop(page, loopLine))) : Number.NaN;
    }).toBe(0);
    await screenshot(page, '14-paused-in-loop');

    await page.getByTestId('side-tab-transaction').click();
    await page.getByTestId('result-card').getByTestId('result-restart').click();
    const failed = await settledResult(page.getByTestId('result-card'));
    await expect(failed).toHaveAttribute('data-state', 'error');
    await expect(failed.getByTestId('result-long-running')).toHaveCount(0);
    await expect(page.getByTestId('run-button')).toHaveText(/Run$/, { timeout: chaincodeRestartTimeoutMs });
    await expect(page.getByTestId('chaincode-state')).toHaveAttribute('data-state', 'running');
    await expect(page.getByTestId('paused-banner')).toHaveCount(0);
  });

  test('a Run refused at the sandbox limit offers Stop sandbox, which frees the slot', async () => {
    await page.getByTestId('workspace-new').click();
    const dialog = page.getByTestId('create-workspace-dialog');
    await dialog.getByTestId('workspace-name-input').fill(workspace);
    await expect(dialog.getByTestId('workspace-name-error')).toContainText(`A workspace named ${workspace} already exists`);
    await expect(dialog.getByTestId('create-workspace-submit')).toBeDisabled();
    await dialog.getByTestId('workspace-name-input').fill(second);
    await dialog.getByTestId('create-workspace-submit').click();
    await expect(dialog).toHaveCount(0);
    await expect(page.getByTestId('workspace-select')).toHaveValue(second);

    await page.getByTestId('run-button').click();
    const blocked = page.getByTestId('run-blocked');
    await expect(blocked).toBeVisible({ timeout: chaincodeRestartTimeoutMs });
    await expect(blocked.getByTestId('run-blocked-message')).toContainText(`You already have 1 sandboxes running (${workspace})`);
    await expect(blocked.getByTestId('run-blocked-message')).toContainText('Stop sandbox');
    await screenshot(page, '15-run-blocked');
    await blocked.locator(`[data-testid="run-blocked-stop"][data-workspace="${workspace}"]`).click();
    await expect(blocked).toContainText('A sandbox slot is free now.');
    await blocked.getByTestId('run-blocked-run').click();
    await expect(blocked).toHaveCount(0);
    await waitUntilRunning(page);
  });

  test('Stop sandbox and Reset ledger say what they keep and lose, and the ledger is gone after a reset', async () => {
    const stop = await sandboxMenu('sandbox-stop');
    await expect(stop.getByTestId('confirm-keeps')).toContainText('The ledger');
    await expect(stop.getByTestId('confirm-loses')).toContainText('The running chaincode');
    await stop.getByTestId('confirm-action').click();
    await expect(page.getByTestId('sandbox-state')).toHaveAttribute('data-phase', 'stopped', { timeout: chaincodeRestartTimeoutMs });

    await page.getByTestId('workspace-select').selectOption(workspace);
    await expect(page.getByTestId('sandbox-state')).toHaveAttribute('data-phase', 'stopped');
    const reset = await sandboxMenu('sandbox-reset');
    await expect(reset.getByTestId('confirm-keeps')).toContainText('Your files');
    await expect(reset.getByTestId('confirm-loses')).toContainText('every asset, key and block');
    await screenshot(page, '16-reset-ledger');
    await reset.getByTestId('confirm-action').click();
    await expect(page.getByTestId('sandbox-state')).toHaveAttribute('data-phase', 'absent', { timeout: chaincodeRestartTimeoutMs });

    await page.getByTestId('run-button').click();
    await waitUntilRunning(page);
    const read = await settledResult(await invoke(page, 'evaluate', 'ReadAsset', { id: 'daily-1' }));
    await expect(read).toHaveAttribute('data-state', 'error');
    await expect(read.getByTestId('result-error-message')).toContainText('The asset daily-1 does not exist');
  });

  test('Delete workspace says it keeps nothing, offers the sources, and returns to the start page', async () => {
    await page.getByTestId('workspace-select').selectOption(second);
    await expect(page.getByTestId('workspace-select')).toHaveValue(second);
    const del = await sandboxMenu('workspace-delete');
    await expect(del.getByTestId('confirm-keeps')).toContainText('Nothing of it on this server');
    await expect(del.getByTestId('confirm-loses')).toContainText('Every file of the workspace');
    await expect(del.getByTestId('confirm-download-sources')).toHaveAttribute('href', new RegExp(`/workspace-zip/${second}\\?token=`));
    await del.getByTestId('confirm-action').click();

    const welcome = page.getByTestId('welcome');
    await expect(welcome).toBeVisible({ timeout: sandboxReadyTimeoutMs });
    await expect(welcome.getByTestId('welcome-open')).toHaveText([workspace]);
    await expect(page.locator(`[data-testid="workspace-select"] option[value="${second}"]`)).toHaveCount(0);
  });
});
