/**
 * In a network of several orgs, a Run is ready once the Gateway knows a peer of every org to run
 * the chaincode. Each org's peer tells the others over gossip which chaincode definitions it runs;
 * until the first org's peer (whose Gateway the studio uses) has heard from the orgs the policy
 * needs, its discovery finds no peers to satisfy it, and a submit right after Run fails with
 * "no combination of peers can be derived". The probe endorses the metadata
 * request (never submitted) on a peer of every org, so it passes once all of them are known to run
 * the chaincode: a submit that names its endorsing orgs needs that too, whatever the policy.
 */
import { endorsersReadyPollMs, endorsersReadyTimeoutMs } from '../config.ts';
import { isDiscoveryLag, type SandboxGateway } from '../fabric/gateway.ts';

export interface EndorsersReadyOptions {
  /** The current gateway (it changes when the sandbox reconnects). */
  readonly gateway: () => SandboxGateway | undefined;
  readonly chaincodeName: string;
  /** The network's orgs (MSP IDs). */
  readonly orgs: readonly string[];
  readonly timeoutMs?: number;
  readonly pollMs?: number;
}

/**
 * Resolves with undefined once an endorsement by every org succeeds (or fails for another
 * reason, which a transaction will report in its own words), or with what to tell the user when
 * discovery still finds no endorsers at the deadline.
 */
export async function waitForEndorsers(options: EndorsersReadyOptions): Promise<string | undefined> {
  const { chaincodeName, timeoutMs = endorsersReadyTimeoutMs, pollMs = endorsersReadyPollMs } = options;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const gateway = options.gateway();
    if (!gateway) return undefined;
    let lag: unknown;
    try {
      await gateway.evaluate({ chaincodeName, contract: '', fn: 'org.hyperledger.fabric:GetMetadata', args: [], endorsingOrgs: [...options.orgs] });
      return undefined;
    } catch (err) {
      if (!isDiscoveryLag(err)) return undefined;
      lag = err;
    }
    if (Date.now() >= deadline) {
      const why = lag instanceof Error ? lag.message : String(lag);
      return `The Gateway still does not know every org's peer to run ${chaincodeName} ${Math.round(timeoutMs / 1000)} s after Run (${why}). Submits that need those orgs fail until it does: look in the peers' logs (each org's peer must reach the others over gossip), then press Run again.`;
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
