/**
 * Submits and evaluates transactions on a sandbox's peer through the Fabric
 * Gateway. gRPC and Gateway errors are translated here, once, into
 * StudioErrors that carry the chaincode's own message.
 */
import * as grpc from '@grpc/grpc-js';
import {
  connect,
  EndorseError,
  GatewayError,
  signers,
  StatusCode,
  type Gateway,
  type Identity,
} from '@hyperledger/fabric-gateway';
import type { common} from '@hyperledger/fabric-protos';
import { gateway as gatewayProto } from '@hyperledger/fabric-protos';
import { createPrivateKey } from 'node:crypto';
import type { FabricIdentity } from '../../protocol/fabric.ts';
import type { ChaincodeEvent, InvokeResult } from '../../protocol/messages.ts';
import { evaluateTimeoutMs, gatewayCommitStatusTimeoutMs, gatewayMaxMessageBytes, gatewayMetadataTimeoutMs, gatewaySubmitTimeoutMs, transactionTimeoutMs } from '../config.ts';
import { ErrorCode, StudioError } from '../errors.ts';
import { chaincodeActions, chaincodeEventOf, envelopeTransaction, preparedEndorsers, preparedReadWriteSet } from './readWriteSet.ts';
import { explainStateDatabaseError } from './stateDatabaseErrors.ts';

/** The identity transactions are signed with: the protocol's Fabric identity. */
export type GatewayIdentity = FabricIdentity;

export interface InvokeRequest {
  chaincodeName: string;
  /** Empty for the default contract. */
  contract: string;
  fn: string;
  args: string[];
  transient?: Record<string, string>;
  /** The orgs whose peers must endorse; none: the Gateway picks by the endorsement policy. */
  endorsingOrgs?: string[];
}

export interface SandboxGateway {
  evaluate(request: InvokeRequest): Promise<InvokeResult>;
  submit(request: InvokeRequest): Promise<InvokeResult>;
  /** Evaluates `org.hyperledger.fabric:GetMetadata` and returns the parsed JSON. */
  metadata(chaincodeName: string, options?: { timeoutMs?: number }): Promise<unknown>;
  /** The channel's committed blocks from `startBlock` on, as the peer delivers them (full blocks). */
  blocks(startBlock: bigint): Promise<AsyncIterable<common.Block> & { close(): void }>;
  close(): void;
}

const statusNames = Object.fromEntries(Object.entries(StatusCode).map(([name, code]) => [code, name])) as Record<number, string>;
const utf8 = new TextDecoder();

/** TLS to the peer: the CA that signed its certificate, and the name to check the certificate against. */
export interface GatewayTls {
  rootCert: string;
  /** The ssl target name override, for a peer dialled by an address its certificate does not name. */
  hostname?: string;
}

/** Connects to `peerEndpoint` (host:port; plaintext over the sandbox's private bridge unless `tls` is given). */
export function connectGateway(options: { peerEndpoint: string; channel: string; identity: GatewayIdentity; tls?: GatewayTls }): SandboxGateway {
  const credentials = options.tls ? grpc.credentials.createSsl(Buffer.from(options.tls.rootCert)) : grpc.credentials.createInsecure();
  const client = new grpc.Client(options.peerEndpoint, credentials, {
    'grpc.max_receive_message_length': gatewayMaxMessageBytes,
    'grpc.max_send_message_length': gatewayMaxMessageBytes,
    ...(options.tls?.hostname ? { 'grpc.ssl_target_name_override': options.tls.hostname } : {}),
  });
  const identity: Identity = { mspId: options.identity.mspId, credentials: new TextEncoder().encode(options.identity.certificate) };
  const gateway: Gateway = connect({
    client,
    identity,
    signer: signers.newPrivateKeySigner(createPrivateKey(options.identity.privateKey)),
    // A transaction paused at a breakpoint must not hit a client deadline.
    evaluateOptions: () => ({ deadline: Date.now() + evaluateTimeoutMs }),
    endorseOptions: () => ({ deadline: Date.now() + transactionTimeoutMs }),
    submitOptions: () => ({ deadline: Date.now() + gatewaySubmitTimeoutMs }),
    commitStatusOptions: () => ({ deadline: Date.now() + gatewayCommitStatusTimeoutMs }),
  });
  const network = gateway.getNetwork(options.channel);

  const proposal = (request: InvokeRequest) => {
    const contract = network.getContract(request.chaincodeName, request.contract || undefined);
    return contract.newProposal(request.fn, {
      arguments: request.args,
      transientData: request.transient ? Object.fromEntries(Object.entries(request.transient)) : undefined,
      ...(request.endorsingOrgs ? { endorsingOrganizations: request.endorsingOrgs } : {}),
    });
  };

  return {
    async evaluate(request) {
      const started = performance.now();
      const built = proposal(request);
      try {
        // Endorsed but never submitted: the result plus the reads and the writes it would have made.
        const transaction = await built.endorse();
        const bytes = transaction.getBytes();
        return {
          mode: 'evaluate',
          result: utf8.decode(transaction.getResult()),
          txId: transaction.getTransactionId(),
          events: [],
          readWriteSet: preparedReadWriteSet(bytes),
          endorsers: preparedEndorsers(bytes),
          durationMs: elapsed(started),
        };
      } catch (err) {
        throw translate(err, request, undefined, built.getTransactionId());
      }
    },

    async submit(request) {
      const started = performance.now();
      const built = proposal(request);
      try {
        const transaction = await built.endorse();
        const bytes = transaction.getBytes();
        const events = chaincodeEvents(bytes, transaction.getTransactionId());
        const submitted = await transaction.submit();
        const status = await submitted.getStatus();
        const blockNumber = status.blockNumber.toString();
        return {
          mode: 'submit',
          result: utf8.decode(transaction.getResult()),
          txId: transaction.getTransactionId(),
          blockNumber,
          validationCode: statusNames[status.code] ?? String(status.code),
          events: status.successful ? events.map((e) => ({ ...e, blockNumber })) : [],
          readWriteSet: preparedReadWriteSet(bytes),
          endorsers: preparedEndorsers(bytes),
          durationMs: elapsed(started),
        };
      } catch (err) {
        throw translate(err, request, undefined, built.getTransactionId());
      }
    },

    async metadata(chaincodeName, { timeoutMs = gatewayMetadataTimeoutMs } = {}) {
      const contract = network.getContract(chaincodeName);
      try {
        const bytes = await contract.newProposal('org.hyperledger.fabric:GetMetadata').evaluate({ deadline: Date.now() + timeoutMs });
        return JSON.parse(utf8.decode(bytes)) as unknown;
      } catch (err) {
        throw translate(err, { chaincodeName, contract: '', fn: 'org.hyperledger.fabric:GetMetadata', args: [] }, timeoutMs);
      }
    },

    async blocks(startBlock) {
      return network.getBlockEvents({ startBlock });
    },

    close() {
      gateway.close();
      client.close();
    },
  };
}

function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 10) / 10;
}

/** Reads the chaincode event out of an endorsed transaction (a serialized PreparedTransaction). */
export function chaincodeEvents(preparedBytes: Uint8Array, txId: string): Omit<ChaincodeEvent, 'blockNumber'>[] {
  const envelope = gatewayProto.PreparedTransaction.deserializeBinary(preparedBytes).getEnvelope();
  if (!envelope) return [];
  return chaincodeActions(envelopeTransaction(envelope)).flatMap((action) => {
    const event = chaincodeEventOf(action);
    return event ? [{ name: event.getEventName(), payload: utf8.decode(event.getPayload_asU8()), txId }] : [];
  });
}

/**
 * The Gateway wraps the chaincode's error as "chaincode response 500, <message>"
 * inside its details; we pull the chaincode's own words out of it.
 */
export function chaincodeMessage(err: GatewayError): string | undefined {
  for (const detail of err.details) {
    const match = /chaincode response \d+, (.*)$/s.exec(detail.message);
    if (match?.[1]) return match[1];
  }
  const match = /chaincode response \d+, (.*)$/s.exec(err.message);
  return match?.[1];
}

/**
 * True when `err` (as {@link SandboxGateway} throws it) says the Gateway's discovery knows no peers that
 * run the chaincode for every org its endorsement policy needs. Right after a new definition that is
 * a passing state: each org's peer announces what it runs over gossip, a second or so later.
 */
export function isDiscoveryLag(err: unknown): boolean {
  const cause = err instanceof StudioError ? err.cause : err;
  if (!(cause instanceof GatewayError)) return false;
  const all = `${cause.message} ${cause.details.map((d) => d.message).join(' ')}`;
  return /no combination of peers can be derived|failed to find any endorsing peers/i.test(all);
}

function translate(err: unknown, request: InvokeRequest, timeoutMs?: number, txId?: string): StudioError {
  if (err instanceof GatewayError) {
    const all = `${err.message} ${err.details.map((d) => d.message).join(' ')}`;
    if (/stream terminated|chaincode .*(exited|terminated)/i.test(all)) {
      return new StudioError(
        ErrorCode.ChaincodeNotRunning,
        `${request.fn} failed: the chaincode process stopped before the transaction finished (the debug session was stopped or the process crashed). Nothing was committed; press Run to start it again.`,
        { cause: err },
      );
    }
    const own = chaincodeMessage(err);
    if (own !== undefined) {
      return new StudioError(ErrorCode.Chaincode, explainStateDatabaseError(own), { cause: err, data: { txId: err instanceof EndorseError ? err.transactionId : txId } });
    }
    const details = err.details.map((d) => d.message).join('; ');
    const text = `${err.message}${details ? ` (${details})` : ''}`;
    // The Gateway answers UNAVAILABLE when a requested endorsing org has no peer; that is not an unreachable peer.
    const missingOrgs = /failed to find any endorsing peers for org\(s\): ([A-Za-z0-9.,\s-]+)/.exec(text)?.[1]?.trim();
    if (missingOrgs) {
      return new StudioError(
        ErrorCode.Fabric,
        `${request.fn} was not endorsed: no peer of ${missingOrgs} serves this chaincode (not an org of this sandbox's channel, or its peer is down). Choose endorsing orgs among the network's orgs.`,
        { cause: err },
      );
    }
    if (err.code === grpc.status.UNAVAILABLE) {
      return new StudioError(ErrorCode.SandboxNotReady, `The peer is not reachable: ${text}. Wait for the sandbox to be ready, or press Run to restart it.`, { cause: err });
    }
    if (err.code === grpc.status.DEADLINE_EXCEEDED) {
      return new StudioError(ErrorCode.Timeout, `${request.fn} did not answer in time${timeoutMs ? ` (${timeoutMs} ms)` : ''}: ${text}`, { cause: err });
    }
    if (/not registered|could not launch|failed to get chaincode|chaincode .* not found|no peers available/i.test(text)) {
      return new StudioError(ErrorCode.ChaincodeNotRunning, `The chaincode is not running: ${text}. Press Run to start it.`, { cause: err });
    }
    return new StudioError(ErrorCode.Fabric, `${request.fn} failed: ${explainStateDatabaseError(text)}`, { cause: err });
  }
  if (err instanceof Error && err.name === 'CommitError') {
    return new StudioError(ErrorCode.Fabric, `${request.fn} was not committed: ${err.message}`, { cause: err });
  }
  return new StudioError(ErrorCode.Fabric, `${request.fn} failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
}
