import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../errors.ts';
import { fetchedPackage, npmFailure } from './npmOutput.ts';

const registry = 'https://registry.npmjs.org/';

describe('npm output', () => {
  it('reads the package of a tarball fetch line', () => {
    expect(fetchedPackage('npm http fetch GET 200 https://registry.npmjs.org/sort-keys-recursive/-/sort-keys-recursive-2.1.10.tgz 88ms (cache miss)')).toBe(
      'sort-keys-recursive@2.1.10',
    );
    expect(fetchedPackage('npm http fetch GET 200 https://registry.npmjs.org/@tsconfig/node20/-/node20-20.1.6.tgz 30ms (cache hit)')).toBe('@tsconfig/node20@20.1.6');
    expect(fetchedPackage('npm http fetch GET 200 https://registry.npmjs.org/sort-keys-recursive 120ms (cache miss)')).toBeUndefined();
    expect(fetchedPackage('added 3 packages in 2s')).toBeUndefined();
  });

  it('names the package npm could not fetch, and why', () => {
    const etarget = npmFailure(
      ['npm error code ETARGET', 'npm error notarget No matching version found for sort-keys-recursive@^99.0.0.', 'npm error notarget In most cases you or one of your dependencies are requesting'],
      registry,
    );
    expect(etarget).toMatchObject({ code: ErrorCode.NotFound, data: { package: 'sort-keys-recursive@^99.0.0', npmCode: 'ETARGET' } });
    expect(etarget.message).toMatch(/^No version of `sort-keys-recursive@\^99.0.0` is in the npm registry \(ETARGET\)/);

    const unreachable = npmFailure(
      [
        'npm error code ENOTFOUND',
        'npm error syscall getaddrinfo',
        'npm error errno ENOTFOUND',
        'npm error network request to https://registry.npmjs.org/@tsconfig%2fnode20 failed, reason: getaddrinfo ENOTFOUND registry.npmjs.org',
      ],
      registry,
    );
    expect(unreachable.data).toEqual({ package: '@tsconfig/node20', npmCode: 'ENOTFOUND' });
    expect(unreachable.message).toBe(
      'Could not fetch `@tsconfig/node20` from the npm registry https://registry.npmjs.org/ (ENOTFOUND): check that the server can reach the registry, then try again.',
    );

    const older = npmFailure(['npm ERR! code E404', "npm ERR! 404  'nope-pkg@^2.0.0' is not in this registry."], registry);
    expect(older.message).toMatch(/^`nope-pkg@\^2.0.0` is not in the npm registry \(E404\)/);
    const old404 = npmFailure(['npm ERR! code E404', 'npm ERR! 404 Not Found - GET https://registry.npmjs.org/nope-pkg - Not found'], registry);
    expect(old404.message).toMatch(/^`nope-pkg` is not in the npm registry \(E404\)/);

    const other = npmFailure(['npm error code EINTEGRITY', 'npm error sha512-abc integrity checksum failed'], registry);
    expect(other.message).toMatch(/^npm could not install the workspace's dependencies \(EINTEGRITY\):\ncode EINTEGRITY\n/);
  });
});
