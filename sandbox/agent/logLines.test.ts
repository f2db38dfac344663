import { describe, expect, it } from 'vitest';
import { createLineClassifier, fabricLineLevel } from './logLines.mjs';

describe('fabricLineLevel', () => {
  it('reads the level tag of a peer or orderer line, colour codes or not', () => {
    expect(fabricLineLevel('2026-12-02 09:35:58.462 UTC 0072 ERRO [endorser] simulateProposal -> failed')).toBe('error');
    expect(fabricLineLevel('\u001b[34m2026-12-02 09:35:58.461 UTC 0071 INFO\u001b[0m [endorser] callChaincode -> finished')).toBe('info');
    expect(fabricLineLevel('2026-12-02 09:35:58.463 UTC 0073 WARN [endorser] ProcessProposal -> Failed')).toBe('warning');
    expect(fabricLineLevel('github.com/hyperledger/fabric/core/chaincode.(*ChaincodeSupport).Launch')).toBeUndefined();
  });
});

describe('createLineClassifier', () => {
  it('gives a peer stack trace the level of the error line it belongs to', () => {
    const classify = createLineClassifier('peer');
    expect(classify('2026-12-02 09:35:58.462 UTC 0072 ERRO [endorser] simulateProposal -> failed', 'stderr')).toEqual({ source: 'peer', level: 'error' });
    expect(classify('failed to create new connection', 'stderr')).toEqual({ source: 'peer', level: 'error' });
    expect(classify('\tgithub.com/hyperledger/fabric/internal/pkg/comm/config.go:151', 'stderr')).toEqual({ source: 'peer', level: 'error' });
    expect(classify('2026-12-02 09:35:58.463 UTC 0074 INFO [comm.grpc.server] 1 -> unary call completed', 'stderr')).toEqual({ source: 'peer', level: 'info' });
  });

  it("splits the chaincode's output into the user's own lines and the shim's", () => {
    const classify = createLineClassifier('chaincode');
    expect(classify('Debugger listening on ws://127.0.0.1:9229/54bed5ba', 'stderr')).toEqual({ source: 'shim', level: 'info' });
    expect(classify('2026-12-02T09:35:58.930Z info [c-api:./lib/annotations/transaction.js]   @Transaction args', 'stdout')).toEqual({ source: 'shim', level: 'info' });
    expect(classify('2026-12-02T09:35:59.028Z \u001b[31merror\u001b[39m [c-api:lib/handler.js]   [studio-c4a8aac0] Calling chaincode Invoke() returned error response', 'stdout')).toEqual({
      source: 'shim',
      level: 'error',
    });
    expect(classify('    at Handler.handleTransaction (lib/handler.js:100:5)', 'stdout')).toEqual({ source: 'shim', level: 'error' });
    expect(classify('CreateAsset a1 owned by tom', 'stdout')).toEqual({ source: 'chaincode', level: 'info' });
    expect(classify("{ ID: 'a1',", 'stdout')).toEqual({ source: 'chaincode', level: 'info' });
    expect(classify("  Owner: 'tom' }", 'stdout')).toEqual({ source: 'chaincode', level: 'info' });
    expect(classify('Error: the asset a1 does not exist', 'stderr')).toEqual({ source: 'chaincode', level: 'error' });
    expect(classify('    at AssetTransferContract.ReadAsset (src/assetTransfer.ts:40:13)', 'stderr')).toEqual({ source: 'chaincode', level: 'error' });
  });

  it('keeps every other source as it is', () => {
    expect(createLineClassifier('sandbox')('2026-12-02T09:35:58.930Z info [c-api:x] y', 'stdout')).toEqual({ source: 'sandbox', level: 'info' });
  });
});
