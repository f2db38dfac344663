/**
 * The session's connection to its running sandbox: the handle, the Gateway
 * to its peer, and the agent's event stream, whose log lines are batched into
 * the log and whose statuses become the IDE's status. When the stream ends
 * without the session letting go, the sandbox is reported as stopped.
 */
import type { LogLine } from '../../protocol/messages.ts';
import { logBatchMs } from '../config.ts';
import { ErrorCode, StudioError } from '../errors.ts';
import { connectGateway, type SandboxGateway } from '../fabric/gateway.ts';
import { followLedger, type LedgerFeed } from '../ledger/ledgerFeed.ts';
import type { LedgerIndex } from '../ledger/ledgerIndex.ts';
import type { AgentEvent, AgentStatus } from '../sandbox/agentClient.ts';
import { sandboxPort, type SandboxHandle } from '../sandbox/sandboxDriver.ts';
import { limitHitOf } from '../metrics/limitHits.ts';
import type { SessionMetrics } from '../metrics/studioMetrics.ts';
import { translateAgentStatus } from './agentStatus.ts';
import type { SessionReporter } from './sessionReporter.ts';

export interface SandboxLinkOptions {
  readonly reporter: SessionReporter;
  /** The agent reported that the chaincode process crashed: its debugger is gone. */
  readonly onChaincodeCrashed: () => void;
  /** Counts the limits the agent reports in its log lines. */
  readonly metrics?: Pick<SessionMetrics, 'limitHit'>;
}

export interface SandboxLink {
  /** The sandbox attached to, if any. */
  readonly handle: SandboxHandle | undefined;
  /** The Gateway to the attached sandbox's (first org's) peer. */
  readonly gateway: SandboxGateway | undefined;
  /** The orgs of the attached sandbox's network, in order (one for the one-org sandbox). */
  readonly orgs: readonly string[];
  /** The Gateway to `org`'s peer, signing as that org's client; undefined for an org the network does not have. */
  gatewayFor(org: string): SandboxGateway | undefined;
  /** The attached sandbox's ledger as the ledger view sees it (rebuilt from block 0 on each attach). */
  readonly ledger: LedgerIndex | undefined;
  /**
   * Lets go of any earlier sandbox, attaches to `handle` (Gateway and events; `withHistory`:
   * replay the agent's log so far), then shows the agent's status and returns it.
   */
  attach(handle: SandboxHandle, withHistory: boolean): Promise<AgentStatus>;
  /** Lets go of the sandbox without stopping it; its end is not reported as lost contact. */
  detach(): void;
  /** Detaches for good (server shutdown): nothing is reported any more. */
  close(): void;
}

export function createSandboxLink(options: SandboxLinkOptions): SandboxLink {
  return new Link(options);
}

class Link implements SandboxLink {
  readonly #options: SandboxLinkOptions;
  #handle: SandboxHandle | undefined;
  #gateway: SandboxGateway | undefined;
  /** Every org's Gateway, the first org's (#gateway) included. */
  #gateways = new Map<string, SandboxGateway>();
  #events: { close(): void } | undefined;
  #ledger: LedgerFeed | undefined;
  #closed = false;
  /** A peer or orderer restart is under way (reported in the status message). */
  #restarting = false;

  constructor(options: SandboxLinkOptions) {
    this.#options = options;
  }

  get handle(): SandboxHandle | undefined {
    return this.#handle;
  }

  get gateway(): SandboxGateway | undefined {
    return this.#gateway;
  }

  get orgs(): readonly string[] {
    return [...this.#gateways.keys()];
  }

  gatewayFor(org: string): SandboxGateway | undefined {
    return this.#gateways.get(org);
  }

  get ledger(): LedgerIndex | undefined {
    return this.#ledger?.index;
  }

  async attach(handle: SandboxHandle, withHistory: boolean): Promise<AgentStatus> {
    this.detach();
    this.#handle = handle;
    const network = await handle.agent.network();
    for (const org of network.orgs) {
      this.#gateways.set(org.mspId, connectGateway({ peerEndpoint: `${handle.host}:${sandboxPort(handle, org.peerPort)}`, channel: network.channel, identity: org.user }));
    }
    const first = network.orgs[0] && this.#gateways.get(network.orgs[0].mspId);
    if (!first) throw new StudioError(ErrorCode.Sandbox, 'The sandbox names no org of its network; restart the sandbox if this persists.');
    this.#gateway = first;
    const { reporter } = this.#options;
    this.#ledger = followLedger(first, (block) => reporter.publish('ledger/block', { workspace: reporter.status.workspace, block }));
    this.#follow(handle, withHistory);
    const status = await handle.agent.status();
    this.#apply(status);
    return status;
  }

  detach(): void {
    this.#events?.close();
    this.#events = undefined;
    this.#ledger?.close();
    this.#ledger = undefined;
    for (const gateway of this.#gateways.values()) gateway.close();
    this.#gateways.clear();
    this.#gateway = undefined;
    this.#handle = undefined;
  }

  close(): void {
    this.#closed = true;
    this.detach();
  }

  #follow(handle: SandboxHandle, withHistory: boolean): void {
    const { reporter, metrics } = this.#options;
    // Lines replayed from before this attach were counted by whoever saw them live.
    const countFromMs = withHistory ? Date.now() : 0;
    let batch: LogLine[] = [];
    let timer: NodeJS.Timeout | undefined;
    const flush = () => {
      timer = undefined;
      if (batch.length > 0) reporter.addLines(batch);
      batch = [];
    };
    const onEvent = (event: AgentEvent) => {
      if (event.type === 'log') {
        // One notification per batch instead of one per line.
        const line = { source: event.source, time: event.time, text: stripAnsi(event.text), ...(event.level ? { level: event.level } : {}), ...(event.org ? { org: event.org } : {}) };
        batch.push(line);
        const limit = metrics && limitHitOf(line);
        if (limit && Date.parse(line.time) >= countFromMs) metrics.limitHit(limit);
        timer ??= setTimeout(flush, logBatchMs);
      } else if (event.type === 'status') this.#apply(event.status);
    };
    const onEnd = (err?: Error) => {
      flush();
      if (this.#closed || this.#handle !== handle) return;
      // The agent went away: the container stopped or crashed.
      reporter.log('sandbox', `Lost contact with the sandbox${err ? `: ${err.message}` : ''}. Press Run to start it again.`);
      this.detach();
      reporter.setStatus({ phase: 'stopped', chaincode: 'stopped', debuggerAttached: false, message: 'The sandbox stopped' });
    };
    this.#events = handle.agent.events(onEvent, onEnd, { history: withHistory });
  }

  #apply(agent: AgentStatus): void {
    const { patch, restarting, chaincodeCrashed } = translateAgentStatus(agent, this.#options.reporter.status, this.#restarting);
    this.#restarting = restarting;
    if (chaincodeCrashed) this.#options.onChaincodeCrashed();
    this.#options.reporter.setStatus(patch);
  }
}

// eslint-disable-next-line no-control-regex
const ansi = /\u001b\[[0-9;]*m/g;
function stripAnsi(text: string): string {
  return text.replace(ansi, '');
}
