/**
 * Talks to the agent inside a sandbox container (sandbox/agent/main.mjs) over
 * the sandbox's private bridge, with the sandbox's own bearer token. The
 * sandbox runs user code, so every reply and event is size-capped and checked
 * against its schema in protocol/agent.ts before anything else reads it.
 */
import http from 'node:http';
import type { z } from 'zod';
import {
  AgentErrorReply,
  AgentEvent,
  agentReplies,
  type AgentChaincodeInfo,
  type AgentDefinitionOptions,
  type AgentDefineRequest,
  type AgentNetworkReply,
  type AgentNetworkRequest,
  type AgentReply,
  type AgentRoute,
  type AgentStartRequest,
  type AgentStatus,
  type ChaincodeDefinition,
} from '../../protocol/agent.ts';
import { agentRequestTimeoutMs, maxAgentEventLineBytes, maxAgentReplyBytes, networkRebuildTimeoutMs } from '../config.ts';
import { ErrorCode, StudioError } from '../errors.ts';
import type { GatewayIdentity } from '../fabric/gateway.ts';
import { createLineSplitter } from './lineSplitter.ts';

export type { AgentChaincodeInfo, AgentEvent, AgentNetworkReply, AgentStatus, ChaincodeDefinition };

/** One TLS endpoint of a production-mode sandbox, as reached from the server. */
export interface AgentTlsEndpoint {
  /** `host:port` on the sandbox's bridge. */
  endpoint: string;
  /** The name in the node's TLS certificate (the container IP is not in it): the ssl target name override. */
  hostname: string;
  /** PEM of the TLS CA that signed the node's certificate. */
  tlsRootCert: string;
}

/** What a deployer needs to reach a production-mode sandbox (agent `GET /connection`). */
export interface AgentConnection {
  channel: string;
  mspId: string;
  peer: AgentTlsEndpoint;
  orderer: AgentTlsEndpoint;
  /** The org's admin, who may install, approve and commit, with the org's CA certificate (PEM). */
  admin: GatewayIdentity & { caCert: string };
  /** An ordinary client of the org: submits and evaluates. */
  user: GatewayIdentity;
}

export interface AgentClient {
  readonly host: string;
  status(): Promise<AgentStatus>;
  /** The sandbox's memory use in bytes as its cgroup counts it (less inactive file cache); undefined when it cannot tell. */
  memoryBytes(): Promise<number | undefined>;
  /** The identity the server signs its transactions with (an ordinary member of the org). */
  identity(): Promise<GatewayIdentity>;
  /** The identity handed to the user's own client applications: another ordinary member, never the admin. */
  clientIdentity(): Promise<GatewayIdentity>;
  /** The channel and each org's peer and client identity (one org, or several). */
  network(): Promise<AgentNetworkReply>;
  /** Makes the sandbox's network these orgs on this channel; another shape than it has rebuilds it, its ledger lost. */
  setNetwork(shape: AgentNetworkRequest): Promise<AgentStatus>;
  /** Production mode only: endpoints, TLS CAs and identities for a deployer. */
  connection(): Promise<AgentConnection>;
  /** `definition`: the endorsement policy and collections to approve it with (none: the channel's default, no collections). */
  define(name: string, definition?: AgentDefinitionOptions): Promise<ChaincodeDefinition>;
  /** `waitForDebugger` (default true): paused before the first line until a debugger attaches. */
  startChaincode(name: string, options: { debug: boolean; waitForDebugger?: boolean; definition?: AgentDefinitionOptions }): Promise<AgentChaincodeInfo>;
  stopChaincode(): Promise<AgentChaincodeInfo>;
  /**
   * Follows the agent's status and log events until `close()`; `onEnd` fires if the stream breaks.
   * A line that is too long or does not match its schema is dropped (and reported once per kind).
   */
  events(onEvent: (event: AgentEvent) => void, onEnd: (err?: Error) => void, options?: { history?: boolean }): { close(): void };
  /** The inspector WebSocket through the agent's proxy, and the headers it needs. */
  inspector(org?: string): { url: string; headers: Record<string, string> };
}

export interface AgentClientOptions {
  readonly host: string;
  readonly port: number;
  readonly token: string;
  /** Sandbox ports reached under another number on `host` (SandboxHandle.ports): the connection's endpoints use them. */
  readonly ports?: Readonly<Record<number, number>>;
  /** Where dropped events are reported; console.warn by default. */
  readonly warn?: (message: string) => void;
}

/** The first issue of a failed parse, in words: `chaincode.pid: expected number, received string`. */
function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'does not match its schema';
  return `${issue.path.length > 0 ? `${issue.path.join('.')}: ` : ''}${issue.message}`;
}

/** Reads a reply body, failing as soon as it passes `maxAgentReplyBytes` (nothing more is read). */
async function readCapped(res: Response, path: string): Promise<string> {
  const tooLarge = () => new StudioError(ErrorCode.Sandbox, `The sandbox's reply to ${path} is larger than ${maxAgentReplyBytes} bytes; restart the sandbox if this persists.`);
  if (Number(res.headers.get('content-length') ?? 0) > maxAgentReplyBytes) {
    await res.body?.cancel();
    throw tooLarge();
  }
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxAgentReplyBytes) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

export function createAgentClient(options: AgentClientOptions): AgentClient {
  const base = `http://${options.host}:${options.port}`;
  const headers = { Authorization: `Bearer ${options.token}` };
  const warn = options.warn ?? ((message: string) => console.warn(message));

  async function call<R extends AgentRoute>(route: R, body?: unknown, timeoutMs = agentRequestTimeoutMs): Promise<AgentReply<R>> {
    const [method, path] = route.split(' ') as [string, string];
    let res: Response;
    try {
      res = await fetch(`${base}${path}`, {
        method,
        headers: body === undefined ? headers : { ...headers, 'Content-Type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      throw new StudioError(ErrorCode.SandboxNotReady, `The sandbox does not answer (${path}): ${err instanceof Error ? err.message : String(err)}. Restart the sandbox if this persists.`, { cause: err });
    }
    const text = await readCapped(res, path);
    const parsed = parseJson(text);
    if (!res.ok) {
      const refusal = AgentErrorReply.safeParse(parsed);
      const message = refusal.success ? refusal.data.error : `HTTP ${res.status}`;
      throw new StudioError(res.status === 409 ? ErrorCode.SandboxNotReady : ErrorCode.Sandbox, `The sandbox refused ${path}: ${message}`);
    }
    if (parsed === undefined) throw new StudioError(ErrorCode.Sandbox, `The sandbox's reply to ${path} is not JSON; restart the sandbox if this persists.`);
    const reply = agentReplies[route].safeParse(parsed);
    if (!reply.success) {
      throw new StudioError(ErrorCode.Sandbox, `The sandbox's reply to ${path} is malformed (${describeIssue(reply.error)}); restart the sandbox if this persists.`, { cause: reply.error });
    }
    return reply.data as AgentReply<R>;
  }

  return {
    host: options.host,
    status: () => call('GET /status', undefined, 5000),
    memoryBytes: async () => (await call('GET /memory', undefined, 5000)).usedBytes ?? undefined,
    identity: () => call('GET /identity'),
    clientIdentity: () => call('GET /client-identity'),
    network: () => call('GET /network'),
    setNetwork: (shape) => call('POST /network', shape satisfies AgentNetworkRequest, networkRebuildTimeoutMs),
    async connection() {
      const wire = await call('GET /connection');
      const at = (node: AgentReply<'GET /connection'>['peer']): AgentTlsEndpoint => ({
        endpoint: `${options.host}:${options.ports?.[node.port] ?? node.port}`,
        hostname: node.hostname,
        tlsRootCert: node.tlsRootCert,
      });
      return { channel: wire.channel, mspId: wire.mspId, peer: at(wire.peer), orderer: at(wire.orderer), admin: wire.admin, user: wire.user };
    },
    define: (name, definition) => call('POST /chaincode/define', { name, ...(definition ? { definition } : {}) } satisfies AgentDefineRequest),
    startChaincode: (name, { debug, waitForDebugger = true, definition }) =>
      call('POST /chaincode/start', { name, debug, waitForDebugger, ...(definition ? { definition } : {}) } satisfies AgentStartRequest),
    stopChaincode: () => call('POST /chaincode/stop', {}),

    events(onEvent, onEnd, { history = false } = {}) {
      let closed = false;
      const reported = new Set<string>();
      const drop = (kind: string, why: string) => {
        if (reported.has(kind)) return;
        reported.add(kind);
        warn(`Dropped a malformed event from the sandbox at ${options.host} (${kind}): ${why}. Later ones of this kind are dropped silently.`);
      };
      const onLine = (line: string) => {
        const parsed = parseJson(line);
        if (parsed === undefined) {
          drop('not JSON', line.slice(0, 80));
          return;
        }
        const event = AgentEvent.safeParse(parsed);
        if (event.success) onEvent(event.data);
        else {
          const type = (parsed as { type?: unknown } | null)?.type;
          drop(`type ${typeof type === 'string' ? type.slice(0, 40) : 'missing'}`, describeIssue(event.error));
        }
      };
      const splitter = createLineSplitter({ maxLineBytes: maxAgentEventLineBytes, onLine, onOversized: () => drop('oversized', `a line over ${maxAgentEventLineBytes} bytes`) });
      const req = http.get(`${base}/events${history ? '?history=1' : ''}`, { headers }, (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          onEnd(new Error(`agent events answered HTTP ${res.statusCode}`));
          return;
        }
        res.on('data', (chunk: Buffer) => splitter.push(chunk));
        res.on('end', () => {
          if (!closed) onEnd();
        });
        res.on('error', (err) => {
          if (!closed) onEnd(err);
        });
      });
      req.on('error', (err) => {
        if (!closed) onEnd(err);
      });
      return {
        close() {
          closed = true;
          req.destroy();
        },
      };
    },

    inspector: (org) => ({ url: `ws://${options.host}:${options.port}/inspector${org === undefined ? '' : `?org=${encodeURIComponent(org)}`}`, headers: { ...headers } }),
  };
}
