import type { ClientConnection } from '../../../protocol/clientConnection.ts';

/** File names the downloads are saved as (the server's Content-Disposition says the same). */
export function savedFileName(workspace: string, file: string): string {
  return `${workspace}-${file}`;
}

/**
 * A Node program's connection to the sandbox with `@hyperledger/fabric-gateway`, filled in with
 * `connection`'s values and the downloaded file names, for the user to paste into their own app.
 */
export function gatewaySnippet(connection: ClientConnection): string {
  const cert = savedFileName(connection.workspace, 'client-cert.pem');
  const key = savedFileName(connection.workspace, 'client-key.pem');
  const q = (text: string) => JSON.stringify(text);
  return [
    `import * as grpc from '@grpc/grpc-js';`,
    `import { connect, signers } from '@hyperledger/fabric-gateway';`,
    `import { createPrivateKey } from 'node:crypto';`,
    `import { readFileSync } from 'node:fs';`,
    ``,
    `// ${connection.plaintext ? 'Plaintext gRPC: the sandbox peer runs without TLS.' : 'TLS: give grpc.credentials.createSsl the peer\u2019s CA.'}`,
    `const client = new grpc.Client(${q(connection.endpoint)}, grpc.credentials.${connection.plaintext ? 'createInsecure()' : 'createSsl()'});`,
    `const gateway = connect({`,
    `  client,`,
    `  identity: { mspId: ${q(connection.mspId)}, credentials: readFileSync(${q(cert)}) },`,
    `  signer: signers.newPrivateKeySigner(createPrivateKey(readFileSync(${q(key)}))),`,
    `});`,
    `const contract = gateway.getNetwork(${q(connection.channel)}).getContract(${q(connection.chaincodeName)});`,
    `console.log(new TextDecoder().decode(await contract.evaluateTransaction('org.hyperledger.fabric:GetMetadata')));`,
    `gateway.close();`,
    `client.close();`,
  ].join('\n');
}
