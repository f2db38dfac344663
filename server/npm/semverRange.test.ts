import { describe, expect, it } from 'vitest';
import { satisfies } from './semverRange.ts';

describe('semver range', () => {
  it('reads the ranges npm accepts as node-semver does', () => {
    const cases: [string, string, boolean][] = [
      ['2.5.8', '2.5.8', true],
      ['2.5.8', '=2.5.8', true],
      ['2.5.8', 'v2.5.8', true],
      ['2.5.8', '2.5.7', false],
      ['2.5.8', '^2.5.0', true],
      ['2.5.8', '^2.5.9', false],
      ['2.5.8', '^2.4', true],
      ['2.5.8', '^3.0.0', false],
      ['0.2.5', '^0.2.3', true],
      ['0.3.0', '^0.2.3', false],
      ['0.0.4', '^0.0.3', false],
      ['0.0.3', '^0.0.3', true],
      ['0.0.9', '^0.0', true],
      ['0.1.0', '^0.0', false],
      ['2.5.8', '~2.5.0', true],
      ['2.6.0', '~2.5.0', false],
      ['2.6.0', '~2', true],
      ['2.5.8', '~> 2.5', true],
      ['2.5.8', '2.x', true],
      ['2.5.8', '2.5.x', true],
      ['2.5.8', '2.4.x', false],
      ['2.5.8', '2', true],
      ['2.5.8', '*', true],
      ['2.5.8', '', true],
      ['2.5.8', 'x', true],
      ['2.5.8', '>=2.5.8', true],
      ['2.5.8', '>2.5.8', false],
      ['2.5.8', '>2.4', true],
      ['2.5.8', '>2.5', false],
      ['2.5.8', '<2.5.8', false],
      ['2.5.8', '<=2.5', true],
      ['2.5.8', '< 2.6.0', true],
      ['2.5.8', '>=2.0.0 <2.5.0', false],
      ['2.5.8', '>= 2.0.0 < 3', true],
      ['2.5.8', '2.0.0 - 2.5.8', true],
      ['2.5.8', '2.0.0 - 2.5', true],
      ['2.5.8', '2.0.0 - 2.4', false],
      ['2.5.8', '^1.4.0 || ^2.2.0', true],
      ['2.5.8', '^1.4.0 || ^3.0.0', false],
      ['2.5.8', '>=2.5.8-rc.1', true],
      ['2.5.8', '<2.5.8-rc.1', false],
      ['2.5.8', '2.5.8-rc.1', false],
      ['3.0.0', '<3', false],
    ];
    for (const [version, range, expected] of cases) expect(satisfies(version, range), `${version} in "${range}"`).toBe(expected);
  });

  it('does not guess at dist-tags or partial versions', () => {
    expect(satisfies('2.5.8', 'latest')).toBeUndefined();
    expect(satisfies('2.5', '^2.0.0')).toBeUndefined();
  });
});
