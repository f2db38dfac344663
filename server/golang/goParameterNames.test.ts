import { describe, expect, it } from 'vitest';
import { goMethodParameterNames } from './goParameterNames.ts';

describe('goMethodParameterNames', () => {
  it('reads the names after the context, grouped names taking the next type', () => {
    const text = [
      'func (s *AssetTransferContract) CreateAsset(ctx contractapi.TransactionContextInterface, id string, color string, size int, owner string, appraisedValue int) error {',
      'func (s *AssetTransferContract) TransferAsset(ctx contractapi.TransactionContextInterface, id, newOwner string) (string, error) {',
      'func (c MyContract) Get(ctx contractapi.TransactionContextInterface,',
      '\tkey string, // the key',
      ') (string, error) {',
      'func putAsset(ctx contractapi.TransactionContextInterface, asset Asset) error {',
      'func (s *Helper) Format(a string, b int) string {',
    ].join('\n');
    const names = goMethodParameterNames([{ file: 'contract.go', text }]);
    expect(names.get('CreateAsset')).toEqual([{ contracts: ['AssetTransferContract'], params: ['id', 'color', 'size', 'owner', 'appraisedValue'] }]);
    expect(names.get('TransferAsset')?.[0]?.params).toEqual(['id', 'newOwner']);
    expect(names.get('Get')).toEqual([{ contracts: ['MyContract'], params: ['key'] }]);
    expect(names.has('putAsset')).toBe(false);
    expect(names.has('Format')).toBe(false);
  });
});
