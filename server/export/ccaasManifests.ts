/**
 * The `k8s/` folder of a chaincode-as-a-service bundle (ccaasBundle.ts): a
 * kustomization with the chaincode server's Deployment (non-root, read-only,
 * no capabilities, resources, probes, TLS from a Secret when asked) and its
 * Service, labelled so that one version replaces the last.
 */
import { stringify } from 'yaml';
import { chaincodeContainerResources, chaincodeContainerUid, chaincodeServerPort, productionMspId } from '../config.ts';
import type { CcaasBundleOptions } from './ccaasBundle.ts';
import type { TarFile } from './fabricTar.ts';

/** What the bundle's files are made from: the options, with every default filled in. */
export interface Context extends CcaasBundleOptions {
  readonly namespace: string;
  readonly channel: string;
  readonly serviceName: string;
  readonly address: string;
  readonly tls: boolean;
  readonly packageId: string;
  readonly packageFileName: string;
}

/** Where the Deployment mounts the chaincode server's TLS key pair (the Secret `<service>-tls`). */
const tlsMountPath = '/etc/chaincode-tls';

/** Labels on every object; the selector uses the two that never change between versions. */
function labels(context: Context): Record<string, string> {
  return { ...selectorLabels(context), 'app.kubernetes.io/part-of': 'hyperledger-fabric', 'app.kubernetes.io/managed-by': 'chaincode-studio' };
}

function selectorLabels(context: Context): Record<string, string> {
  return { 'app.kubernetes.io/name': context.serviceName, 'app.kubernetes.io/component': 'chaincode' };
}

/** `k8s/`: a kustomization with the Deployment and the Service. */
export function kubernetesFiles(context: Context): TarFile[] {
  const metadata = { name: context.serviceName, namespace: context.namespace, labels: labels(context) };
  const deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      ...metadata,
      annotations: { 'hyperledger.org/fabric-package-id': context.packageId, 'hyperledger.org/fabric-chaincode-version': context.version },
    },
    spec: {
      replicas: 1,
      selector: { matchLabels: selectorLabels(context) },
      template: {
        metadata: { labels: labels(context) },
        spec: {
          automountServiceAccountToken: false,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: chaincodeContainerUid,
            runAsGroup: chaincodeContainerUid,
            seccompProfile: { type: 'RuntimeDefault' },
          },
          containers: [
            {
              name: 'chaincode',
              image: context.image,
              imagePullPolicy: 'IfNotPresent',
              ports: [{ name: 'chaincode', containerPort: chaincodeServerPort, protocol: 'TCP' }],
              // CHAINCODE_* are what the server command reads; CORE_* are what a peer-launched chaincode
              // finds in its environment, which chaincode code and libraries may read as well.
              env: [
                { name: 'CHAINCODE_ID', value: context.packageId },
                { name: 'CHAINCODE_SERVER_ADDRESS', value: `0.0.0.0:${chaincodeServerPort}` },
                { name: 'CORE_CHAINCODE_ID_NAME', value: context.packageId },
                { name: 'CORE_PEER_LOCALMSPID', value: context.mspId ?? productionMspId },
                ...(context.tls
                  ? [
                      { name: 'CHAINCODE_TLS_CERT_FILE', value: `${tlsMountPath}/tls.crt` },
                      { name: 'CHAINCODE_TLS_KEY_FILE', value: `${tlsMountPath}/tls.key` },
                    ]
                  : []),
              ],
              resources: {
                requests: { ...chaincodeContainerResources.requests },
                limits: { ...chaincodeContainerResources.limits },
              },
              readinessProbe: { tcpSocket: { port: chaincodeServerPort }, initialDelaySeconds: 5, periodSeconds: 10 },
              livenessProbe: { tcpSocket: { port: chaincodeServerPort }, initialDelaySeconds: 15, periodSeconds: 20 },
              securityContext: {
                runAsNonRoot: true,
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                capabilities: { drop: ['ALL'] },
              },
              // Node and npm may want a writable /tmp; the root filesystem is read-only.
              volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }, ...(context.tls ? [{ name: 'tls', mountPath: tlsMountPath, readOnly: true }] : [])],
            },
          ],
          volumes: [{ name: 'tmp', emptyDir: {} }, ...(context.tls ? [{ name: 'tls', secret: { secretName: `${context.serviceName}-tls` } }] : [])],
        },
      },
    },
  };
  const service = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata,
    spec: {
      type: 'ClusterIP',
      selector: selectorLabels(context),
      ports: [{ name: 'chaincode', port: chaincodeServerPort, targetPort: 'chaincode', protocol: 'TCP' }],
    },
  };
  const kustomization = {
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    namespace: context.namespace,
    resources: ['deployment.yaml', 'service.yaml'],
  };
  return [
    { path: 'kustomization.yaml', content: Buffer.from(stringify(kustomization)) },
    { path: 'deployment.yaml', content: Buffer.from(stringify(deployment)) },
    { path: 'service.yaml', content: Buffer.from(stringify(service)) },
  ];
}
