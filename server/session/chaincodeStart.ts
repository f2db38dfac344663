/**
 * The last step of Run: (re)start the chaincode process under the inspector,
 * attach the debugger with the user's breakpoints, and wait until the
 * chaincode answers its metadata request through the peer.
 */
import path from 'node:path';
import type { AgentDefinitionOptions } from '../../protocol/agent.ts';
import type { ContractMetadata } from '../../protocol/messages.ts';
import { chaincodeReadyTimeoutMs } from '../config.ts';
import { goBuildModulePath } from '../golang/goBuild.ts';
import type { SandboxHandle } from '../sandbox/sandboxDriver.ts';
import type { ChaincodeDebugger } from './chaincodeDebugger.ts';
import { waitForEndorsers } from './endorsersReady.ts';
import { readContractMetadata } from './metadataReader.ts';
import type { SandboxLink } from './sandboxLink.ts';
import type { SessionReporter } from './sessionReporter.ts';

export interface ChaincodeStartOptions {
  readonly workspace: string;
  readonly workspaceDir: string;
  readonly handle: SandboxHandle;
  readonly chaincodeName: string;
  /** The endorsement policy and collections the definition is approved with (a change approves the next sequence). */
  readonly definition?: AgentDefinitionOptions;
  readonly link: SandboxLink;
  readonly debugger: ChaincodeDebugger;
  readonly reporter: SessionReporter;
}

export interface ChaincodeStarted {
  readonly metadata: ContractMetadata;
  /** From the start request until the chaincode answered. */
  readonly readyMs: number;
}

/** Starts the chaincode and reports it running; on failure reports it crashed (unless it still runs) and throws. */
export async function startChaincodeUnderDebugger(options: ChaincodeStartOptions): Promise<ChaincodeStarted> {
  const { handle, chaincodeName: name, reporter } = options;
  // The old debugger goes only after the agent has killed the old process:
  // detaching first would resume a paused transaction and let it commit.
  const previousDebugger = options.debugger.release();
  reporter.setStatus({ chaincode: 'starting', chaincodeName: name, message: `Starting chaincode ${name}` });
  try {
    const started = performance.now();
    // With a breakpoint set (or a pause on every exception), a Node process waits for the debugger before
    // its first line; otherwise it loads and registers with the peer while the debugger attaches. A Go
    // program always waits, to be continued by the attached client: a breakpoint set while a program
    // that Delve had continued on its own (`--continue`) ran sometimes got no answer (CI: setBreakpoints
    // timed out after 30 s).
    const isGo = (await goBuildModulePath(path.join(handle.buildDir, 'app'))) !== undefined;
    const waitForDebugger = isGo || options.debugger.breakpoints.stopsWhileLoading;
    await handle.agent.startChaincode(name, { debug: true, waitForDebugger, ...(options.definition ? { definition: options.definition } : {}) });
    const spawnedMs = Math.round(performance.now() - started);
    await previousDebugger?.close().catch(() => undefined);
    const startEnded = new AbortController();
    let attachedMs = 0;
    const attaching = options.debugger.attach(handle, startEnded.signal).then(() => (attachedMs = Math.round(performance.now() - started)));
    if (waitForDebugger) await attaching;
    const read = readContractMetadata({ link: options.link, chaincodeName: name, workspaceDir: options.workspaceDir, timeoutMs: chaincodeReadyTimeoutMs });
    let metadata: ContractMetadata;
    try {
      [metadata] = await Promise.all([read, attaching]);
    } catch (err) {
      startEnded.abort();
      // The metadata read says best why a start failed (the process's own error); the debugger's failure only if it alone failed.
      await read;
      throw err;
    }
    const answeredMs = Math.round(performance.now() - started);
    // Several orgs: ready once the Gateway knows every org's peer runs it (they say so over gossip).
    const orgs = options.link.orgs;
    const endorsersWarning = orgs.length > 1 ? await waitForEndorsers({ gateway: () => options.link.gateway, chaincodeName: name, orgs }) : undefined;
    const readyMs = Math.round(performance.now() - started);
    const endorsersNote = orgs.length > 1 && endorsersWarning === undefined ? `, every org's peer known to the Gateway at ${readyMs} ms` : '';
    reporter.log('sandbox', `Chaincode ${name} answered ${answeredMs} ms after its start (process up at ${spawnedMs} ms, debugger attached at ${attachedMs} ms${endorsersNote})`);
    if (endorsersWarning !== undefined) reporter.log('sandbox', endorsersWarning);
    reporter.publish('chaincode/metadata', { workspace: options.workspace, metadata });
    reporter.setStatus({ chaincode: 'running', message: endorsersWarning ?? `Chaincode ${name} is running` });
    return { metadata, readyMs };
  } catch (err) {
    const agent = await handle.agent.status().catch(() => undefined);
    reporter.setStatus({ chaincode: agent?.chaincode.phase === 'running' ? 'running' : 'crashed', message: err instanceof Error ? err.message : String(err) });
    throw err;
  }
}

