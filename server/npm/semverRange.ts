/**
 * Whether a released version (`2.5.8`) satisfies an npm semver range, for
 * the ranges registrySpec.ts accepts: `||` sets of comparators (`<`, `<=`,
 * `>`, `>=`, `=`, `~`, `^`), x-ranges (`1.x`, `*`) and hyphen ranges. A small
 * part of node-semver, which the server does not depend on; pre-release
 * versions are ordered before their release and otherwise not special-cased.
 */

/** A version as [major, minor, patch, release? 1 : 0], compared in that order. */
type Tuple = readonly [number, number, number, number];
interface PartialVersion {
  readonly parts: readonly number[];
  readonly prerelease: boolean;
}
/** Inclusive/exclusive bounds; undefined for none. */
interface Bounds {
  readonly min?: { readonly at: Tuple; readonly inclusive: boolean };
  readonly max?: { readonly at: Tuple; readonly inclusive: boolean };
}

const partialPattern = /^v?((?:[xX*]|\d+)(?:\.(?:[xX*]|\d+)){0,2})(-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;

function parsePartial(text: string): PartialVersion | undefined {
  const match = partialPattern.exec(text);
  if (match === null || match[1] === undefined) return undefined;
  const parts: number[] = [];
  for (const part of match[1].split('.')) {
    if (/^[xX*]$/.test(part)) break;
    parts.push(Number(part));
  }
  return { parts, prerelease: match[2] !== undefined };
}

function tuple(parts: readonly number[], release = true): Tuple {
  return [parts[0] ?? 0, parts[1] ?? 0, parts[2] ?? 0, release ? 1 : 0];
}

/** The first version after every version `parts` names (`1.2` → `1.3.0`): bumped at its last given part. */
function after(parts: readonly number[]): Tuple {
  const bumped = [...parts];
  const last = bumped.length - 1;
  bumped[last] = (bumped[last] ?? 0) + 1;
  return tuple(bumped, false);
}

function compare(a: Tuple, b: Tuple): number {
  for (let i = 0; i < 4; i += 1) if (a[i] !== b[i]) return (a[i] ?? 0) - (b[i] ?? 0);
  return 0;
}

function comparatorBounds(operator: string, version: PartialVersion): Bounds {
  const { parts } = version;
  const exact = tuple(parts, !version.prerelease);
  if (parts.length === 0) return operator === '<' || operator === '>' ? { max: { at: [0, 0, 0, 0], inclusive: false } } : {};
  const full = parts.length === 3;
  switch (operator) {
    case '>':
      return { min: full ? { at: exact, inclusive: false } : { at: after(parts), inclusive: true } };
    case '>=':
      return { min: { at: exact, inclusive: true } };
    case '<':
      return { max: { at: exact, inclusive: false } };
    case '<=':
      return { max: full ? { at: exact, inclusive: true } : { at: after(parts), inclusive: false } };
    case '~':
    case '~>':
      return { min: { at: exact, inclusive: true }, max: { at: after(parts.slice(0, Math.min(parts.length, 2))), inclusive: false } };
    case '^': {
      const firstNonZero = parts.findIndex((part) => part !== 0);
      const upTo = firstNonZero === -1 ? parts.length : firstNonZero + 1;
      return { min: { at: exact, inclusive: true }, max: { at: after(parts.slice(0, Math.min(upTo, parts.length))), inclusive: false } };
    }
    default:
      return full ? { min: { at: exact, inclusive: true }, max: { at: exact, inclusive: true } } : { min: { at: exact, inclusive: true }, max: { at: after(parts), inclusive: false } };
  }
}

function within(version: Tuple, bounds: Bounds): boolean {
  const { min, max } = bounds;
  if (min !== undefined && (min.inclusive ? compare(version, min.at) < 0 : compare(version, min.at) <= 0)) return false;
  if (max !== undefined && (max.inclusive ? compare(version, max.at) > 0 : compare(version, max.at) >= 0)) return false;
  return true;
}

function setBounds(set: string): Bounds[] | undefined {
  const hyphen = /^(\S+)\s+-\s+(\S+)$/.exec(set);
  if (hyphen !== null) {
    const low = parsePartial(hyphen[1] ?? '');
    const high = parsePartial(hyphen[2] ?? '');
    if (low === undefined || high === undefined) return undefined;
    return [comparatorBounds('>=', low), comparatorBounds('<=', high)];
  }
  const comparators = set.replace(/(<=|>=|<|>|=|~>|~|\^)\s+/g, '$1').split(/\s+/).filter(Boolean);
  const bounds: Bounds[] = [];
  for (const comparator of comparators) {
    const match = /^(<=|>=|<|>|=|~>|~|\^)?(.*)$/.exec(comparator);
    const version = parsePartial(match?.[2] ?? '');
    if (version === undefined) return undefined;
    bounds.push(comparatorBounds(match?.[1] ?? '', version));
  }
  return bounds;
}

/**
 * True when `version` (a released `x.y.z`) is in `range`; undefined when
 * either is not something this module reads (a dist-tag such as `latest`).
 */
export function satisfies(version: string, range: string): boolean | undefined {
  const parsed = parsePartial(version.trim());
  if (parsed === undefined || parsed.parts.length !== 3) return undefined;
  const at = tuple(parsed.parts, !parsed.prerelease);
  let any = false;
  for (const set of range.trim() === '' ? [''] : range.split('||')) {
    const bounds = setBounds(set.trim());
    if (bounds === undefined) return undefined;
    if (bounds.every((bound) => within(at, bound))) any = true;
  }
  return any;
}
