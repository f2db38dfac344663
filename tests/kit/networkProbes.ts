/**
 * Network isolation, proven on this machine only: what the sandbox network is
 * configured as, what routes the sandbox sees, and TCP probes towards local
 * targets (the host's bridge address, another sandbox, a sink container on a
 * network of the test's own), each paired with the same probe from where it
 * must connect. No probe targets an address outside our own Docker networks.
 */
import net from 'node:net';
import type { WorkspaceSession } from '../../server/session/workspaceSession.ts';
import type { TestSandboxes } from './sandboxTestKit.ts';

/** What a TCP probe saw; a probe that did not run throws instead. */
export type ProbeOutcome = 'connected' | 'refused' | 'unreachable' | 'timeout' | 'error';

/** Long enough for a connection over a local bridge; a dropped SYN shows as `timeout`. */
export const probeTimeoutMs = 2000;

const outcomeOfCode: Readonly<Record<string, ProbeOutcome>> = { ECONNREFUSED: 'refused', ENETUNREACH: 'unreachable', EHOSTUNREACH: 'unreachable' };

/** A TCP probe from inside the sandbox of `session`, by the probe chaincode. */
export async function probeFromSandbox(kit: TestSandboxes, session: WorkspaceSession, host: string, port: number): Promise<ProbeOutcome> {
  const answer = JSON.parse(await kit.call(session, 'evaluate', 'Probe', host, String(port), String(probeTimeoutMs))) as { probe?: string; outcome?: ProbeOutcome };
  if (answer.probe !== 'tcp' || answer.outcome === undefined) throw new Error(`the probe did not run: ${JSON.stringify(answer)}`);
  return answer.outcome;
}

/** The same TCP probe from this (the host's) process. */
export function probeFromHost(host: string, port: number): Promise<ProbeOutcome> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port, timeout: probeTimeoutMs });
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve('timeout');
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(outcomeOfCode[err.code ?? ''] ?? 'error'));
  });
}

/** A sandbox network as Docker has it, and the sandbox's address on it. */
export interface SandboxNetwork {
  readonly name: string;
  readonly internal: boolean;
  readonly enableIPv6: boolean;
  readonly bridge: string | undefined;
  readonly subnet: string;
  readonly gateway: string;
  readonly address: string;
}

/** Inspects the network and container of `workspace`'s sandbox. */
export async function sandboxNetwork(kit: TestSandboxes, workspace: string): Promise<SandboxNetwork> {
  const name = `${kit.instance}-${workspace}-net`;
  const info = await kit.docker.getNetwork(name).inspect();
  const ipam = (info.IPAM?.Config?.[0] ?? {}) as { Subnet?: string; Gateway?: string };
  const container = await kit.docker.getContainer(`${kit.instance}-${workspace}`).inspect();
  return {
    name,
    internal: info.Internal === true,
    enableIPv6: info.EnableIPv6 === true,
    bridge: (info.Options as Record<string, string> | undefined)?.['com.docker.network.bridge.name'],
    subnet: ipam.Subnet ?? '',
    gateway: ipam.Gateway ?? '',
    address: container.NetworkSettings.Networks[name]?.IPAddress ?? '',
  };
}

/** One row of /proc/net/route, addresses as dotted quads. */
export interface Route {
  readonly iface: string;
  readonly destination: string;
  readonly gateway: string;
  readonly mask: string;
}

/** Reads a file as the sandbox's chaincode sees it. */
export async function readInSandbox(kit: TestSandboxes, session: WorkspaceSession, file: string): Promise<string> {
  const answer = JSON.parse(await kit.call(session, 'evaluate', 'ReadText', file)) as { text?: string; error?: string };
  if (answer.text === undefined) throw new Error(`could not read ${file} in the sandbox: ${answer.error ?? 'no answer'}`);
  return answer.text;
}

/** The IPv4 routes the sandbox's chaincode sees (its /proc/net/route). */
export async function sandboxRoutes(kit: TestSandboxes, session: WorkspaceSession): Promise<Route[]> {
  const rows = (await readInSandbox(kit, session, '/proc/net/route')).trim().split('\n').slice(1);
  return rows.map((row) => {
    const [iface = '', destination = '', gateway = '', , , , , mask = ''] = row.trim().split(/\s+/);
    return { iface, destination: quadOfHex(destination), gateway: quadOfHex(gateway), mask: quadOfHex(mask) };
  });
}

/** The sandbox's IPv6 addresses with global scope (scope 00 in /proc/net/if_inet6). */
export async function sandboxGlobalIPv6(kit: TestSandboxes, session: WorkspaceSession): Promise<string[]> {
  const rows = (await readInSandbox(kit, session, '/proc/net/if_inet6')).trim().split('\n').filter((row) => row.trim() !== '');
  return rows.map((row) => row.trim().split(/\s+/)).filter((cols) => cols[3] === '00').map((cols) => cols[0] ?? '');
}

/** /proc/net/route writes addresses as little-endian hex. */
function quadOfHex(hex: string): string {
  const bytes = Buffer.from(hex.padStart(8, '0'), 'hex');
  return [...bytes].reverse().join('.');
}

/** A listening container on a network the test makes, apart from every sandbox's. */
export interface Sink {
  readonly address: string;
  readonly port: number;
  remove(): Promise<void>;
}

const sinkPort = 8080;

/** Starts a TCP listener container, from the sandbox image already on this machine, on its own internal network. */
export async function startSink(kit: TestSandboxes, image: string): Promise<Sink> {
  const networkName = `${kit.instance}-sink-net`;
  const network = await kit.docker.createNetwork({ Name: networkName, Driver: 'bridge', Internal: true, Labels: { [`${kit.instance}.test`]: 'sink' } });
  const remove = async (): Promise<void> => {
    await kit.docker.getContainer(`${kit.instance}-sink`).remove({ force: true }).catch(() => undefined);
    await network.remove().catch(() => undefined);
  };
  try {
    const container = await kit.docker.createContainer({
      name: `${kit.instance}-sink`,
      Image: image,
      User: '1000:1000',
      Entrypoint: ['/usr/local/bin/node', '-e', `require('node:net').createServer((s) => { s.on('error', () => {}); s.end('sink\\n'); }).listen(${sinkPort}, '0.0.0.0')`],
      HostConfig: { NetworkMode: networkName, ReadonlyRootfs: true, CapDrop: ['ALL'] },
    });
    await container.start();
    const address = (await container.inspect()).NetworkSettings.Networks[networkName]?.IPAddress ?? '';
    if (!/^\d+\.\d+\.\d+\.\d+$/.test(address)) throw new Error(`the sink has no address on ${networkName}`);
    // The listener is up a moment after the container starts; probes reset their connections, which it ignores.
    const deadline = Date.now() + 15_000;
    while ((await probeFromHost(address, sinkPort)) !== 'connected') {
      if (Date.now() > deadline) throw new Error('the sink never listened');
      await new Promise((r) => setTimeout(r, 200));
    }
    return { address, port: sinkPort, remove };
  } catch (err) {
    await remove();
    throw err;
  }
}
