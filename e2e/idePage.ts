/**
 * What a person does in the IDE, as steps the tests share: open it, create a
 * workspace, Run, fill and send a transaction, find text in the editor, click
 * the gutter, take a screenshot.
 */
import path from 'node:path';
import { expect } from '@playwright/test';
import type { Locator, Page } from '@playwright/test';
import { invokeTimeoutMs, sandboxReadyTimeoutMs, screenshotDir } from './config.ts';
import type { StudioServer } from './studioServer.ts';

/** Opens the IDE (optionally a workspace) and waits for the connection. */
export async function openIde(page: Page, studio: StudioServer, workspace?: string): Promise<void> {
  await page.goto(studio.pageUrl(workspace));
  await expect(page.getByTestId('workspace-new')).toBeEnabled();
  await expect(page.getByTestId('connection-banner')).toHaveCount(0);
}

/** New → sample → name → Create, through the dialog; waits until the workspace is open. */
export async function createWorkspaceFromSample(page: Page, name: string, sampleTitle: RegExp): Promise<void> {
  await page.getByTestId('workspace-new').click();
  const dialog = page.getByTestId('create-workspace-dialog');
  await expect(dialog).toBeVisible();
  const select = dialog.getByTestId('sample-select');
  const option = select.locator('option', { hasText: sampleTitle });
  await select.selectOption(await option.getAttribute('value') ?? '');
  await dialog.getByTestId('workspace-name-input').fill(name);
  await dialog.getByTestId('create-workspace-submit').click();
  await expect(dialog).toHaveCount(0);
  await expect(page.getByTestId('workspace-select')).toHaveValue(name);
}

/** Presses Run and waits for a ready sandbox with the chaincode running and its transactions listed. */
export async function runAndWaitReady(page: Page): Promise<void> {
  await page.getByTestId('run-button').click();
  await waitUntilRunning(page);
}

/** Waits, after a Run (from any button), for a ready sandbox with the chaincode running and its transactions listed. */
export async function waitUntilRunning(page: Page): Promise<void> {
  const pill = page.getByTestId('sandbox-state');
  await expect(pill).toHaveAttribute('data-phase', /^(ready|error)$/, { timeout: sandboxReadyTimeoutMs });
  if ((await pill.getAttribute('data-phase')) === 'error') {
    await page.getByTestId('panel-tab-logs').click();
    const sandboxLog = await page.locator('[data-testid="log-line"][data-source="sandbox"]').allTextContents();
    throw new Error(`The sandbox failed: ${await pill.getAttribute('title')}\n${sandboxLog.slice(-30).join('\n')}`);
  }
  await expect(page.getByTestId('chaincode-state')).toHaveAttribute('data-state', 'running', { timeout: sandboxReadyTimeoutMs });
  await expect(page.getByTestId('run-button')).toHaveText(/Run$/, { timeout: sandboxReadyTimeoutMs });
  await expect(page.getByTestId('tx-function-select')).toBeEnabled();
}

/** Picks `fn` in the Transaction panel, fills its parameters by name and presses Submit or Evaluate; returns the result card once settled. */
export async function invoke(page: Page, mode: 'submit' | 'evaluate', fn: string, params: Record<string, string>): Promise<Locator> {
  await page.getByTestId('side-tab-transaction').click();
  await page.getByTestId('tx-function-select').selectOption(fn);
  for (const [name, value] of Object.entries(params)) await page.getByTestId(`tx-param-${name}`).fill(value);
  await page.getByTestId(mode === 'submit' ? 'tx-submit' : 'tx-evaluate').click();
  return page.getByTestId('result-card');
}

/** Waits until the result card shows a settled outcome (not pending). */
export async function settledResult(card: Locator): Promise<Locator> {
  await expect(card).not.toHaveAttribute('data-state', 'pending', { timeout: invokeTimeoutMs });
  return card;
}

/** The Monaco host. */
export function editor(page: Page): Locator {
  return page.getByTestId('editor');
}

/** Opens a file from the tree and waits for its tab and model. */
export async function openFile(page: Page, filePath: string): Promise<void> {
  const tree = page.getByTestId('file-tree');
  const parts = filePath.split('/');
  for (let i = 1; i < parts.length; i++) {
    const dir = tree.locator(`[data-testid="file-tree-item"][data-path="${parts.slice(0, i).join('/')}"]`);
    // Folders open expanded: wait until the tree shows this one, and click it only if it is collapsed
    // (a click before the tree has loaded would land once it shows, and fold it).
    await dir.waitFor({ state: 'visible' });
    if ((await dir.getAttribute('aria-expanded')) === 'false') await dir.click();
  }
  await tree.locator(`[data-testid="file-tree-item"][data-path="${filePath}"]`).click();
  await expect(editor(page)).toHaveAttribute('data-path', filePath);
  await expect(editor(page).locator('.view-lines')).not.toBeEmpty();
}

/**
 * Puts the cursor in the editor just after `before` in the first line of
 * `content` (the model's text) that contains `before`, by keyboard only:
 * Ctrl+Home, arrows down, End, arrows left. No find widget is involved, since
 * one left open moves the cursor to its next match on every edit.
 */
export async function placeCursorAfter(page: Page, content: string, before: string): Promise<number> {
  const lines = content.split('\n');
  const index = lines.findIndex((l) => l.includes(before));
  const text = lines[index];
  if (text === undefined) throw new Error(`"${before}" is not in the file`);
  await editor(page).getByRole('textbox', { name: 'Editor content' }).focus();
  await page.keyboard.press('Control+Home');
  for (let i = 0; i < index; i++) await page.keyboard.press('ArrowDown');
  await page.keyboard.press('End');
  const left = text.length - (text.indexOf(before) + before.length);
  for (let i = 0; i < left; i++) await page.keyboard.press('ArrowLeft');
  await expect.poll(() => cursorLine(page)).toBe(index + 1);
  return index + 1;
}

/** The line-number element of `line` in the gutter (the line must be in view). */
export function lineNumber(page: Page, line: number): Locator {
  return editor(page).locator('.margin-view-overlays .line-numbers').filter({ hasText: new RegExp(`^${line}$`) });
}

/** The line the cursor is on, from the highlighted line number. */
export async function cursorLine(page: Page): Promise<number> {
  const text = await editor(page).locator('.margin-view-overlays .line-numbers.active-line-number').first().textContent();
  return Number(text);
}

/** Clicks the glyph margin of `line` (the line must be in view), as a person sets a breakpoint. */
export async function clickGutter(page: Page, line: number): Promise<void> {
  const number = await lineNumber(page, line).boundingBox();
  const glyphs = await editor(page).locator('.glyph-margin').first().boundingBox();
  if (!number || !glyphs) throw new Error(`line ${line} is not in view`);
  await page.mouse.click(glyphs.x + glyphs.width / 2, number.y + number.height / 2);
}

/** The top of the line `line` in page coordinates, for comparing with a decoration. */
export async function lineTop(page: Page, line: number): Promise<number> {
  const box = await lineNumber(page, line).boundingBox();
  if (!box) throw new Error(`line ${line} is not in view`);
  return box.y;
}

/** Saves a screenshot of the whole IDE as `<name>.png` in the screenshot folder. */
export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(screenshotDir, `${name}.png`) });
}
