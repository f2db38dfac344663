import { describe, expect, it } from 'vitest';
import { checkRuntimeVersions, sandboxRuntimeVersions } from './fabricRuntime.ts';

describe('fabric runtime versions', () => {
  it('reads what the sandbox image ships', async () => {
    const runs = await sandboxRuntimeVersions();
    expect(runs['fabric-contract-api']).toMatch(/^\d+\.\d+\.\d+$/);
    expect(runs['fabric-shim']).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('says which version runs and whether package.json accepts it', () => {
    const runs = { 'fabric-contract-api': '2.5.8', 'fabric-shim': '2.5.8' };
    const [api, shim] = checkRuntimeVersions({ dependencies: { 'fabric-contract-api': '^2.5.0', 'fabric-shim': '~2.4.0' } }, runs);
    expect(api).toEqual({
      package: 'fabric-contract-api',
      runs: '2.5.8',
      requested: '^2.5.0',
      compatible: true,
      message: 'fabric-contract-api 2.5.8 runs (the sandbox\'s), which matches "^2.5.0" in package.json.',
    });
    expect(shim).toMatchObject({ package: 'fabric-shim', runs: '2.5.8', requested: '~2.4.0', compatible: false });
    expect(shim?.message).toMatch(/^fabric-shim 2.5.8 runs \(the sandbox's\), outside "~2.4.0" that package.json asks for: .* e\.g\. "\^2\.5\.8"\.$/);

    const [unlisted, tagged] = checkRuntimeVersions({ devDependencies: { 'fabric-shim': 'latest' } }, runs);
    expect(unlisted).toMatchObject({ requested: undefined, compatible: true, message: expect.stringMatching(/does not list it/) });
    expect(tagged).toMatchObject({ requested: 'latest', compatible: true });
  });
});
