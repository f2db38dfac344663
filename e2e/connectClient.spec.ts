/**
 * Connect a client through the UI: the status bar names the channel, the
 * chaincode and the MSP ID; the dialog says to press Run while no sandbox
 * runs, then shows the Gateway endpoint and the rest; its download links give
 * the identity and a connection profile, with which a separate Node program
 * using @hyperledger/fabric-gateway reads the sandbox's ledger.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { projectRoot } from './config.ts';
import { expect, test } from './fixtures.ts';
import { createWorkspaceFromSample, openIde, runAndWaitReady, screenshot } from './idePage.ts';

const workspace = 'asset-client';
const clientProgram = path.join(projectRoot, 'tests', 'fixtures', 'gateway-client', 'client.mjs');

test.describe.serial('connect a client through the UI', () => {
  let page: Page;
  let downloads: string;

  test.beforeAll(async ({ browser }) => {
    page = await browser.newPage({ acceptDownloads: true });
    downloads = mkdtempSync(path.join(os.tmpdir(), 'studio-e2e-client-'));
  });
  test.afterAll(async () => {
    await page.close();
    rmSync(downloads, { recursive: true, force: true });
  });

  test('before Run the dialog says to press Run', async ({ studio }) => {
    await openIde(page, studio);
    await createWorkspaceFromSample(page, workspace, /TypeScript/);
    await page.getByTestId('connect-client-button').click();
    const dialog = page.getByTestId('connect-client-dialog');
    await expect(dialog.getByTestId('connect-client-error')).toContainText(/press Run/);
    await expect(dialog.getByTestId('connect-client-details')).toHaveCount(0);
    await dialog.getByRole('button', { name: 'Close' }).click();
    await expect(dialog).toHaveCount(0);
  });

  test('after Run the status bar and the dialog name the endpoint, channel, chaincode and MSP ID', async () => {
    await runAndWaitReady(page);
    await expect(page.getByTestId('status-channel')).toHaveText('studio');
    await expect(page.getByTestId('status-msp-id')).toHaveText('Org1MSP');
    // Whole, not cut off by the status message beside it.
    for (const id of ['status-channel', 'status-chaincode-name', 'status-msp-id']) await expect(page.getByTestId(id)).toBeInViewport({ ratio: 1 });
    const chaincodeName = (await page.getByTestId('status-chaincode-name').textContent()) ?? '';
    expect(chaincodeName).not.toBe('');

    await page.getByTestId('connect-client-button').click();
    const details = page.getByTestId('connect-client-details');
    await expect(details.getByTestId('connect-client-endpoint')).toHaveText(/^127\.0\.0\.1:\d+$/);
    await expect(details.getByTestId('connect-client-transport')).toHaveText(/plaintext/);
    await expect(details.getByTestId('connect-client-channel')).toHaveText('studio');
    await expect(details.getByTestId('connect-client-chaincode')).toHaveText(chaincodeName);
    await expect(details.getByTestId('connect-client-msp')).toHaveText('Org1MSP');
    await expect(details.getByTestId('connect-client-identity')).not.toHaveText(/^Admin@/);
    await screenshot(page, '09-connect-client');
  });

  test('the download links give the identity and a profile a separate Gateway program works with', async () => {
    const details = page.getByTestId('connect-client-details');
    const saved: Record<string, string> = {};
    for (const file of ['client-cert.pem', 'client-key.pem', 'connection-profile.json']) {
      const [download] = await Promise.all([page.waitForEvent('download'), details.getByTestId(`connect-client-download-${file}`).click()]);
      expect(download.suggestedFilename()).toBe(`${workspace}-${file}`);
      saved[file] = path.join(downloads, download.suggestedFilename());
      await download.saveAs(saved[file]);
    }
    expect(readFileSync(saved['client-cert.pem'] ?? '', 'utf8')).toMatch(/^-----BEGIN CERTIFICATE-----/);
    expect(readFileSync(saved['client-key.pem'] ?? '', 'utf8')).toMatch(/-----BEGIN (EC )?PRIVATE KEY-----/);
    const endpoint = (await details.getByTestId('connect-client-endpoint').textContent()) ?? '';
    const profile = JSON.parse(readFileSync(saved['connection-profile.json'] ?? '', 'utf8')) as { peers: Record<string, { url: string }> };
    expect(Object.values(profile.peers).map((p) => p.url)).toEqual([`grpc://${endpoint}`]);

    const chaincodeName = (await details.getByTestId('connect-client-chaincode').textContent()) ?? '';
    const stdout = execFileSync(process.execPath, [clientProgram, saved['connection-profile.json'] ?? '', saved['client-cert.pem'] ?? '', saved['client-key.pem'] ?? '', chaincodeName, 'evaluate:GetAllAssets'], {
      cwd: downloads,
      env: { PATH: process.env.PATH ?? '' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    const run = JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as { results: { result?: string; error?: string }[] };
    expect(run.results[0]?.error).toBeUndefined();
    expect(run.results[0]?.result).toMatch(/^\[/);
  });
});
