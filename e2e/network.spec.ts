/**
 * The network settings in the project bar: a policy is checked against the
 * orgs as it is typed, a change of org count asks first and names what the
 * rebuild loses, a one-org policy saved here is what the next Run
 * approves, and a submit with a chosen endorsing org names who endorsed;
 * then two orgs: saved after the confirmation, built by Run, a submit as
 * Org2 endorsed by both orgs.
 */
import type { BrowserContext, Page } from '@playwright/test';
import { seriousViolations } from './accessibility.ts';
import { expect, test } from './fixtures.ts';
import { createWorkspaceFromSample, invoke, openIde, runAndWaitReady, settledResult } from './idePage.ts';

const workspace = 'network-settings';

test.describe.serial('network settings', () => {
  let context: BrowserContext;
  let page: Page;

  // axe-core runs in a page of a context of our own (it refuses browser.newPage()).
  test.beforeAll(async ({ browser }) => {
    context = await browser.newContext();
    page = await context.newPage();
  });
  test.afterAll(async () => {
    await context.close();
  });

  test('checks the policy against the orgs as it is typed', async ({ studio }) => {
    await openIde(page, studio);
    await createWorkspaceFromSample(page, workspace, /TypeScript/);
    const settings = page.getByTestId('network-settings');
    await expect(page.getByTestId('network-summary')).toHaveText('Network: 1 org · studio');
    await page.getByTestId('network-summary').click();
    await settings.getByTestId('network-policy').fill("AND('Org1MSP.peer','Org2MSP.peer')");
    await expect(settings.getByTestId('network-endorsementPolicy-hint')).toHaveText('"Org2MSP" is not an org of this network (its orgs: Org1MSP)');
    await expect(settings.getByTestId('network-save')).toBeDisabled();
    expect(await seriousViolations(page)).toEqual([]);

    await settings.getByTestId('network-org-count').selectOption('2');
    await expect(settings.getByTestId('network-msp-1')).toHaveValue('Org2MSP');
    await expect(settings.getByTestId('network-endorsementPolicy-hint')).toHaveText(/Fabric's syntax/);
    await settings.getByTestId('network-state-database').selectOption('couchdb');
    await expect(settings.getByTestId('network-stateDatabase-hint')).toContainText('CouchDB is not available here');
    await settings.getByTestId('network-state-database').selectOption('leveldb');
    await page.getByTestId('side-tab-transaction').click();
    expect(await seriousViolations(page)).toEqual([]);
  });

  test('asks before a new org count, naming what the rebuild loses', async () => {
    const settings = page.getByTestId('network-settings');
    await settings.getByTestId('network-save').click();
    const dialog = page.getByTestId('confirm-action-dialog');
    await expect(dialog.getByTestId('confirm-loses')).toContainText('the ledger of channel "studio"');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await expect(dialog).toHaveCount(0);
    await expect(page.getByTestId('network-summary')).toHaveText('Network: 1 org · studio');
  });

  test('saves a one-org policy, and Run approves it', async () => {
    const settings = page.getByTestId('network-settings');
    await settings.getByTestId('network-org-count').selectOption('1');
    await settings.getByTestId('network-policy').fill("OR('Org1MSP.peer')");
    await settings.getByTestId('network-save').click();
    await expect(settings.getByTestId('network-save-hint')).toHaveText(/new chaincode definition \(next sequence\); the ledger stays/);
    await expect(page.getByTestId('network-summary')).toHaveText('Network: 1 org · studio · policy');
    await runAndWaitReady(page);
  });

  test('submits with the chosen endorsing org, and the result names who endorsed', async () => {
    await page.getByTestId('side-tab-transaction').click();
    await page.getByTestId('tx-endorse-Org1MSP').check();
    const card = await settledResult(await invoke(page, 'submit', 'CreateAsset', { id: 'net-1', color: 'teal', size: '7', owner: 'Alice', appraisedValue: '1200' }));
    await expect(card.getByTestId('result-validation')).toHaveText('VALID');
    await expect(card.getByTestId('result-endorsers')).toHaveText('Org1MSP');
    expect(await seriousViolations(page)).toEqual([]);
  });

  test('switches to two orgs, Run builds them, and a submit as Org2 is endorsed by both', async () => {
    const settings = page.getByTestId('network-settings');
    // The form may still be open from the step before.
    if (!(await settings.getByTestId('network-org-count').isVisible())) await page.getByTestId('network-summary').click();
    await settings.getByTestId('network-org-count').selectOption('2');
    await settings.getByTestId('network-policy').fill("AND('Org1MSP.peer','Org2MSP.peer')");
    await settings.getByTestId('network-save').click();
    const dialog = page.getByTestId('confirm-action-dialog');
    await dialog.getByRole('button', { name: 'Save and rebuild at next Run' }).click();
    await expect(page.getByTestId('network-summary')).toHaveText(/^Network: 2 orgs · studio/);
    await runAndWaitReady(page);

    await page.getByTestId('side-tab-transaction').click();
    await page.getByTestId('tx-endorse-Org1MSP').uncheck();
    await page.getByTestId('tx-as-org').selectOption('Org2MSP');
    const card = await settledResult(await invoke(page, 'submit', 'CreateAsset', { id: 'net-2', color: 'plum', size: '3', owner: 'Bob', appraisedValue: '800' }));
    await expect(card.getByTestId('result-validation')).toHaveText('VALID');
    await expect(card.getByTestId('result-endorsers')).toHaveText(/^(Org1MSP, Org2MSP|Org2MSP, Org1MSP)$/);
    expect(await seriousViolations(page)).toEqual([]);
  });
});
