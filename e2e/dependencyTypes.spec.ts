/**
 * IntelliSense on a workspace's own npm packages: an imported TypeScript
 * project that depends on json-stringify-deterministic (which ships its
 * declarations) shows "Cannot find module" in the editor until Run installs
 * its dependencies, then the editor's TypeScript worker sees the installed
 * declarations: no error marker, and hovering the import shows its type.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import WebSocket from 'ws';
import { chaincodeRestartTimeoutMs, projectRoot } from './config.ts';
import { expect, test, type StudioServer } from './fixtures.ts';
import { editor, openFile, openIde, runAndWaitReady, screenshot } from './idePage.ts';

const workspace = 'own-packages';
const fixture = path.join(projectRoot, 'tests', 'fixtures', 'imported-ts');
const file = 'src/canonical.ts';

/** The fixture's files, as the browser sends a picked folder's. */
function pickedFolder(dir: string, under = ''): { path: string; text: string }[] {
  return readdirSync(path.join(dir, under)).flatMap((name) => {
    const rel = under === '' ? name : `${under}/${name}`;
    return statSync(path.join(dir, rel)).isDirectory() ? pickedFolder(dir, rel) : [{ path: `asset-transfer-basic/${rel}`, text: readFileSync(path.join(dir, rel), 'utf8') }];
  });
}

/** Imports the fixture through `workspace/import` on the server's WebSocket, as the import dialog does. */
async function importProject(studio: StudioServer): Promise<void> {
  const ws = new WebSocket(`ws://127.0.0.1:${studio.port}/ws?token=${studio.token}`, { origin: studio.url });
  try {
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    const reply = await new Promise<unknown>((resolve, reject) => {
      ws.on('message', (data) => {
        const message = JSON.parse(String(data)) as { id?: number };
        if (message.id === 1) resolve(message);
      });
      ws.once('error', reject);
      ws.send(JSON.stringify({ id: 1, method: 'workspace/import', params: { name: workspace, files: pickedFolder(fixture) } }));
    });
    expect(reply).toMatchObject({ result: { workspace } });
  } finally {
    ws.close();
  }
}

/**
 * Hovers the first token `token` in the editor, as a person points at it, until the hover shows `text`.
 * The editor re-renders its lines as declarations arrive after a Run, so a span found a moment ago may be
 * gone when it is measured: look it up again on each try.
 */
async function expectHover(page: Page, token: string, text: string, timeout = 30_000): Promise<void> {
  const exact = new RegExp(`^${token.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
  await expect(async () => {
    await page.mouse.move(0, 0);
    const target = editor(page).locator('.view-line span span', { hasText: exact }).first();
    await target.waitFor({ state: 'visible', timeout: 5_000 });
    const box = await target.boundingBox();
    if (!box) throw new Error(`"${token}" is not in view`);
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await expect(page.locator('.monaco-hover:not(.hidden)')).toContainText(text, { timeout: 5_000 });
  }).toPass({ timeout });
}

test('the editor sees the declarations of the packages a Run installed', async ({ page, studio }) => {
  await importProject(studio);
  await openIde(page, studio, workspace);
  await openFile(page, file);

  // Before any install the worker cannot resolve the package: the check below is able to fail.
  await expect(editor(page).locator('.squiggly-error').first()).toBeVisible({ timeout: chaincodeRestartTimeoutMs });
  await expectHover(page, "'json-stringify-deterministic'", "Cannot find module 'json-stringify-deterministic'");

  await runAndWaitReady(page);
  await expect(editor(page).locator('.squiggly-error')).toHaveCount(0, { timeout: chaincodeRestartTimeoutMs });
  await expectHover(page, 'stringify', 'stringify(obj: unknown, opts?: Options): string');
  await expect(page.locator('.monaco-hover:not(.hidden)')).not.toContainText('Cannot find module');
  await screenshot(page, 'dependency-types-hover');

  // Opened again in a fresh page, the declarations come back without a Run.
  await openIde(page, studio, workspace);
  await openFile(page, file);
  await expectHover(page, 'stringify', 'stringify(obj: unknown, opts?: Options): string', chaincodeRestartTimeoutMs);
  await expect(editor(page).locator('.squiggly-error')).toHaveCount(0);
});
