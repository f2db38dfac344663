// @ts-check
// What each output line of a sandbox process is: who wrote it (the user's
// chaincode or the runtime around it) and at which level. Fabric and the shim
// tag their lines; a line without a tag (a stack frame, a multi-line message)
// belongs with the line before it on the same stream.

/**
 * @typedef {import('../../protocol/agent.ts').AgentLogEvent} AgentLogEvent
 * @typedef {AgentLogEvent['source']} LogSource
 * @typedef {NonNullable<AgentLogEvent['level']>} LogLevel
 * @typedef {'stdout' | 'stderr'} Stream
 * @typedef {{ source: LogSource, level: LogLevel }} LineKind
 * @typedef {(line: string, stream: Stream) => LineKind} LineClassifier
 */

// eslint-disable-next-line no-control-regex -- matching terminal escape codes is the point
const ansiEscape = /\u001b\[[0-9;?]*[A-Za-z]/g;

/** Fabric's level tags (flogging's `%{level:.4s}`). */
/** @type {Record<string, LogLevel>} */
const fabricLevels = { DEBU: 'debug', INFO: 'info', WARN: 'warning', ERRO: 'error', CRIT: 'error', PANI: 'error', FATA: 'error' };
const fabricHeader = /^\S+ \S+ \S+ [0-9a-f]+ (DEBU|INFO|WARN|ERRO|CRIT|PANI|FATA) \[/;

/** @type {Record<string, LogLevel>} */
const shimLevels = { error: 'error', warn: 'warning', info: 'info', verbose: 'debug', debug: 'debug', silly: 'debug' };
/** fabric-shim's winston format: `<ISO time> <level> [c-api:<module>] <message>`. */
const shimHeader = /^\d{4}-\d\d-\d\dT[\d:.]+Z (error|warn|info|verbose|debug|silly)\s+\[c-api:/;
/** What node and fabric-shim print about the process itself rather than the user's code. */
const runtimeLines = [
  /^Debugger listening on /,
  /^For help, see: /,
  /^Debugger attached\.$/,
  /^Debugger ending on /,
  /^Waiting for the debugger to disconnect\.\.\.$/,
  /^Major failure to start/,
];

/**
 * The level of a Fabric peer or orderer line, when it carries one.
 * @param {string} line
 * @returns {LogLevel | undefined}
 */
export function fabricLineLevel(line) {
  const tag = fabricHeader.exec(line.replace(ansiEscape, ''))?.[1];
  return tag === undefined ? undefined : fabricLevels[tag];
}

/**
 * Classifies the lines of one process whose output is tagged `source`. The chaincode's lines are
 * split into the user's own (`chaincode`) and the runtime's (`shim`).
 * @param {LogSource} source
 * @returns {LineClassifier}
 */
export function createLineClassifier(source) {
  /** @type {Record<Stream, LineKind | undefined>} */
  const previous = { stdout: undefined, stderr: undefined };
  return (line, stream) => {
    const kind = classify(source, line.replace(ansiEscape, ''), stream, previous[stream]);
    previous[stream] = kind;
    return kind;
  };
}

/**
 * @param {LogSource} source
 * @param {string} line
 * @param {Stream} stream
 * @param {LineKind | undefined} before the previous line of the same stream
 * @returns {LineKind}
 */
function classify(source, line, stream, before) {
  if (source === 'peer' || source === 'orderer') {
    const level = fabricLineLevel(line);
    return { source, level: level ?? before?.level ?? 'info' };
  }
  if (source !== 'chaincode') return { source, level: 'info' };
  const shim = shimHeader.exec(line)?.[1];
  if (shim !== undefined) return { source: 'shim', level: shimLevels[shim] ?? 'info' };
  if (runtimeLines.some((re) => re.test(line))) return { source: 'shim', level: /^Major failure/.test(line) ? 'error' : 'info' };
  // A stack frame or the inside of a printed object continues the line before it.
  if (before && /^(\s|[}\]])/.test(line)) return before;
  return { source: 'chaincode', level: stream === 'stderr' ? 'error' : 'info' };
}
