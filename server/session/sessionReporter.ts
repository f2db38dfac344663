/**
 * What one workspace's session tells the IDE: its sandbox status, its log
 * (kept as a bounded history per source for clients that open the workspace
 * later, so a chatty peer cannot push the user's own lines out) and any other
 * notification. The session's parts share one reporter, so the
 * status is patched in one place and every change is published.
 */
import type { LogLine, LogSource, Notification, NotificationName, SandboxStatus } from '../../protocol/messages.ts';
import { channelName, logHistoryLines } from '../config.ts';

export interface SessionReporterOptions {
  readonly workspace: string;
  /** Publishes a notification to every connection that has the workspace open. */
  readonly publish: <N extends NotificationName>(notification: Notification<N>) => void;
}

export interface SessionReporter {
  /** A copy of the current status. */
  readonly status: SandboxStatus;
  /** The last config.logHistoryLines log lines of each source, in the order they came. */
  readonly logHistory: LogLine[];
  /** Merges `patch` into the status and publishes the result (a field set to undefined is cleared). */
  setStatus(patch: Partial<SandboxStatus>): void;
  /** Adds one line to the log, stamped now. */
  log(source: LogSource, text: string): void;
  /** Adds lines to the log history and publishes them as one notification. */
  addLines(lines: LogLine[]): void;
  publish<N extends NotificationName>(method: N, params: Notification<N>['params']): void;
}

export function createSessionReporter(options: SessionReporterOptions): SessionReporter {
  return new Reporter(options);
}

class Reporter implements SessionReporter {
  readonly #options: SessionReporterOptions;
  #status: SandboxStatus;
  readonly #logs = new Map<LogSource, { seq: number; line: LogLine }[]>();
  #seq = 0;

  constructor(options: SessionReporterOptions) {
    this.#options = options;
    this.#status = { workspace: options.workspace, phase: 'absent', chaincode: 'stopped', channel: channelName };
  }

  get status(): SandboxStatus {
    return { ...this.#status };
  }

  get logHistory(): LogLine[] {
    return [...this.#logs.values()]
      .flat()
      .sort((a, b) => a.seq - b.seq)
      .map((entry) => entry.line);
  }

  setStatus(patch: Partial<SandboxStatus>): void {
    const next = { ...this.#status, ...patch };
    // An older build is only "the previous build" while it runs: any start, stop or crash ends that.
    if (next.chaincode !== 'running' && next.chaincode !== 'compiling') delete next.previousBuild;
    this.#status = next;
    this.publish('sandbox/status', this.status);
  }

  log(source: LogSource, text: string): void {
    this.addLines([{ source, time: new Date().toISOString(), text }]);
  }

  addLines(lines: LogLine[]): void {
    for (const line of lines) {
      let kept = this.#logs.get(line.source);
      if (!kept) this.#logs.set(line.source, (kept = []));
      kept.push({ seq: this.#seq++, line });
      if (kept.length > logHistoryLines) kept.splice(0, kept.length - logHistoryLines);
    }
    this.publish('log', { workspace: this.#options.workspace, lines });
  }

  publish<N extends NotificationName>(method: N, params: Notification<N>['params']): void {
    this.#options.publish({ method, params } as Notification<N>);
  }
}
