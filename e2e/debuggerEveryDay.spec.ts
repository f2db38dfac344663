/**
 * The debugger as a person uses it all day, on a real sandbox:
 * - breakpoints are the server's: a fresh browser shows the same dots and
 *   list, and disabling one in a tab shows everywhere and stops nothing;
 * - a reload, or a new tab, while a transaction is paused shows the pause
 *   (where, which transaction) and can continue it;
 * - a save while paused waits for the transaction, then restarts with the
 *   change; Restart while paused says truly what happened;
 * - a runtime error shows its stack in the user's source, a frame opens the
 *   line, and "break on this exception next time" stops there next time;
 * - breakpoints and exception settings are kept through a server restart.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from '@playwright/test';
import { chaincodeRestartTimeoutMs, invokeTimeoutMs } from './config.ts';
import { expect, test, type StudioServer } from './fixtures.ts';
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

const workspace = 'debug-every-day';
const contractFile = 'src/assetTransferContract.ts';
const asset = (id: string) => ({ id, color: 'blue', size: '3', owner: 'Eve', appraisedValue: '10' });

test.describe.serial('the debugger, every day', () => {
  let context: BrowserContext;
  let page: Page;
  let breakpointLine = 0;

  test.beforeAll(async ({ browser }) => {
    // A context of its own, so a second tab of the same profile can be opened in it.
    context = await browser.newContext();
    page = await context.newPage();
  });
  test.afterAll(async () => {
    await context.close();
  });

  const savedContract = (studio: StudioServer): string => readFileSync(path.join(studio.dataDir, 'workspaces', workspace, contractFile), 'utf8');
  const lineOf = (text: string, studio: StudioServer): number => savedContract(studio).split('\n').findIndex((l) => l.includes(text)) + 1;

  /** A page in a browser profile of its own (nothing in its storage), with the workspace and the contract open. */
  const freshProfile = async (browser: Browser, studio: StudioServer): Promise<Page> => {
    const fresh = await browser.newPage();
    await openIde(fresh, studio, workspace);
    await expect(fresh.getByTestId('workspace-select')).toHaveValue(workspace);
    await openFile(fresh, contractFile);
    return fresh;
  };

  const breakpointItems = (p: Page) => p.getByTestId('breakpoint-item');

  test('a breakpoint is the server’s: a fresh browser shows it, and disabling it anywhere disables it everywhere', async ({ browser, studio }) => {
    await openIde(page, studio);
    await createWorkspaceFromSample(page, workspace, /TypeScript/);
    await openFile(page, contractFile);
    await runAndWaitReady(page);
    breakpointLine = await placeCursorAfter(page, savedContract(studio), 'const asset: Asset = { ID: id');
    await clickGutter(page, breakpointLine);
    await page.getByTestId('side-tab-debug').click();
    await expect(breakpointItems(page)).toHaveCount(1);
    await expect(breakpointItems(page)).toHaveAttribute('data-line', String(breakpointLine));

    // Another browser profile has nothing stored, and still sees the dot and the list entry.
    const other = await freshProfile(browser, studio);
    try {
      await expect(editor(other).locator('.bp-glyph')).toHaveCount(1);
      await other.getByTestId('side-tab-debug').click();
      await expect(breakpointItems(other)).toHaveCount(1);
      await expect(breakpointItems(other)).toHaveAttribute('data-path', contractFile);
      await expect(breakpointItems(other)).toHaveAttribute('data-line', String(breakpointLine));

      // Disabled there: the first tab shows it disabled, and a submit runs through.
      await breakpointItems(other).getByTestId('breakpoint-enabled').uncheck();
      await expect(breakpointItems(page)).toHaveAttribute('data-enabled', 'false');
      await expect(editor(page).locator('.bp-glyph.bp-disabled')).toHaveCount(1);
    } finally {
      await other.close();
    }
    const card = await settledResult(await invoke(page, 'submit', 'CreateAsset', asset('asset-off')));
    await expect(card).toHaveAttribute('data-state', 'ok');
    await expect(page.getByTestId('paused-banner')).toHaveCount(0);

    await page.getByTestId('side-tab-debug').click();
    await breakpointItems(page).getByTestId('breakpoint-enabled').check();
    await expect(editor(page).locator('.bp-glyph.bp-disabled')).toHaveCount(0);
    await expect(editor(page).locator('.bp-glyph')).toHaveCount(1);
  });

  test('a reload or a new tab while a transaction is paused shows the pause, and can continue it', async ({ studio }) => {
    await invoke(page, 'submit', 'CreateAsset', asset('asset-reload'));
    const banner = page.getByTestId('paused-banner');
    await expect(banner).toBeVisible({ timeout: invokeTimeoutMs });
    const txId = (await banner.getAttribute('data-txid')) ?? '';
    expect(txId).toMatch(/^[0-9a-f]{64}$/);

    await page.reload();
    await expect(page.getByTestId('paused-banner')).toHaveAttribute('data-txid', txId);
    await expect(page.getByTestId('debugger-state')).toHaveText('paused');
    await expect(page.getByTestId('debug-continue')).toBeEnabled();
    await expect(page.getByTestId('debug-pause')).toBeDisabled();
    const top = page.getByTestId('stack-frame').first();
    await expect(top).toHaveAttribute('data-path', contractFile);
    await expect(top).toHaveAttribute('data-line', String(breakpointLine));
    await expect(editor(page)).toHaveAttribute('data-path', contractFile);
    await expect(editor(page).locator('.paused-line')).toHaveCount(1);
    await expect(page.locator('[data-testid="variable"][data-name="id"]').first().getByTestId('variable-value')).toHaveText(/asset-reload/);

    // A new tab of the same browser shows the same, in the Transaction panel too.
    const tab = await context.newPage();
    try {
      await openIde(tab, studio, workspace);
      await expect(tab.getByTestId('paused-banner')).toHaveAttribute('data-txid', txId);
      await tab.getByTestId('side-tab-transaction').click();
      const paused = tab.getByTestId('tx-paused');
      await expect(paused).toHaveAttribute('data-txid', txId);
      await expect(tab.getByTestId('tx-paused-text')).toContainText(`${contractFile}:${breakpointLine}`);
      await expect(tab.getByTestId('tx-paused-restart')).toBeEnabled();
      await screenshot(tab, '20-paused-transaction-new-tab');
      await tab.getByTestId('tx-paused-continue').click();
      await expect(tab.getByTestId('tx-paused')).toHaveCount(0);
    } finally {
      await tab.close();
    }
    await expect(page.getByTestId('paused-banner')).toHaveCount(0);
    await expect(page.getByTestId('debugger-state')).toHaveText('attached');
    // The transaction went on and committed: the asset is there.
    const read = await settledResult(await invoke(page, 'evaluate', 'ReadAsset', { id: 'asset-reload' }));
    await expect(read).toHaveAttribute('data-state', 'ok');
    await expect(read.getByTestId('result-value')).toContainText('asset-reload');
  });

  test('a save while paused waits for the transaction, which commits, then restarts with the change', async ({ studio }) => {
    await openFile(page, contractFile);
    await invoke(page, 'submit', 'CreateAsset', asset('asset-save'));
    await expect(page.getByTestId('paused-banner')).toBeVisible({ timeout: invokeTimeoutMs });

    await placeCursorAfter(page, savedContract(studio), 'does not exist');
    await page.keyboard.type(' anywhere');
    await page.keyboard.press('Control+S');
    await expect.poll(() => savedContract(studio)).toContain('does not exist anywhere');
    await page.getByTestId('side-tab-transaction').click();
    await expect(page.getByTestId('tx-restart-pending')).toBeVisible();
    await expect(page.getByTestId('sandbox-state')).toHaveAttribute('title', /restarts with your changes when the transaction in it finishes/);
    // Still paused, on the same transaction.
    await expect(page.getByTestId('paused-banner')).toBeVisible();
    await expect(page.getByTestId('tx-paused-continue')).toBeVisible();
    await screenshot(page, '21-saved-while-paused');

    await page.getByTestId('tx-paused-continue').click();
    const card = await settledResult(page.getByTestId('result-card'));
    await expect(card).toHaveAttribute('data-state', 'ok');
    await expect(card.getByTestId('result-validation')).toHaveText('VALID');
    await expect(page.getByTestId('tx-restart-pending')).toHaveCount(0, { timeout: chaincodeRestartTimeoutMs });
    await expect(page.getByTestId('chaincode-state')).toHaveAttribute('data-state', 'running', { timeout: chaincodeRestartTimeoutMs });
    await expect(page.getByTestId('tx-function-select')).toBeEnabled({ timeout: chaincodeRestartTimeoutMs });
    // The chaincode runs the saved code, with no Run pressed.
    const read = await settledResult(await invoke(page, 'evaluate', 'ReadAsset', { id: 'no-such-asset' }));
    await expect(read.getByTestId('result-error-message')).toHaveText('The asset no-such-asset does not exist anywhere');
  });

  test('Restart while paused cuts the transaction short and says so, without asking for a Run', async () => {
    await invoke(page, 'submit', 'CreateAsset', asset('asset-restart'));
    await expect(page.getByTestId('paused-banner')).toBeVisible({ timeout: invokeTimeoutMs });
    await page.getByTestId('side-tab-transaction').click();
    await page.getByTestId('tx-paused-restart').click();
    const card = await settledResult(page.getByTestId('result-card'));
    await expect(card).toHaveAttribute('data-state', 'error');
    const message = card.getByTestId('result-error-message');
    await expect(message).toContainText('restarted while the transaction was in it, so nothing was committed');
    await expect(message).toContainText('no need to press Run');
    await expect(message).not.toContainText('press Run to start it');
    await expect(page.getByTestId('paused-banner')).toHaveCount(0);
    await expect(page.getByTestId('chaincode-state')).toHaveAttribute('data-state', 'running', { timeout: chaincodeRestartTimeoutMs });
  });

  test('a runtime error shows its stack in the source, a frame opens the line, and it can break there next time', async ({ studio }) => {
    await page.getByTestId('side-tab-debug').click();
    await page.getByTestId('breakpoints-remove-all').click();
    await expect(breakpointItems(page)).toHaveCount(0);
    await expect(editor(page).locator('.bp-glyph')).toHaveCount(0);
    await openFile(page, 'src/asset.ts');

    const throwLine = lineOf('does not exist anywhere', studio);
    expect(throwLine).toBeGreaterThan(0);
    const card = await settledResult(await invoke(page, 'evaluate', 'ReadAsset', { id: 'ghost' }));
    await expect(card).toHaveAttribute('data-state', 'error');
    await expect(card.getByTestId('result-error-message')).toHaveText('The asset ghost does not exist anywhere');
    const stack = card.getByTestId('exception-stack');
    await expect(stack).toContainText('Error: The asset ghost does not exist anywhere');
    const top = stack.getByTestId('exception-frame').first();
    await expect(top).toHaveAttribute('data-path', contractFile);
    await expect(top).toHaveAttribute('data-line', String(throwLine));
    await expect(top).toContainText('ReadAsset');
    await screenshot(page, '22-exception-stack');

    await top.click();
    await expect(editor(page)).toHaveAttribute('data-path', contractFile);
    await expect.poll(() => cursorLine(page)).toBe(throwLine);

    await stack.getByTestId('exception-break-next-time').click();
    await expect(stack.getByTestId('exception-break-on')).toBeVisible();
    await invoke(page, 'evaluate', 'ReadAsset', { id: 'ghost-2' });
    const banner = page.getByTestId('paused-banner');
    await expect(banner).toHaveAttribute('data-reason', 'exception', { timeout: invokeTimeoutMs });
    await expect(banner).toContainText('does not exist anywhere');
    const frame = page.getByTestId('stack-frame').first();
    await expect(frame).toHaveAttribute('data-path', contractFile);
    await expect(frame).toHaveAttribute('data-line', String(throwLine));
    await page.getByTestId('debug-continue').click();
    await expect(page.getByTestId('paused-banner')).toHaveCount(0);
    await page.getByTestId('side-tab-transaction').click();
    const second = await settledResult(page.getByTestId('result-card'));
    await expect(second.getByTestId('result-error-message')).toHaveText('The asset ghost-2 does not exist anywhere');
  });

  test('breakpoints and exception settings survive a server restart', async ({ studio }) => {
    await openFile(page, contractFile);
    const line = await placeCursorAfter(page, savedContract(studio), 'const data = await ctx.stub.getState(id)');
    await clickGutter(page, line);
    await page.getByTestId('side-tab-debug').click();
    await expect(breakpointItems(page)).toHaveCount(1);
    // Wait until the server has it: the list of a fresh profile is the server's.
    await expect.poll(() => readFileSync(path.join(studio.dataDir, 'workspaces', workspace, '.studio', 'breakpoints.json'), 'utf8')).toContain(`"line": ${line}`);

    await studio.kill();
    await studio.start();
    await page.reload();
    await expect(page.getByTestId('workspace-select')).toHaveValue(workspace);
    // The tabs come back as they were; the breakpoint's line may be out of view.
    await expect(editor(page)).toHaveAttribute('data-path', contractFile);
    await page.getByTestId('side-tab-debug').click();
    await expect(breakpointItems(page)).toHaveAttribute('data-line', String(line));
    await expect(page.getByTestId('exception-all')).toBeChecked();
    // The list entry opens its line, where the dot is.
    await breakpointItems(page).click();
    await expect(editor(page)).toHaveAttribute('data-path', contractFile);
    await expect.poll(() => cursorLine(page)).toBe(line);
    await expect(editor(page).locator('.bp-glyph')).toHaveCount(1);
  });
});
