/**
 * The IDE end to end, as a person uses it, on the real server and a real
 * sandbox: create a workspace from the TypeScript sample, Run, submit and
 * evaluate through the form, edit and save with restart-on-save, see a type
 * error in the editor and in Problems, and survive a server crash.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { chaincodeRestartTimeoutMs, invokeTimeoutMs } from './config.ts';
import { expect, test } from './fixtures.ts';
import {
  createWorkspaceFromSample,
  cursorLine,
  editor,
  invoke,
  openFile,
  openIde,
  runAndWaitReady,
  screenshot,
  placeCursorAfter,
  settledResult,
} from './idePage.ts';

const workspace = 'asset-ide';
const contractFile = 'src/assetTransferContract.ts';

test.describe.serial('the IDE on a real sandbox', () => {
  let page: Page;

  test.beforeAll(async ({ browser }) => {
    page = await browser.newPage();
  });
  test.afterAll(async () => {
    await page.close();
  });

  /** The saved text of the contract on the server's disk. */
  const savedContract = (dataDir: string): string => readFileSync(path.join(dataDir, 'workspaces', workspace, contractFile), 'utf8');

  /** Lines of the Logs panel from `source` that contain `text`. */
  const logLines = (source: string, text: string) => page.locator(`[data-testid="log-line"][data-source="${source}"]`, { hasText: text });

  /**
   * The "Chaincode … answered" lines, one per chaincode start, shown through the
   * Logs search so the busy peer log cannot push them out of the rendered window.
   */
  const chaincodeStarts = async () => {
    await page.getByTestId('panel-tab-logs').click();
    await page.getByTestId('log-search').fill('ms after its start');
    return logLines('sandbox', 'answered');
  };

  test('creates a workspace from the TypeScript sample and runs it in a sandbox', async ({ studio }) => {
    await openIde(page, studio);
    await createWorkspaceFromSample(page, workspace, /TypeScript/);
    await expect(page.locator(`[data-testid="file-tree-item"][data-path="${contractFile}"]`)).toBeAttached();
    await openFile(page, contractFile);
    await screenshot(page, '01-workspace-editor');

    await page.getByTestId('restart-on-save').check();
    await runAndWaitReady(page);
    await expect(page.getByTestId('fabric-version')).toHaveText(/Fabric 2\.5\./);
    await page.getByTestId('panel-tab-logs').click();
    await expect(logLines('peer', '').first()).toBeVisible();
    await screenshot(page, '02-running-logs');
  });

  test('submits CreateAsset through the form and evaluates ReadAsset', async () => {
    const card = await settledResult(await invoke(page, 'submit', 'CreateAsset', { id: 'asset-e2e-1', color: 'teal', size: '7', owner: 'Alice', appraisedValue: '1200' }));
    await expect(card).toHaveAttribute('data-state', 'ok');
    await expect(card.getByTestId('result-txid')).toHaveText(/^[0-9a-f]{64}$/);
    await expect(card.getByTestId('result-block')).toHaveText(/^[1-9][0-9]*$/);
    await expect(card.getByTestId('result-validation')).toHaveText('VALID');
    await expect(card.getByTestId('result-event')).toContainText('AssetCreated');
    await expect(logLines('chaincode', 'CreateAsset asset-e2e-1 owned by Alice')).toHaveCount(1, { timeout: invokeTimeoutMs });
    await screenshot(page, '03-transaction-result');

    // What it wrote, from the result card: the asset as JSON under its key in the chaincode's namespace.
    await card.getByTestId('result-rwset-summary').click();
    const write = card.locator('[data-testid="rwset-namespace"][data-namespace="basic"] [data-testid="rwset-write"][data-key="asset-e2e-1"]');
    await expect(write.getByTestId('rwset-value')).toContainText('"Color": "teal"');
    await expect(card.locator('[data-testid="rwset-read"][data-key="asset-e2e-1"]')).toContainText('absent');

    const read = await settledResult(await invoke(page, 'evaluate', 'ReadAsset', { id: 'asset-e2e-1' }));
    await expect(read).toHaveAttribute('data-state', 'ok');
    const value = JSON.parse((await read.getByTestId('result-value').textContent()) ?? '') as Record<string, unknown>;
    expect(value).toEqual({ ID: 'asset-e2e-1', Color: 'teal', Size: 7, Owner: 'Alice', AppraisedValue: 1200 });
    await expect(read.getByTestId('result-txid')).toHaveText(/^[0-9a-f]{64}$/);
  });

  test('an edit saved with Ctrl+S restarts the chaincode and the next invoke shows the new behaviour', async ({ studio }) => {
    const restarts = await chaincodeStarts();
    const before = await restarts.count();
    expect(before).toBeGreaterThan(0);
    await placeCursorAfter(page, savedContract(studio.dataDir), 'Owner: owner');
    await page.keyboard.insertText('.toUpperCase()');
    const tab = page.locator(`[data-testid="editor-tab"][data-path="${contractFile}"]`);
    await expect(tab).toHaveAttribute('data-dirty', 'true');
    await page.keyboard.press('Control+S');
    await expect(tab).toHaveAttribute('data-dirty', 'false');
    expect(savedContract(studio.dataDir)).toContain('Owner: owner.toUpperCase(), AppraisedValue');
    await expect(restarts).toHaveCount(before + 1, { timeout: chaincodeRestartTimeoutMs });
    await expect(page.getByTestId('chaincode-state')).toHaveAttribute('data-state', 'running');

    const created = await settledResult(await invoke(page, 'submit', 'CreateAsset', { id: 'asset-e2e-2', color: 'red', size: '3', owner: 'bob', appraisedValue: '10' }));
    await expect(created.getByTestId('result-validation')).toHaveText('VALID');
    const read = await settledResult(await invoke(page, 'evaluate', 'ReadAsset', { id: 'asset-e2e-2' }));
    await expect(read.getByTestId('result-value')).toContainText('"Owner": "BOB"');
  });

  test('a type error shows a marker in the editor and a problem that jumps to its line', async ({ studio }) => {
    await placeCursorAfter(page, savedContract(studio.dataDir), 'const json = sortedJson(asset);');
    await page.keyboard.press('Enter');
    await page.keyboard.insertText('const wrong: number = id;');
    await page.keyboard.press('Control+S');
    await expect(page.locator(`[data-testid="editor-tab"][data-path="${contractFile}"]`)).toHaveAttribute('data-dirty', 'false');
    expect(savedContract(studio.dataDir)).toContain('const wrong: number = id;');

    await page.getByTestId('panel-tab-problems').click();
    const problem = page.locator('[data-testid="problem-item"][data-severity="error"]', { hasText: /not assignable to type 'number'/ });
    await expect(problem).toHaveCount(1, { timeout: chaincodeRestartTimeoutMs });
    await expect(problem).toHaveAttribute('data-file', contractFile);
    const line = Number(await problem.getAttribute('data-line'));
    const lines = savedContract(studio.dataDir).split('\n');
    expect(lines[line - 1]).toContain('const wrong: number = id;');
    await expect(editor(page).locator('.squiggly-error').first()).toBeVisible();
    // The chaincode keeps running the last build that compiled, and the form keeps its transactions.
    await expect(page.getByTestId('chaincode-state')).toHaveAttribute('data-state', 'running');
    await page.getByTestId('side-tab-transaction').click();
    await expect(page.getByTestId('tx-function-select')).toBeEnabled();

    // Move the cursor away, then let the problem bring it back.
    await editor(page).getByRole('textbox', { name: 'Editor content' }).focus();
    await page.keyboard.press('Control+Home');
    await expect.poll(() => cursorLine(page)).toBe(1);
    await problem.click();
    await expect.poll(() => cursorLine(page)).toBe(line);
    await screenshot(page, '05-problems');

    // Take the error out again and save: Problems empties.
    const restarts = await chaincodeStarts();
    const before = await restarts.count();
    expect(before).toBeGreaterThan(0);
    await placeCursorAfter(page, savedContract(studio.dataDir), 'const wrong: number = id;');
    await page.keyboard.press('Shift+Home');
    await page.keyboard.press('Backspace');
    await page.keyboard.press('Control+S');
    await expect(restarts).toHaveCount(before + 1, { timeout: chaincodeRestartTimeoutMs });
    await expect(page.getByTestId('chaincode-state')).toHaveAttribute('data-state', 'running');
    expect(savedContract(studio.dataDir)).not.toContain('const wrong');
    await page.getByTestId('panel-tab-problems').click();
    await expect(page.getByTestId('problems-empty')).toBeVisible();
  });

  test('after a SIGKILL and restart of the server, files and workspace are intact and the page reconnects with unsaved edits', async ({ studio }) => {
    const savedBefore = savedContract(studio.dataDir);
    await placeCursorAfter(page, savedBefore, 'public async ReadAsset');
    await page.keyboard.press('Home');
    await page.keyboard.insertText('// unsaved note from the e2e test\n  ');
    const tab = page.locator(`[data-testid="editor-tab"][data-path="${contractFile}"]`);
    await expect(tab).toHaveAttribute('data-dirty', 'true');

    await studio.kill();
    await expect(page.getByTestId('connection-banner')).toBeVisible();
    await expect(page.getByTestId('connection-banner')).toHaveAttribute('data-state', /reconnecting|connecting/);
    await screenshot(page, '06-reconnecting');
    expect(savedContract(studio.dataDir)).toBe(savedBefore);

    await studio.start();
    await expect(page.getByTestId('connection-banner')).toHaveCount(0, { timeout: 30_000 });
    await expect(page.getByTestId('workspace-select')).toHaveValue(workspace);
    await expect(tab).toHaveAttribute('data-dirty', 'true');
    await expect(editor(page).locator('.view-lines')).toContainText('unsaved note from the e2e test');
    for (const file of ['package.json', 'tsconfig.json', 'src/index.ts', 'src/asset.ts', 'src/json.ts', contractFile]) {
      await expect(page.locator(`[data-testid="file-tree-item"][data-path="${file}"]`)).toBeAttached();
    }
    expect(savedContract(studio.dataDir)).toBe(savedBefore);

    // The server found its sandbox again: the ledger answers with what was written before the crash.
    await expect(page.getByTestId('sandbox-state')).toHaveAttribute('data-phase', 'ready', { timeout: chaincodeRestartTimeoutMs });
    await expect(page.getByTestId('chaincode-state')).toHaveAttribute('data-state', 'running', { timeout: chaincodeRestartTimeoutMs });
    const read = await settledResult(await invoke(page, 'evaluate', 'ReadAsset', { id: 'asset-e2e-1' }));
    await expect(read.getByTestId('result-value')).toContainText('"Owner": "Alice"');

    // A fresh page load shows the same saved workspace and still offers the unsaved edit.
    await page.reload();
    await expect(page.getByTestId('connection-banner')).toHaveCount(0);
    await expect(page.getByTestId('workspace-select')).toHaveValue(workspace);
    await expect(tab).toHaveAttribute('data-dirty', 'true');
  });
});
