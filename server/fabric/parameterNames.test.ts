import { describe, expect, it } from 'vitest';
import type { ContractMetadata } from '../../protocol/messages.ts';
import { applyParameterNames, methodParameterNames } from './parameterNames.ts';

const source = `
class AssetTransfer extends Contract {
  async CreateAsset(ctx, id, color, size) {}
  async ReadAsset(ctx, id) {}
  async Odd(ctx, { destructured }) {}
}`;

const metadata = (params: string[][]): ContractMetadata => ({
  raw: {},
  contracts: [
    {
      name: 'AssetTransfer',
      isDefault: true,
      transactions: [
        { name: 'CreateAsset', kind: 'submit', params: (params[0] ?? []).map((name) => ({ name, type: 'string' })) },
        { name: 'Odd', kind: 'submit', params: (params[1] ?? []).map((name) => ({ name, type: 'string' })) },
      ],
    },
  ],
});

describe('parameter names from JavaScript source', () => {
  it('reads method parameters after the context', () => {
    const names = methodParameterNames([{ file: 'a.js', text: source }]);
    expect(names.get('CreateAsset')).toEqual([['id', 'color', 'size']]);
    expect(names.get('ReadAsset')).toEqual([['id']]);
  });

  it('replaces argN names when the arity matches, and leaves the rest alone', () => {
    const names = methodParameterNames([{ file: 'a.js', text: source }]);
    const named = applyParameterNames(metadata([['arg0', 'arg1', 'arg2'], ['arg0']]), names);
    expect(named.contracts[0]?.transactions[0]?.params.map((p) => p.name)).toEqual(['id', 'color', 'size']);
    // A destructured parameter has no single name: keep the generated one.
    expect(named.contracts[0]?.transactions[1]?.params.map((p) => p.name)).toEqual(['arg0']);
    const wrongArity = applyParameterNames(metadata([['arg0', 'arg1']]), names);
    expect(wrongArity.contracts[0]?.transactions[0]?.params.map((p) => p.name)).toEqual(['arg0', 'arg1']);
  });

  it('keeps names that TypeScript metadata already gave', () => {
    const names = methodParameterNames([{ file: 'a.js', text: source }]);
    const named = applyParameterNames(metadata([['assetId', 'c', 's']]), names);
    expect(named.contracts[0]?.transactions[0]?.params.map((p) => p.name)).toEqual(['assetId', 'c', 's']);
  });
});
