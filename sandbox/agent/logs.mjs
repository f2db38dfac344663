// @ts-check
// Log lines of the sandbox's processes: tagged by source, timestamped, kept in
// a ring buffer per source for late subscribers (so a chatty peer cannot push
// the chaincode's own lines out), and rate-limited per source so a chaincode
// that floods stdout cannot drown the peer's lines or the server.
import { logHistoryLines, maxLogLineChars, maxLogLinesPerSecond } from './constants.mjs';
import { createLineClassifier } from './logLines.mjs';

/**
 * @typedef {import('../../protocol/agent.ts').AgentEvent} AgentEvent
 * @typedef {import('../../protocol/agent.ts').AgentLogEvent} AgentLogEvent
 * @typedef {AgentLogEvent['source']} LogSource
 * @typedef {AgentLogEvent['level']} LogLevel
 * @typedef {{ second: number, count: number, dropped: number, reported: boolean }} Budget
 * @typedef {{ stdout: import('node:stream').Readable | null, stderr: import('node:stream').Readable | null }} Outputs
 * @typedef {{ write(source: LogSource, text: string, level?: LogLevel): void, attach(source: LogSource, child: Outputs): void }} LogWriter
 */

export class LogHub {
  /** Keyed by source, and by org for another org's peer and chaincode. @type {Map<string, { seq: number, event: AgentLogEvent }[]>} */
  #history = new Map();
  #seq = 0;
  /** @type {Set<(event: AgentEvent) => void>} */
  #subscribers = new Set();
  /** @type {Map<string, Budget>} */
  #budget = new Map();
  #now;

  /** @param {{ now?: () => number }} [options] the clock, replaced in tests */
  constructor({ now = Date.now } = {}) {
    this.#now = now;
  }

  /**
   * Adds one line from `source`.
   * @param {LogSource} source
   * @param {string} text
   * @param {LogLevel} [level] absent: info
   * @param {string} [org] the MSP ID of the org whose peer or chaincode wrote it, in a network of several orgs
   */
  write(source, text, level, org) {
    const now = this.#now();
    const second = Math.floor(now / 1000);
    const key = org === undefined ? source : `${org}/${source}`;
    let budget = this.#budget.get(key);
    if (!budget || budget.second !== second) {
      if (budget) this.#reportDropped(source, budget);
      budget = { second, count: 0, dropped: 0, reported: false };
      this.#budget.set(key, budget);
    }
    budget.count += 1;
    if (budget.count > maxLogLinesPerSecond) {
      budget.dropped += 1;
      // Say so even when the flood ends with this second and no later line would report it.
      const current = budget;
      if (budget.dropped === 1) setTimeout(() => this.#reportDropped(source, current), 1000 - (now % 1000) + 5).unref();
      return;
    }
    this.#emit(source, text.length > maxLogLineChars ? `${text.slice(0, maxLogLineChars)}… (line cut at ${maxLogLineChars} characters)` : text, level, org);
  }

  /**
   * The hub as one org's peer and chaincode write to it: every line tagged with `org`.
   * @param {string} org
   * @returns {LogWriter}
   */
  forOrg(org) {
    return {
      write: (source, text, level) => this.write(source, text, level, org),
      attach: (source, child) => this.attach(source, child, org),
    };
  }

  /**
   * @param {LogSource} source
   * @param {Budget} budget
   */
  #reportDropped(source, budget) {
    if (budget.dropped === 0 || budget.reported) return;
    budget.reported = true;
    this.#emit('sandbox', `${budget.dropped} ${source} log lines dropped: over the log rate limit of ${maxLogLinesPerSecond} lines per second`, 'warning');
  }

  /**
   * @param {LogSource} source
   * @param {string} text
   * @param {LogLevel} level
   * @param {string} [org]
   */
  #emit(source, text, level, org) {
    /** @type {AgentLogEvent} */
    const event = { type: 'log', source, time: new Date(this.#now()).toISOString(), text, ...(level && level !== 'info' ? { level } : {}), ...(org !== undefined ? { org } : {}) };
    const key = org === undefined ? source : `${org}/${source}`;
    let kept = this.#history.get(key);
    if (!kept) this.#history.set(key, (kept = []));
    kept.push({ seq: this.#seq++, event });
    if (kept.length > logHistoryLines) kept.splice(0, kept.length - logHistoryLines);
    for (const subscriber of this.#subscribers) subscriber(event);
  }

  /**
   * Pipes a child's stdout and stderr into the hub, line by line, each tagged by who wrote it and
   * its level (see logLines.mjs: the chaincode's lines split into the user's and the shim's).
   * @param {LogSource} source
   * @param {Outputs} child
   * @param {string} [org] see {@link LogHub.write}
   */
  attach(source, child, org) {
    const classify = createLineClassifier(source);
    for (const [name, stream] of /** @type {const} */ ([['stdout', child.stdout], ['stderr', child.stderr]])) {
      if (!stream) continue;
      /** @param {string} line */
      const add = (line) => {
        const kind = classify(line, name);
        this.write(kind.source, line, kind.level, org);
      };
      let pending = '';
      stream.setEncoding('utf8');
      stream.on('data', (/** @type {string} */ chunk) => {
        pending += chunk;
        // A flood without newlines must not grow `pending` without bound.
        if (pending.length > maxLogLineChars * 4) pending += '\n';
        const lines = pending.split('\n');
        pending = lines.pop() ?? '';
        for (const line of lines) if (line.length > 0) add(line.replace(/\r$/, ''));
      });
      stream.on('end', () => {
        if (pending.length > 0) add(pending);
        pending = '';
      });
    }
  }

  /** @returns {AgentLogEvent[]} every source's kept lines, in the order they were written */
  history() {
    return [...this.#history.values()]
      .flat()
      .sort((a, b) => a.seq - b.seq)
      .map((entry) => entry.event);
  }

  /**
   * @param {(event: AgentEvent) => void} fn
   * @returns {() => void} unsubscribes
   */
  subscribe(fn) {
    this.#subscribers.add(fn);
    return () => void this.#subscribers.delete(fn);
  }

  /**
   * Sends a non-log event (status changes) to every subscriber.
   * @param {AgentEvent} event
   */
  publish(event) {
    for (const subscriber of this.#subscribers) subscriber(event);
  }
}
