/**
 * Talks to the agent inside a sandbox container (sandbox/agent/main.mjs) over
 * the sandbox's private bridge, with the sandbox's own bearer token.
 */
import http from 'node:http';
import type { LogSource } from '../../protocol/messages.ts';
import { agentRequestTimeoutMs } from '../config.ts';
import { ErrorCode, StudioError } from '../errors.ts';
import type { GatewayIdentity } from '../fabric/gateway.ts';

export interface AgentChaincodeInfo {
  phase: 'stopped' | 'stopping' | 'running' | 'crashed';
  name?: string;
  packageId?: string;
  pid: number | null;
  exitCode?: number | null;
  signal?: string | null;
  debug?: boolean;
  startedAt?: string;
  /** Why a crashed process ended, naming the limit it hit when one did (e.g. `killed: sandbox memory limit (768 MB)`). */
  reason?: string;
}

export interface AgentStatus {
  phase: 'starting' | 'ready' | 'error';
  message: string;
  mode: 'dev' | 'production';
  fabricVersion: string | null;
  channel: string;
  mspId: string;
  orderer: { running: boolean; restarts: number };
  peer: { running: boolean; restarts: number };
  chaincode: AgentChaincodeInfo;
}

export interface ChaincodeDefinition {
  name: string;
  label: string;
  packageId: string;
  sequence: number;
  version: string;
}

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

interface AgentConnectionWire {
  channel: string;
  mspId: string;
  peer: { port: number; hostname: string; tlsRootCert: string };
  orderer: { port: number; hostname: string; tlsRootCert: string };
  admin: GatewayIdentity & { caCert: string };
  user: GatewayIdentity;
}

export type AgentEvent =
  | { type: 'log'; source: LogSource; time: string; text: string }
  | { type: 'status'; status: AgentStatus }
  | { type: 'ping' };

export interface AgentClient {
  readonly host: string;
  status(): Promise<AgentStatus>;
  identity(): Promise<GatewayIdentity>;
  /** Production mode only: endpoints, TLS CAs and identities for a deployer. */
  connection(): Promise<AgentConnection>;
  define(name: string): Promise<ChaincodeDefinition>;
  startChaincode(name: string, options: { debug: boolean }): Promise<AgentChaincodeInfo>;
  stopChaincode(): Promise<AgentChaincodeInfo>;
  /** Follows the agent's status and log events until `close()`; `onEnd` fires if the stream breaks. */
  events(onEvent: (event: AgentEvent) => void, onEnd: (err?: Error) => void, options?: { history?: boolean }): { close(): void };
  /** The inspector WebSocket through the agent's proxy, and the headers it needs. */
  inspector(): { url: string; headers: Record<string, string> };
}

export function createAgentClient(options: { host: string; port: number; token: string }): AgentClient {
  const base = `http://${options.host}:${options.port}`;
  const headers = { Authorization: `Bearer ${options.token}` };

  async function call<T>(method: 'GET' | 'POST', path: string, body?: unknown, timeoutMs = agentRequestTimeoutMs): Promise<T> {
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
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = { error: text };
    }
    if (!res.ok) {
      const message = (parsed as { error?: string }).error ?? `HTTP ${res.status}`;
      throw new StudioError(res.status === 409 ? ErrorCode.SandboxNotReady : ErrorCode.Sandbox, `The sandbox refused ${path}: ${message}`);
    }
    return parsed as T;
  }

  return {
    host: options.host,
    status: () => call<AgentStatus>('GET', '/status', undefined, 5000),
    identity: () => call<GatewayIdentity>('GET', '/identity'),
    async connection() {
      const wire = await call<AgentConnectionWire>('GET', '/connection');
      const at = (node: AgentConnectionWire['peer']): AgentTlsEndpoint => ({
        endpoint: `${options.host}:${node.port}`,
        hostname: node.hostname,
        tlsRootCert: node.tlsRootCert,
      });
      return { channel: wire.channel, mspId: wire.mspId, peer: at(wire.peer), orderer: at(wire.orderer), admin: wire.admin, user: wire.user };
    },
    define: (name) => call<ChaincodeDefinition>('POST', '/chaincode/define', { name }),
    startChaincode: (name, { debug }) => call<AgentChaincodeInfo>('POST', '/chaincode/start', { name, debug }),
    stopChaincode: () => call<AgentChaincodeInfo>('POST', '/chaincode/stop', {}),

    events(onEvent, onEnd, { history = false } = {}) {
      let closed = false;
      const req = http.get(`${base}/events${history ? '?history=1' : ''}`, { headers }, (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          onEnd(new Error(`agent events answered HTTP ${res.statusCode}`));
          return;
        }
        let pending = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          pending += chunk;
          const lines = pending.split('\n');
          pending = lines.pop() ?? '';
          for (const line of lines) {
            if (!line) continue;
            try {
              onEvent(JSON.parse(line) as AgentEvent);
            } catch {
              // A line we cannot parse is skipped; the stream goes on.
            }
          }
        });
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

    inspector: () => ({ url: `ws://${options.host}:${options.port}/inspector`, headers: { ...headers } }),
  };
}
