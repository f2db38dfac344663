/**
 * Export through the UI: the dialog refuses a label Fabric refuses, exports
 * a chaincode package and a CCaaS bundle, and the package ID it shows before
 * the download is `label:sha256` of the bytes the browser then downloads.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { exportTimeoutMs } from './config.ts';
import { expect, test } from './fixtures.ts';
import { createWorkspaceFromSample, openIde, screenshot } from './idePage.ts';

const workspace = 'asset-export';
const label = 'asset_e2e_1.0';

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

/** The names of the entries of a .tar.gz file. */
const tarEntries = (file: string): string[] => spawnSync('tar', ['-tzf', file], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);

test.describe.serial('export through the UI', () => {
  let page: Page;
  let downloads: string;

  test.beforeAll(async ({ browser }) => {
    page = await browser.newPage({ acceptDownloads: true });
    downloads = mkdtempSync(path.join(os.tmpdir(), 'studio-e2e-downloads-'));
  });
  test.afterAll(async () => {
    await page.close();
    rmSync(downloads, { recursive: true, force: true });
  });

  /** Clicks the dialog's download link and returns where Playwright saved the file. */
  const download = async (): Promise<string> => {
    const [file] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-download').click()]);
    const target = path.join(downloads, file.suggestedFilename());
    await file.saveAs(target);
    return target;
  };

  test('the dialog checks the label against Fabric’s rule before exporting', async ({ studio }) => {
    await openIde(page, studio);
    await createWorkspaceFromSample(page, workspace, /TypeScript/);
    await page.getByTestId('export-button').click();
    const dialog = page.getByTestId('export-dialog');
    await expect(dialog).toBeVisible();
    const input = dialog.getByTestId('export-label-input');
    await expect(input).not.toHaveValue('');

    for (const bad of ['basic 1.0', '_basic', 'basic:1']) {
      await input.fill(bad);
      await expect(dialog.getByTestId('export-label-hint')).toHaveClass(/error/);
      await expect(dialog.getByTestId('export-package')).toBeDisabled();
      await expect(dialog.getByTestId('export-ccaas')).toBeDisabled();
    }
    await input.fill(label);
    await expect(dialog.getByTestId('export-label-hint')).not.toHaveClass(/error/);
    await expect(dialog.getByTestId('export-package')).toBeEnabled();
  });

  test('Export package shows the package ID, and it is label:sha256 of the downloaded file', async () => {
    const dialog = page.getByTestId('export-dialog');
    await dialog.getByTestId('export-package').click();
    const result = dialog.getByTestId('export-result');
    await expect(result).toHaveAttribute('data-kind', 'package', { timeout: exportTimeoutMs });
    const shownId = (await result.getByTestId('export-package-id').textContent()) ?? '';
    expect(shownId).toMatch(new RegExp(`^${label.replace(/\./g, '\\.')}:[0-9a-f]{64}$`));
    await screenshot(page, '07-export-dialog');

    const file = await download();
    expect(path.basename(file)).toBe(`${label}.tar.gz`);
    expect(`${label}:${sha256(readFileSync(file))}`).toBe(shownId);
    expect(tarEntries(file).sort()).toEqual(['code.tar.gz', 'metadata.json']);
  });

  test('Export CCaaS bundle holds the ccaas package whose ID the dialog shows', async () => {
    const dialog = page.getByTestId('export-dialog');
    await dialog.getByTestId('export-ccaas').click();
    const result = dialog.getByTestId('export-result');
    await expect(result).toHaveAttribute('data-kind', 'ccaas', { timeout: exportTimeoutMs });
    const shownId = (await result.getByTestId('export-package-id').textContent()) ?? '';
    expect(shownId).toMatch(new RegExp(`^${label.replace(/\./g, '\\.')}:[0-9a-f]{64}$`));

    const bundle = await download();
    const inner = `${label}/${label}.tar.gz`;
    expect(tarEntries(bundle)).toContain(inner);
    const packageBytes = spawnSync('tar', ['-xzOf', bundle, inner], { maxBuffer: 64 * 1024 * 1024 }).stdout;
    expect(`${label}:${sha256(packageBytes)}`).toBe(shownId);
  });
});
