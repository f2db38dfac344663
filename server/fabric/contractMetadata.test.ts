import { describe, expect, it } from 'vitest';
import { parseContractMetadata } from './contractMetadata.ts';

const raw = {
  contracts: {
    AssetTransfer: {
      name: 'AssetTransfer',
      contractInstance: { name: 'AssetTransfer', default: true },
      transactions: [
        { name: 'CreateAsset', tags: ['SUBMIT', 'submitTx'], parameters: [{ name: 'id', schema: { type: 'string' } }, { name: 'size', schema: { type: 'number' } }] },
        { name: 'ReadAsset', tags: ['EVALUATE'], parameters: [{ name: 'id', schema: { type: 'string' }, required: false }], returns: { type: 'string' } },
        { name: 'GetAll', tag: ['evaluate'], parameters: [], returns: { schema: { type: 'array', items: { $ref: '#/components/schemas/Asset' } } } },
      ],
    },
    Other: { name: 'Other', contractInstance: { name: 'Other' }, transactions: [{ name: 'Ping' }] },
    'org.hyperledger.fabric': { name: 'org.hyperledger.fabric', transactions: [{ name: 'GetMetadata' }] },
  },
};

describe('parseContractMetadata', () => {
  it('lists contracts with the default first and drops the system contract', () => {
    const { contracts } = parseContractMetadata(raw);
    expect(contracts.map((c) => c.name)).toEqual(['AssetTransfer', 'Other']);
    expect(contracts[0]?.isDefault).toBe(true);
  });

  it('keeps parameter names and types, and tells submits from evaluates', () => {
    const [asset] = parseContractMetadata(raw).contracts;
    expect(asset?.transactions).toEqual([
      {
        name: 'CreateAsset',
        kind: 'submit',
        params: [
          { name: 'id', type: 'string', schema: { type: 'string' }, required: true },
          { name: 'size', type: 'number', schema: { type: 'number' }, required: true },
        ],
      },
      { name: 'ReadAsset', kind: 'evaluate', params: [{ name: 'id', type: 'string', schema: { type: 'string' }, required: false }], returns: 'string' },
      { name: 'GetAll', kind: 'evaluate', params: [], returns: 'Asset[]' },
    ]);
  });

  it('answers an empty list for metadata of an unknown shape', () => {
    expect(parseContractMetadata(null).contracts).toEqual([]);
    expect(parseContractMetadata({ contracts: 5 }).contracts).toEqual([]);
  });
});
