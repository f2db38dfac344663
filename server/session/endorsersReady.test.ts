import type { ServiceError } from '@grpc/grpc-js';
import { GatewayError } from '@hyperledger/fabric-gateway';
import { describe, expect, it } from 'vitest';
import type { InvokeResult } from '../../protocol/messages.ts';
import { ErrorCode, StudioError } from '../errors.ts';
import type { InvokeRequest, SandboxGateway } from '../fabric/gateway.ts';
import { waitForEndorsers } from './endorsersReady.ts';

/** The error the Gateway gives while its discovery has not heard of another org's chaincode yet. */
function discoveryLag(): StudioError {
  const message = '9 FAILED_PRECONDITION: no combination of peers can be derived which satisfy the endorsement policy: required chaincodes are not installed on sufficient peers';
  const cause = new GatewayError({ code: 9, details: [], cause: new Error(message) as ServiceError, message });
  return new StudioError(ErrorCode.Fabric, `GetMetadata failed: ${message}`, { cause });
}

/** A gateway whose evaluate fails with `failures` in turn, then answers; it records each request. */
function gateway(failures: Error[]): { gateway: SandboxGateway; requests: InvokeRequest[] } {
  const requests: InvokeRequest[] = [];
  const answer = { mode: 'evaluate', result: '{}', txId: 't', events: [], durationMs: 1 } as InvokeResult;
  const fake = {
    evaluate: async (request: InvokeRequest) => {
      requests.push(request);
      const failure = failures.shift();
      if (failure) throw failure;
      return answer;
    },
  } as unknown as SandboxGateway;
  return { gateway: fake, requests };
}

describe('waitForEndorsers', () => {
  it('asks again while discovery does not know every org, and asks a peer of each org', async () => {
    const { gateway: g, requests } = gateway([discoveryLag(), discoveryLag()]);
    expect(await waitForEndorsers({ gateway: () => g, chaincodeName: 'assets', orgs: ['Org1MSP', 'Org2MSP'], pollMs: 1 })).toBeUndefined();
    expect(requests).toHaveLength(3);
    expect(requests[0]).toMatchObject({ chaincodeName: 'assets', fn: 'org.hyperledger.fabric:GetMetadata', endorsingOrgs: ['Org1MSP', 'Org2MSP'] });
  });

  it('stops at the first other failure: the transactions report that in their own words', async () => {
    const { gateway: g, requests } = gateway([new StudioError(ErrorCode.Chaincode, 'boom'), discoveryLag()]);
    expect(await waitForEndorsers({ gateway: () => g, chaincodeName: 'assets', orgs: ['Org1MSP', 'Org2MSP'], pollMs: 1 })).toBeUndefined();
    expect(requests).toHaveLength(1);
  });

  it('gives up at its deadline with a warning that names the chaincode and the Gateway error', async () => {
    const { gateway: g } = gateway(Array.from({ length: 1000 }, discoveryLag));
    const warning = await waitForEndorsers({ gateway: () => g, chaincodeName: 'assets', orgs: ['Org1MSP', 'Org2MSP'], timeoutMs: 30, pollMs: 5 });
    expect(warning).toMatch(/does not know every org's peer to run assets/);
    expect(warning).toMatch(/no combination of peers can be derived/);
  });
});
