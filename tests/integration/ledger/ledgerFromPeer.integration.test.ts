/**
 * What the ledger index does not keep whole is read from the peer's own
 * blocks: blocks older than those kept (this file keeps only 3), a
 * transaction in one of them, and a value the views show cut at 16 KiB.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

vi.hoisted(() => {
  process.env.STUDIO_LEDGER_BLOCKS_KEPT = '3';
});

import { ledgerValueMaxBytes, samplesDir } from '../../../server/config.ts';
import { ledgerBlocks, ledgerKeyHistory, ledgerTransaction, ledgerValue } from '../../../server/ledger/ledgerRequests.ts';
import type { WorkspaceSession } from '../../../server/session/workspaceSession.ts';
import { createTestSandboxes, type TestSandboxes } from '../../kit/sandboxTestKit.ts';

let kit: TestSandboxes;
let session: WorkspaceSession;
const workspace = 'ledger-peer';

beforeAll(async () => {
  kit = await createTestSandboxes('ccs-ledger-peer');
  session = await kit.workspace(workspace, path.join(samplesDir, 'asset-transfer-ts'));
  expect((await session.run()).ok).toBe(true);
});

afterAll(async () => {
  await kit.cleanup();
  expect(await kit.containers()).toEqual([]);
});

describe('the ledger view beyond what it keeps', () => {
  it('pages to blocks older than those kept, down to block 0, and opens a transaction in one of them', async () => {
    const first = await session.invoke({ workspace, mode: 'submit', contract: '', fn: 'CreateAsset', args: ['P0', 'red', '1', 'Ann', '10'] });
    for (let i = 1; i <= 4; i++) await kit.call(session, 'submit', 'CreateAsset', `P${i}`, 'red', '1', 'Ann', '10');
    const last = await session.invoke({ workspace, mode: 'submit', contract: '', fn: 'CreateAsset', args: ['P5', 'red', '1', 'Ann', '10'] });
    await expect.poll(async () => (await ledgerBlocks(session, { workspace, limit: 1 })).blocks[0]?.number, { timeout: 10_000 }).toBe(last.blockNumber);

    const height = BigInt(last.blockNumber ?? '0') + 1n;
    // Page down 2 at a time, as the view's "Older blocks" does, until block 0.
    const seen: string[] = [];
    let before: string | undefined;
    for (;;) {
      const page = await ledgerBlocks(session, { workspace, limit: 2, ...(before === undefined ? {} : { before }) });
      expect(page.height).toBe(String(height));
      if (page.blocks.length === 0) break;
      seen.push(...page.blocks.map((b) => b.number));
      before = page.blocks.at(-1)?.number;
    }
    expect(seen).toEqual(Array.from({ length: Number(height) }, (_, i) => String(Number(height) - 1 - i)));
    // Block 0 is the channel's configuration.
    const oldest = await ledgerBlocks(session, { workspace, limit: 1, before: '1' });
    expect(oldest.blocks[0]?.transactions[0]?.type).toBe('config');

    // The first create is no longer kept whole: without its block number it is not found, with it it is read from the peer.
    await expect(ledgerTransaction(session, { workspace, txId: first.txId ?? '' })).rejects.toThrow(/not among the blocks/);
    const detail = await ledgerTransaction(session, { workspace, txId: first.txId ?? '', blockNumber: first.blockNumber ?? '0' });
    expect(detail).toMatchObject({ txId: first.txId, blockNumber: first.blockNumber, fn: 'CreateAsset', validationCode: 'VALID' });
    expect(detail.readWriteSet.namespaces.find((n) => n.namespace === 'basic')?.writes.map((w) => w.key)).toEqual(['P0']);
  });

  it('opens a value over 16 KiB whole from the block that wrote it, by txId or by key version', async () => {
    const color = 'x'.repeat(40 * 1024);
    const big = await session.invoke({ workspace, mode: 'submit', contract: '', fn: 'CreateAsset', args: ['BIG', color, '1', 'Ann', '10'] });
    await expect.poll(async () => ledgerKeyHistory(session, { workspace, key: 'BIG' }).history.length, { timeout: 10_000 }).toBe(1);
    const [entry] = ledgerKeyHistory(session, { workspace, key: 'BIG' }).history;
    expect(entry?.value?.truncated).toBe(true);
    expect(entry?.value?.text.length).toBe(ledgerValueMaxBytes);

    const byVersion = await ledgerValue(session, { workspace, key: 'BIG', blockNumber: entry?.version.blockNum ?? '', txNum: entry?.version.txNum ?? '' });
    expect(byVersion.truncated).toBe(false);
    expect(byVersion.bytes).toBe(entry?.value?.bytes);
    expect(JSON.parse(byVersion.text)).toMatchObject({ ID: 'BIG', Color: color });
    const byTxId = await ledgerValue(session, { workspace, key: 'BIG', blockNumber: big.blockNumber ?? '', txId: big.txId ?? '' });
    expect(byTxId).toEqual(byVersion);

    // A key the transaction did not write, and a block not yet committed, are named.
    await expect(ledgerValue(session, { workspace, key: 'P1', blockNumber: big.blockNumber ?? '', txId: big.txId ?? '' })).rejects.toThrow(/wrote no value to this key/);
    await expect(ledgerValue(session, { workspace, key: 'BIG', blockNumber: '99999', txNum: '0' })).rejects.toThrow(/not committed yet/);
  });
});
