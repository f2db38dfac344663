import { describe, expect, it } from 'vitest';
import { installedPackageId, isAlreadyInstalled, parseJsonOutput, peerErrorMessage, stripAnsi } from './peerCliOutput.ts';

// Lines as the Fabric 2.5 peer CLI prints them (colours included).
const installed =
  '\u001b[34m2026-11-25 13:14:00.104 UTC 0001 INFO\u001b[0m [cli.lifecycle.chaincode] \u001b[34;1msubmitInstallProposal\u001b[0m -> Installed remotely: response:<status:200 payload:"\\nJbasic_1.0:ab12..." >\n' +
  '\u001b[34m2026-11-25 13:14:00.104 UTC 0002 INFO\u001b[0m [cli.lifecycle.chaincode] \u001b[34;1msubmitInstallProposal\u001b[0m -> Chaincode code package identifier: basic_1.0:ab12cd\n';
const already =
  "Error: chaincode install failed with status: 500 - failed to invoke backing implementation of 'InstallChaincode': chaincode already successfully installed (package ID 'basic_1.0:ab12cd')\n";

describe('peer CLI output', () => {
  it('finds the package ID install logs, and the one an already-installed error names', () => {
    expect(installedPackageId(installed)).toBe('basic_1.0:ab12cd');
    expect(installedPackageId(already)).toBe('basic_1.0:ab12cd');
    expect(isAlreadyInstalled(already)).toBe(true);
    expect(isAlreadyInstalled(installed)).toBe(false);
    expect(installedPackageId('Error: connection refused')).toBeUndefined();
  });

  it("keeps the peer's words of a failure: the Error: lines, or the last log line's message", () => {
    expect(peerErrorMessage(`${installed}Error: proposal failed with status: 500 - requested sequence 5 is larger than the next available sequence number 2\n`)).toBe(
      'proposal failed with status: 500 - requested sequence 5 is larger than the next available sequence number 2',
    );
    expect(
      peerErrorMessage('\u001b[31m2026-11-25 13:13:52.758 UTC 0001 ERRO\u001b[0m [main] \u001b[31;1mInitCmd\u001b[0m -> Cannot run peer because of the MSP\n'),
    ).toBe('Cannot run peer because of the MSP');
    expect(peerErrorMessage('')).toBe('');
  });

  it('strips colours and parses JSON output', () => {
    expect(stripAnsi('\u001b[31mred\u001b[0m')).toBe('red');
    expect(parseJsonOutput('{"approvals":{"Org1MSP":true}}')).toEqual({ approvals: { Org1MSP: true } });
    expect(parseJsonOutput('not json')).toBeUndefined();
  });
});
