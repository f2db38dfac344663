import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../config.ts';
import { checkFabricCommit, fabricModuleDir, requires } from './fabricModule.ts';

describe('STUDIO_FABRIC_COMMIT', () => {
  it('takes a commit hash or a Go module version of Fabric', () => {
    expect(checkFabricCommit('bd8e24856939')).toBe('bd8e24856939');
    expect(checkFabricCommit(' 0123456789abcdef0123456789abcdef01234567 ')).toBe('0123456789abcdef0123456789abcdef01234567');
    expect(checkFabricCommit('v1.4.0-rc1.0.20230401164317-bd8e24856939')).toBe('v1.4.0-rc1.0.20230401164317-bd8e24856939');
    expect(checkFabricCommit('v2.5.16')).toBe('v2.5.16');
  });

  it('refuses anything else, saying what it takes', () => {
    for (const bad of ['main', 'bd8e2485', '../../etc', 'bd8e24856939; rm -rf /', 'v2.5', '-x']) {
      expect(() => checkFabricCommit(bad), bad).toThrow(/neither a Fabric commit .* nor a Go module version/);
    }
  });

  it('builds from the pinned module when it is not set, without running go', async () => {
    await expect(fabricModuleDir('', () => undefined)).resolves.toBe(path.join(projectRoot, 'sandbox', 'fabric'));
  });

  it('knows when the pinned go.mod already requires the commit asked for (nothing to resolve)', () => {
    const goMod = 'module x\n\ngo 1.20\n\nrequire github.com/hyperledger/fabric v1.4.0-rc1.0.20230401164317-bd8e24856939\n';
    expect(requires(goMod, 'v1.4.0-rc1.0.20230401164317-bd8e24856939')).toBe(true);
    expect(requires(goMod, 'bd8e24856939')).toBe(true);
    expect(requires(goMod, 'bd8e24856939aaaabbbbccccddddeeeeffff0000')).toBe(true);
    expect(requires(goMod, '0123456789ab')).toBe(false);
    expect(requires(goMod, 'v2.5.16')).toBe(false);
    expect(requires('module x\n', 'bd8e24856939')).toBe(false);
  });
});
