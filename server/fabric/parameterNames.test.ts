import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ContractMetadata } from '../../protocol/messages.ts';
import { parameterNameMaxFileBytes } from '../config.ts';
import { applyParameterNames, methodParameterNames, nameParametersFromSource } from './parameterNames.ts';

const source = `
class AssetTransfer extends Contract {
  async CreateAsset(ctx, id, color, size) {}
  async ReadAsset(ctx, id) {}
  async Odd(ctx, { destructured }) {}
}`;

const metadata = (params: string[][], contract = 'AssetTransfer'): ContractMetadata => ({
  raw: {},
  contracts: [
    {
      name: contract,
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
    expect(names.get('CreateAsset')).toEqual([{ contracts: ['AssetTransfer'], params: ['id', 'color', 'size'] }]);
    expect(names.get('ReadAsset')?.map((m) => m.params)).toEqual([['id']]);
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

const tsSource = `
import { Context, Contract } from 'fabric-contract-api';

interface Asset { id: string; owner: string }

export class Ledger extends Contract {
  constructor() {
    super('ledger');
  }
  public async CreateAsset(ctx: Context, assetId: string, owner: string, size: number): Promise<void> {
    const asset: Asset = { id: assetId, owner };
    await ctx.stub.putState(assetId, Buffer.from(JSON.stringify({ ...asset, size })));
  }
  public async Odd(this: Ledger, ctx: Context, amount: number): Promise<number> {
    return amount;
  }
}

export class Other extends Contract {
  public async CreateAsset(ctx: Context, a: string, b: string, c: string): Promise<void> {}
}
`;

describe('parameter names from TypeScript source without decorators', () => {
  it('reads typed parameters after the context, skipping a this parameter', () => {
    const names = methodParameterNames([{ file: 'src/ledger.ts', text: tsSource }]);
    expect(names.get('CreateAsset')).toEqual([
      { contracts: ['Ledger', 'ledger'], params: ['assetId', 'owner', 'size'] },
      { contracts: ['Other'], params: ['a', 'b', 'c'] },
    ]);
    expect(names.get('Odd')?.[0]?.params).toEqual(['amount']);
  });

  it("takes the method of the contract's own class, by class name or by the name given to super", () => {
    const names = methodParameterNames([{ file: 'src/ledger.ts', text: tsSource }]);
    const byName = (contract: string): (string | undefined)[] | undefined =>
      applyParameterNames(metadata([['arg0', 'arg1', 'arg2']], contract), names).contracts[0]?.transactions[0]?.params.map((p) => p.name);
    expect(byName('ledger')).toEqual(['assetId', 'owner', 'size']);
    expect(byName('Other')).toEqual(['a', 'b', 'c']);
    // No class claims the contract: the first method that fits.
    expect(byName('Unknown')).toEqual(['assetId', 'owner', 'size']);
  });

  it('reads .ts files of a workspace, not declarations, node_modules or files over the size cap', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'param-names-'));
    try {
      await fs.mkdir(path.join(dir, 'src'));
      await fs.mkdir(path.join(dir, 'node_modules'));
      await fs.writeFile(path.join(dir, 'src', 'ledger.ts'), tsSource);
      await fs.writeFile(path.join(dir, 'src', 'odd.d.ts'), 'declare class Ledger { Decoy(ctx: unknown, fromDeclaration: number): void }');
      await fs.writeFile(path.join(dir, 'node_modules', 'dep.ts'), 'class Ledger { Decoy(ctx, fromDependency) {} }');
      const withDecoy = metadata([['arg0', 'arg1', 'arg2'], ['arg0']], 'ledger');
      const [contract] = withDecoy.contracts;
      contract?.transactions.push({ name: 'Decoy', kind: 'submit', params: [{ name: 'arg0', type: 'string' }] });
      const named = await nameParametersFromSource(withDecoy, dir);
      expect(named.contracts[0]?.transactions.map((t) => t.params.map((p) => p.name))).toEqual([['assetId', 'owner', 'size'], ['amount'], ['arg0']]);

      await fs.writeFile(path.join(dir, 'src', 'ledger.ts'), tsSource + `// ${'x'.repeat(parameterNameMaxFileBytes)}`);
      const capped = await nameParametersFromSource(metadata([['arg0', 'arg1', 'arg2']], 'ledger'), dir);
      expect(capped.contracts[0]?.transactions[0]?.params.map((p) => p.name)).toEqual(['arg0', 'arg1', 'arg2']);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
