/**
 * Reading what the `peer` CLI prints: the package ID install logs, the
 * peer's own words in a failure, JSON of the `--output json` commands.
 */

// eslint-disable-next-line no-control-regex -- ANSI colour codes are control characters by definition.
const ansiPattern = /\u001b\[[0-9;]*m/g;

/** The text without terminal colour codes. */
export function stripAnsi(text: string): string {
  return text.replace(ansiPattern, '');
}

/**
 * The package ID in install's output: `Chaincode code package identifier: <id>`
 * on success, or `chaincode already successfully installed (package ID '<id>')`.
 */
export function installedPackageId(text: string): string | undefined {
  const plain = stripAnsi(text);
  return (
    /Chaincode code package identifier: (\S+)/.exec(plain)?.[1] ?? /already successfully installed \(package ID '([^']+)'\)/.exec(plain)?.[1]
  );
}

/** True when install failed only because the peer already has this package. */
export function isAlreadyInstalled(text: string): boolean {
  return /chaincode already successfully installed/.test(text);
}

/**
 * The reason a CLI run failed, in the peer's words: the CLI ends with
 * `Error: <reason>`; failing that, the last log line without its prefix.
 */
export function peerErrorMessage(text: string): string {
  const lines = stripAnsi(text)
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
  const errors = lines.filter((line) => line.startsWith('Error: ')).map((line) => line.slice('Error: '.length));
  if (errors.length > 0) return errors.join('; ');
  const last = lines.at(-1) ?? '';
  // A log line: "2024-01-01 00:00:00.000 UTC 0001 ERRO [main] InitCmd -> message".
  return /-> (.*)$/.exec(last)?.[1] ?? last;
}

/** Parses the JSON a `--output json` command printed; undefined if it is not JSON. */
export function parseJsonOutput(stdout: string): unknown {
  try {
    return JSON.parse(stdout) as unknown;
  } catch {
    return undefined;
  }
}
