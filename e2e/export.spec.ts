/**
 * Export through the UI: the dialog refuses a label Fabric refuses, exports
 * a chaincode package and a CCaaS bundle, and the package ID it shows before
 * the download is `label:sha256` of the bytes the browser then downloads. An
 * operator's network (channel, version, sequence, namespace, address, TLS)
 * goes into the bundle, and the dialog says what to hand over and why the
 * bundle's hash is not the package ID's.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

  test("the bundle takes the operator's namespace, address, TLS, channel, version and sequence, and the dialog says what to hand over", async () => {
    const dialog = page.getByTestId('export-dialog');
    await expect(dialog.getByTestId('export-chaincode-name')).toHaveText('basic');
    // A field refuses what Kubernetes or Fabric would, and the bundle cannot be exported meanwhile.
    await dialog.getByTestId('export-namespace').fill('Fabric Prod');
    await expect(dialog.getByTestId('export-namespace-hint')).toHaveClass(/error/);
    await expect(dialog.getByTestId('export-ccaas')).toBeDisabled();
    await dialog.getByTestId('export-namespace').fill('fabric-prod');
    await dialog.getByTestId('export-address').fill('basic-cc.fabric-prod.svc.cluster.local:7052');
    await dialog.getByTestId('export-channel').fill('supply');
    await dialog.getByTestId('export-version').fill('2.0');
    await dialog.getByTestId('export-sequence').fill('4');
    await dialog.getByTestId('export-tls').check();
    await expect(dialog.getByTestId('export-ccaas')).toBeDisabled();
    await dialog.getByTestId('export-root-cert').fill('-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUe2e\n-----END CERTIFICATE-----\n');
    await expect(dialog.getByTestId('export-ccaas')).toBeEnabled();
    await dialog.getByTestId('export-ccaas').click();
    const result = dialog.getByTestId('export-result');
    await expect(result).toHaveAttribute('data-kind', 'ccaas', { timeout: exportTimeoutMs });

    const handover = result.getByTestId('export-handover');
    await expect(handover).toContainText(`${label}-k8s.tar.gz`);
    await expect(handover).toContainText('namespace fabric-prod');
    await expect(handover).toContainText('basic-cc.fabric-prod.svc.cluster.local:7052 with TLS');
    await expect(handover).toContainText('channel supply');
    await expect(handover).toContainText('--name basic');
    await expect(handover).toContainText('--version 2.0');
    await expect(handover).toContainText('--sequence 4');
    await expect(result.getByTestId('export-hash-note')).toContainText(`SHA-256 of ${label}.tar.gz, the package inside the bundle`);
    await screenshot(page, '15-export-handover');

    const bundle = await download();
    const read = (entry: string): string => spawnSync('tar', ['-xzOf', bundle, `${label}/${entry}`], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }).stdout;
    expect(sha256(readFileSync(bundle))).toBe(await result.getByTestId('export-sha256').textContent());
    const packageBytes = spawnSync('tar', ['-xzOf', bundle, `${label}/${label}.tar.gz`], { maxBuffer: 64 * 1024 * 1024 }).stdout;
    await expect(result.getByTestId('export-package-sha256')).toContainText(sha256(packageBytes));
    expect(sha256(packageBytes)).not.toBe(sha256(readFileSync(bundle)));
    // connection.json sits in code.tar.gz inside the package.
    const unpacked = mkdtempSync(path.join(downloads, 'pkg-'));
    writeFileSync(path.join(unpacked, 'package.tar.gz'), packageBytes);
    const code = spawnSync('tar', ['-xzOf', path.join(unpacked, 'package.tar.gz'), 'code.tar.gz'], { maxBuffer: 64 * 1024 * 1024 }).stdout;
    writeFileSync(path.join(unpacked, 'code.tar.gz'), code);
    const connection = JSON.parse(spawnSync('tar', ['-xzOf', path.join(unpacked, 'code.tar.gz'), 'connection.json'], { encoding: 'utf8' }).stdout) as Record<string, unknown>;
    expect(connection).toMatchObject({ address: 'basic-cc.fabric-prod.svc.cluster.local:7052', tls_required: true });
    expect(read('k8s/kustomization.yaml')).toContain('namespace: fabric-prod');
    expect(read('k8s/deployment.yaml')).toContain('secretName: basic-tls');
    expect(read('README.md')).toContain('--channelID supply --name basic --version 2.0 --sequence 4');
  });
});
