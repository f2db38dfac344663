import { describe, expect, it } from 'vitest';
import { ErrorCode, StudioError } from '../errors.ts';
import { checkRegistryDependencies, isRegistrySpec } from './registrySpec.ts';

describe('registry dependency specs', () => {
  it('accepts versions, semver ranges and dist-tags', () => {
    for (const spec of ['2.5.8', 'v2.5.8', '^2.5.8', '~5.9.3', '>=1.2.3 <2', '1.x', '*', 'x', '', '1.2.3 - 2.3.4', '^1 || ^2', '1.0.0-rc.1+build.5', 'latest', 'next', '>= 1.0.0']) {
      expect(isRegistrySpec(spec), spec).toBe(true);
    }
  });

  it('refuses git, GitHub, files, links, URLs, aliases, workspaces and user/repo shorthands', () => {
    for (const spec of [
      'git://github.com/user/repo.git',
      'git+https://github.com/user/repo.git',
      'git+ssh://git@github.com/user/repo.git#v1',
      'github:user/repo',
      'file:../shim',
      'link:../shim',
      '../shim',
      '/abs/shim',
      '~/shim',
      'http://example.com/shim.tgz',
      'https://example.com/shim.tgz',
      'npm:fabric-shim@2.5.8',
      'workspace:*',
      'user/repo',
      'user/repo#main',
      '1.0.0; rm -rf /',
      '$(id)',
    ]) {
      expect(isRegistrySpec(spec), spec).toBe(false);
    }
  });

  it('names the dependency, the kind of spec and what to do', () => {
    const refusal = (dependencies: Record<string, unknown>): StudioError => {
      try {
        checkRegistryDependencies(dependencies);
      } catch (err) {
        if (err instanceof StudioError) return err;
        throw err;
      }
      throw new Error('not refused');
    };
    const git = refusal({ 'fabric-shim': '2.5.8', evil: 'git+https://example.com/evil.git' });
    expect(git.code).toBe(ErrorCode.Export);
    expect(git.message).toMatch(/^The dependency "evil": "git\+https:\/\/example.com\/evil.git" in "dependencies" is a git repository; only packages from the npm registry/);
    expect(git.message).toMatch(/name a version or range instead/);
    expect(refusal({ x: 'file:../x' }).message).toMatch(/is a local path/);
    expect(refusal({ x: 'https://example.com/x.tgz' }).message).toMatch(/is a URL/);
    expect(refusal({ x: 'npm:y@1' }).message).toMatch(/is an npm alias/);
    expect(refusal({ x: 'workspace:^1' }).message).toMatch(/is a workspace reference/);
    expect(refusal({ x: 'user/repo' }).message).toMatch(/is a GitHub user\/repo shorthand/);
    expect(refusal({ x: 1 }).message).toMatch(/is not a string/);
    expect(refusal({ '../x': '1.0.0' }).message).toMatch(/is not an npm package name/);
    expect(() => checkRegistryDependencies({ 'fabric-shim': '2.5.8', '@scope/pkg': '^1.0.0' })).not.toThrow();
    expect(() => checkRegistryDependencies(undefined)).not.toThrow();
    expect(() => checkRegistryDependencies(['x'])).toThrow(StudioError);
  });
});
