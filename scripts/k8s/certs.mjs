// The test cluster's certificates, made with openssl for each start: a CA, the
// API server's and the kubelet's serving certificates, one client certificate
// (group system:masters) that the admin kubeconfig and the cluster's own
// components use, and the service account signing key. A throwaway cluster on
// one machine; a real cluster gives each component its own identity.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { kubeconfig, nodeName, ports, run, runDir, serviceApiAddress } from './cluster.mjs';

export const pkiDir = path.join(runDir, 'pki');
export const pki = (name) => path.join(pkiDir, name);

function sign(name, subject, extensions) {
  const ext = pki(`${name}.ext`);
  writeFileSync(ext, extensions);
  run('openssl', ['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', pki(`${name}.key`), '-out', pki(`${name}.csr`), '-subj', subject]);
  run('openssl', ['x509', '-req', '-in', pki(`${name}.csr`), '-CA', pki('ca.crt'), '-CAkey', pki('ca.key'), '-CAcreateserial', '-out', pki(`${name}.crt`), '-days', '2', '-sha256', '-extfile', ext]);
}

/** Writes the PKI and the admin kubeconfig for a cluster whose API server listens on `address`. */
export function makeCertificates(address) {
  mkdirSync(pkiDir, { recursive: true, mode: 0o700 });
  run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', pki('ca.key'), '-out', pki('ca.crt'), '-days', '2', '-subj', '/CN=chaincode-studio-test-ca', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  const serverExt = (names) => `basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=${names}\n`;
  sign('apiserver', '/CN=kube-apiserver', serverExt(`DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,IP:127.0.0.1,IP:${address},IP:${serviceApiAddress}`));
  sign('kubelet', `/CN=system:node:${nodeName}`, serverExt(`DNS:${nodeName},DNS:localhost,IP:127.0.0.1,IP:${address}`));
  sign('admin', '/O=system:masters/CN=chaincode-studio-test-admin', 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n');
  run('openssl', ['genrsa', '-out', pki('sa.key'), '2048']);
  run('openssl', ['rsa', '-in', pki('sa.key'), '-pubout', '-out', pki('sa.pub')]);
  writeFileSync(
    kubeconfig,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      '- name: ccs-k8s',
      '  cluster:',
      `    server: https://127.0.0.1:${ports.apiserver}`,
      `    certificate-authority: ${pki('ca.crt')}`,
      'users:',
      '- name: admin',
      '  user:',
      `    client-certificate: ${pki('admin.crt')}`,
      `    client-key: ${pki('admin.key')}`,
      'contexts:',
      '- name: ccs-k8s',
      '  context: { cluster: ccs-k8s, user: admin }',
      'current-context: ccs-k8s',
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
}
