/**
 * npm's output, read for the user: the fetch lines of `--loglevel http`
 * become progress steps, and the error lines of a failed install become one
 * message that names the package npm could not fetch and why.
 */
import { ErrorCode, StudioError } from '../errors.ts';

/** `npm http fetch GET 200 https://registry.npmjs.org/@scope/name/-/name-1.2.3.tgz 45ms (cache miss)` */
const tarballFetch = /^npm http fetch GET \d+ (\S+\.tgz)\b/;
const errorPrefix = /^npm (?:error|ERR!) /;
const networkCodes = new Set(['ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENETUNREACH', 'EHOSTUNREACH', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY']);

/** `name@version` of a registry tarball URL, or undefined for any other line. */
export function fetchedPackage(line: string): string | undefined {
  const url = tarballFetch.exec(line)?.[1];
  if (url === undefined) return undefined;
  let pathname: string;
  try {
    pathname = decodeURIComponent(new URL(url).pathname);
  } catch {
    return undefined;
  }
  const match = /\/((?:@[^/]+\/)?[^/]+)\/-\/(?:[^/]+\/)?[^/]+?-(\d+\.\d+\.\d+[^/]*)\.tgz$/.exec(pathname);
  return match === null ? undefined : `${match[1]}@${match[2]}`;
}

/** The package name in a registry URL (`<registry>/@scope%2fname`, `<registry>/name/-/name-1.0.0.tgz`). */
function packageOfUrl(url: string, registryUrl: string): string | undefined {
  try {
    const base = new URL(registryUrl).pathname.replace(/\/?$/, '/');
    const pathname = decodeURIComponent(new URL(url).pathname);
    const parts = (pathname.startsWith(base) ? pathname.slice(base.length) : pathname).split('/').filter(Boolean);
    const name = parts[0]?.startsWith('@') === true && parts[1] !== undefined ? `${parts[0]}/${parts[1]}` : parts[0];
    return name === '' ? undefined : name;
  } catch {
    return undefined;
  }
}

/** The error lines of npm's output, without their prefix. */
function errorLines(lines: readonly string[]): string[] {
  return lines.filter((line) => errorPrefix.test(line)).map((line) => line.replace(errorPrefix, '').trim());
}

/**
 * The error to show for an npm run that failed: which package could not be
 * fetched and why when npm says so (E404, ETARGET, an unreachable registry),
 * else npm's own last error lines.
 */
export function npmFailure(lines: readonly string[], registryUrl: string): StudioError {
  const errors = errorLines(lines);
  const code = errors.map((line) => /^code (\S+)$/.exec(line)?.[1]).find((found) => found !== undefined) ?? '';
  const text = errors.join('\n');
  const tail = errors.slice(-8).join('\n');

  if (code === 'E404') {
    const spec = /'([^']+)' (?:is not in this registry|could not be found)/.exec(text)?.[1] ?? packageOfUrl(/404 Not Found - GET (\S+)/.exec(text)?.[1] ?? '', registryUrl);
    if (spec !== undefined) {
      return new StudioError(ErrorCode.NotFound, `\`${spec}\` is not in the npm registry (E404): check the name in package.json.`, {
        data: { package: spec, npmCode: code },
      });
    }
  }
  if (code === 'ETARGET') {
    const spec = /No matching version found for (\S+?)\.?$/m.exec(text)?.[1];
    if (spec !== undefined) {
      return new StudioError(ErrorCode.NotFound, `No version of \`${spec}\` is in the npm registry (ETARGET): name a version that is published.`, {
        data: { package: spec, npmCode: code },
      });
    }
  }
  if (networkCodes.has(code)) {
    const url = /request to (\S+) failed/.exec(text)?.[1];
    const name = url === undefined ? undefined : packageOfUrl(url, registryUrl);
    const what = name === undefined ? 'the dependencies' : `\`${name}\``;
    return new StudioError(
      ErrorCode.Internal,
      `Could not fetch ${what} from the npm registry ${registryUrl} (${code}): check that the server can reach the registry, then try again.`,
      { data: { ...(name === undefined ? {} : { package: name }), npmCode: code } },
    );
  }
  if (code === 'EUSAGE' && /in sync/.test(text)) {
    return new StudioError(
      ErrorCode.BadFile,
      'The workspace\'s package.json and lockfile are not in sync: write the lockfile again (npm install --package-lock-only) or delete it.',
      { data: { npmCode: code } },
    );
  }
  const shown = tail === '' ? lines.slice(-8).join('\n') : tail;
  return new StudioError(ErrorCode.Internal, `npm could not install the workspace's dependencies${code === '' ? '' : ` (${code})`}:\n${shown}`, {
    data: { npmCode: code },
  });
}
