import { describe, expect, it } from 'vitest';
import { findGoTxId, goStringValue } from './goTxId.ts';

const txId = 'a'.repeat(64);
// As Delve names the frames of a contractapi transaction's goroutine.
const frames = [
  { id: 1000, name: 'main.(*AssetTransferContract).CreateAsset' },
  { id: 1001, name: 'reflect.Value.Call' },
  { id: 1002, name: 'contractapi.(*ContractChaincode).Invoke' },
  { id: 1003, name: 'shim.(*Handler).handleTransaction' },
  { id: 1004, name: 'shim.(*Handler).handleTransaction-fm' },
  { id: 1005, name: 'shim.(*Handler).handleStubInteraction' },
  { id: 1006, name: 'shim.(*Handler).handleReady.gowrap2' },
  { id: 1007, name: 'runtime.goexit' },
];

describe('findGoTxId', () => {
  it("reads msg.Txid in the shim handler's frame at the bottom of the goroutine", async () => {
    const asked: unknown[] = [];
    const found = await findGoTxId({ request: async (command, args) => (asked.push([command, args]), { result: `"${txId}"`, variablesReference: 0 }) }, frames);
    expect(found).toBe(txId);
    expect(asked).toEqual([['evaluate', { expression: 'msg.Txid', frameId: 1005, context: 'clipboard' }]]);
  });

  it('gives nothing outside a transaction, on an error, or for a value that is no id', async () => {
    const never = { request: () => Promise.reject(new Error('not asked')) };
    expect(await findGoTxId(never, frames.slice(0, 3))).toBeUndefined();
    expect(await findGoTxId(never, [{ id: 1, name: 'example.com/notshim.(*Handler).handleTransaction' }])).toBeUndefined();
    expect(await findGoTxId(never, frames)).toBeUndefined();
    expect(await findGoTxId({ request: async () => ({ result: 'nil' }) }, frames)).toBeUndefined();
    expect(goStringValue('"a b"')).toBeUndefined();
    expect(goStringValue('"abc...+10 more"')).toBeUndefined();
  });
});
