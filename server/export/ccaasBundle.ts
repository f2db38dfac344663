/**
 * One `.tar.gz` that takes a compiled chaincode to a Kubernetes cluster as
 * chaincode-as-a-service:
 *
 * - `<label>.tar.gz`: the ccaas package to install on each peer; its
 *   connection.json points at the in-cluster Service,
 *   `<service>.<namespace>.svc.cluster.local:9999`, or the address the export
 *   names, with TLS when the export asks for it;
 * - `image/`: a container build context (Dockerfile, package.json,
 *   package-lock.json and the compiled code) for the chaincode server;
 * - `k8s/`: a kustomization with the Deployment and the Service;
 * - `README.md`: the build, install, apply, approve and commit commands,
 *   filled in for this package.
 *
 * Every entry sits under one folder named for the label, so unpacking the
 * bundle never scatters files. The archive is deterministic, like the package.
 */
import { gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';
import {
  chaincodeBaseImage,
  chaincodeGoBuildImage,
  chaincodeContainerUid,
  chaincodeNamespace,
  chaincodeServerPort,
  productionChannelName,
  productionMspId,
} from '../config.ts';
import { chaincodeNamePattern } from '../../protocol/fabric.ts';
import { ErrorCode, StudioError } from '../errors.ts';
import { ccaasPackage, type ChaincodePackage } from './chaincodePackage.ts';
import type { TarFile } from './fabricTar.ts';
import { lockfileFor, type LockfileOptions } from './lockfile.ts';
import { kubernetesFiles, type Context } from './ccaasManifests.ts';
import { productionFiles, readCompiledApp, type CompiledApp } from './productionApp.ts';

/** Options of {@link ccaasBundle}. */
export interface CcaasBundleOptions {
  /** The chaincode name of the definition (`--name` of approve and commit). */
  readonly chaincodeName: string;
  readonly label: string;
  /** The version of the definition (`--version`). */
  readonly version: string;
  /** The sequence of the definition (`--sequence`). */
  readonly sequence: number;
  /** The compiled chaincode: package.json and the JavaScript (see `readCompiledApp`). */
  readonly buildDir: string;
  /** The chaincode's source folder, whose `META-INF/` the package carries (see `readCompiledApp`). */
  readonly sourceDir?: string;
  /** The image reference the Deployment runs, e.g. `registry.example.com/basic:1.0`. */
  readonly image: string;
  /** Defaults to `chaincodeNamespace`. */
  readonly namespace?: string;
  /** The address the peer dials (connection.json); defaults to the Service's in-cluster DNS name. */
  readonly address?: string;
  /** The peer dials with TLS, trusting `rootCert` (PEM); the Deployment then serves TLS from the Secret `<service>-tls`. */
  readonly tlsRequired?: boolean;
  readonly rootCert?: string;
  /** The channel named in the README's commands; defaults to `productionChannelName`. */
  readonly channel?: string;
  /** The default of the Dockerfile's BASE_IMAGE argument; defaults to `chaincodeBaseImage`. */
  readonly baseImage?: string;
  /** The MSP ID of the organization whose peers use the chaincode (CORE_PEER_LOCALMSPID); defaults to `productionMspId`. */
  readonly mspId?: string;
  /**
   * A Go module's files (paths relative to its root) instead of a Node build: the image is built
   * from them with a Go Dockerfile, and the program must serve as a chaincode server when
   * CHAINCODE_SERVER_ADDRESS is set (as the Go sample's main.go does).
   */
  readonly goModule?: readonly TarFile[];
  /** The lockfile to ship; resolved with `lockfileFor` when absent. */
  readonly lockfile?: string;
  readonly lockfileOptions?: LockfileOptions;
}

/** A built bundle. */
export interface CcaasBundle {
  /** The `.tar.gz` file's bytes. */
  readonly bytes: Buffer;
  /** A file name for it: `<label>-k8s.tar.gz`. */
  readonly fileName: string;
  /** The ccaas package inside, with its package ID. */
  readonly package: ChaincodePackage;
  /** The Kubernetes name of the Deployment and Service. */
  readonly serviceName: string;
  /** Where the peer reaches the chaincode server. */
  readonly address: string;
  /** The archive's entries, in order. */
  readonly entries: readonly string[];
}

const dnsLabel = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const containerWorkDir = '/usr/src/chaincode';

/** Builds the bundle; throws `export` on an invalid option or an unusable build. */
export async function ccaasBundle(options: CcaasBundleOptions): Promise<CcaasBundle> {
  const namespace = options.namespace ?? chaincodeNamespace;
  const channel = options.channel ?? productionChannelName;
  checkOptions(options, namespace);
  const serviceName = serviceNameFor(options.chaincodeName);
  const address = options.address ?? `${serviceName}.${namespace}.svc.cluster.local:${chaincodeServerPort}`;
  const app = options.goModule ? undefined : await readCompiledApp(options.buildDir, options.sourceDir);
  const sources = options.goModule ?? app?.files ?? [];
  // CouchDB indexes travel in the package: the peer reads them from there, not from the server.
  const metaInf = sources.filter((file) => file.path.startsWith('META-INF/'));
  const tls = options.tlsRequired === true;
  const built = ccaasPackage({ label: options.label, address, metaInf, tlsRequired: tls, ...(options.rootCert ? { rootCert: options.rootCert } : {}) });

  const root = options.label;
  const packageFileName = `${options.label}.tar.gz`;
  const context: Context = { ...options, namespace, channel, serviceName, address, tls, packageId: built.packageId, packageFileName };
  const files: TarFile[] = [
    { path: packageFileName, content: built.bytes },
    { path: 'README.md', content: Buffer.from(readme(context)) },
    ...(app ? await nodeImageFiles(app, options, context) : goImageFiles(sources, options, context)),
    ...kubernetesFiles(context).map((file) => ({ path: `k8s/${file.path}`, content: file.content })),
  ].map((file) => ({ path: `${root}/${file.path}`, content: file.content }));
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));

  return {
    bytes: gzipSync(await writeTar(files)),
    fileName: `${options.label}-k8s.tar.gz`,
    package: built,
    serviceName,
    address,
    entries: files.map((file) => file.path),
  };
}

/**
 * The Kubernetes name for a chaincode name: Fabric allows `_` and capitals,
 * a Service name (DNS-1035) does not, and must start with a letter.
 */
export function serviceNameFor(chaincodeName: string): string {
  const lower = chaincodeName.toLowerCase().replace(/_/g, '-');
  const name = /^[a-z]/.test(lower) ? lower : `cc-${lower}`;
  return name.slice(0, 63).replace(/-+$/, '');
}

function checkOptions(options: CcaasBundleOptions, namespace: string): void {
  const fail = (message: string): never => {
    throw new StudioError(ErrorCode.Export, message);
  };
  if (!chaincodeNamePattern.test(options.chaincodeName)) {
    fail(`Invalid chaincode name "${options.chaincodeName}": Fabric allows letters and digits, joined by single - or _.`);
  }
  if (!dnsLabel.test(namespace) || namespace.length > 63) {
    fail(`Invalid Kubernetes namespace "${namespace}": use at most 63 lowercase letters, digits and -, starting and ending with a letter or digit.`);
  }
  if (options.tlsRequired && !options.rootCert) {
    fail('A bundle whose peer dials with TLS needs the CA certificate that signed the chaincode server’s certificate.');
  }
  if (!Number.isInteger(options.sequence) || options.sequence < 1) {
    fail(`Invalid sequence ${options.sequence}: a chaincode definition's sequence is a whole number from 1.`);
  }
  for (const [what, value] of [
    ['version', options.version],
    ['image', options.image],
    ['channel', options.channel ?? productionChannelName],
    ['base image', options.baseImage ?? chaincodeBaseImage],
    ['MSP ID', options.mspId ?? productionMspId],
  ] as const) {
    if (!/^[A-Za-z0-9][A-Za-z0-9_.:/@+-]*$/.test(value)) fail(`Invalid ${what} "${value}".`);
  }
}

/** The Node image's build context: Dockerfile, the production files and their lockfile. */
async function nodeImageFiles(app: CompiledApp, options: CcaasBundleOptions, context: Context): Promise<TarFile[]> {
  const lockfile = options.lockfile ?? app.lockfile ?? (await lockfileFor(app.packageJson, options.lockfileOptions));
  return [
    { path: 'image/Dockerfile', content: Buffer.from(dockerfile(app, options.baseImage ?? chaincodeBaseImage, context)) },
    { path: 'image/.dockerignore', content: Buffer.from('node_modules\nnpm-debug.log\n') },
    ...productionFiles(app, lockfile)
      .filter((file) => !file.path.startsWith('META-INF/'))
      .map((file) => ({ path: `image/${file.path}`, content: file.content })),
  ];
}

/** The Go image's build context: the module's sources and a two-stage Dockerfile (build, then a static binary alone). */
function goImageFiles(files: readonly TarFile[], options: CcaasBundleOptions, context: Context): TarFile[] {
  return [
    { path: 'image/Dockerfile', content: Buffer.from(goDockerfile(options.baseImage ?? chaincodeGoBuildImage, context)) },
    { path: 'image/.dockerignore', content: Buffer.from('.git\n.studio\n') },
    ...files.filter((file) => !file.path.startsWith('META-INF/')).map((file) => ({ path: `image/${file.path}`, content: file.content })),
  ];
}

function goDockerfile(buildImage: string, context: Context): string {
  return [
    `# Chaincode-as-a-service image for ${context.chaincodeName} (${context.label}), generated by Chaincode Studio.`,
    '# Build: docker build -t <image> .   (another Go image: --build-arg BASE_IMAGE=<image with go>)',
    '# The program serves as a chaincode server when CHAINCODE_SERVER_ADDRESS is set (shim.ChaincodeServer with CHAINCODE_ID).',
    `ARG BASE_IMAGE=${buildImage}`,
    'FROM ${BASE_IMAGE} AS build',
    'WORKDIR /src',
    'COPY go.mod go.sum ./',
    'RUN go mod download',
    'COPY . .',
    'RUN CGO_ENABLED=0 go build -trimpath -o /chaincode .',
    'FROM scratch',
    'COPY --from=build /chaincode /chaincode',
    `ENV CHAINCODE_SERVER_ADDRESS=0.0.0.0:${chaincodeServerPort}`,
    `USER ${chaincodeContainerUid}:${chaincodeContainerUid}`,
    `EXPOSE ${chaincodeServerPort}`,
    '# CHAINCODE_ID is the package ID the peer installed; the Deployment sets it.',
    'ENTRYPOINT ["/chaincode"]',
    '',
  ].join('\n');
}

function dockerfile(app: CompiledApp, baseImage: string, context: Context): string {
  const topLevel = [...new Set(app.files.filter((f) => !f.path.startsWith('META-INF/')).map((f) => f.path.split('/')[0] ?? f.path))].sort();
  const copies = topLevel.map((entry) =>
    app.files.some((f) => f.path.startsWith(`${entry}/`)) ? `COPY ${entry}/ ./${entry}/` : `COPY ${entry} ./`,
  );
  // The server flags come from the environment at start, so one image serves any package ID; the
  // shell form is needed to expand them, and `exec` leaves node as PID 1 to receive SIGTERM.
  // node_modules/.bin rather than npx: npx may write to ~/.npm, which the read-only root filesystem forbids.
  // With CHAINCODE_TLS_CERT_FILE and CHAINCODE_TLS_KEY_FILE set (a bundle exported with TLS), the server serves TLS.
  const command =
    'exec node_modules/.bin/fabric-chaincode-node server --chaincode-address="$CHAINCODE_SERVER_ADDRESS" --chaincode-id="$CHAINCODE_ID"' +
    ' ${CHAINCODE_TLS_CERT_FILE:+--chaincode-tls-cert-file="$CHAINCODE_TLS_CERT_FILE" --chaincode-tls-key-file="$CHAINCODE_TLS_KEY_FILE"}';
  return [
    `# Chaincode-as-a-service image for ${context.chaincodeName} (${context.label}), generated by Chaincode Studio.`,
    '# Build: docker build -t <image> .   (another base: --build-arg BASE_IMAGE=<image with node and npm>)',
    `ARG BASE_IMAGE=${baseImage}`,
    'FROM ${BASE_IMAGE}',
    'ENV NODE_ENV=production',
    `ENV CHAINCODE_SERVER_ADDRESS=0.0.0.0:${chaincodeServerPort}`,
    `WORKDIR ${containerWorkDir}`,
    'COPY package.json package-lock.json ./',
    'RUN npm ci --omit=dev && npm cache clean --force',
    ...copies,
    `USER ${chaincodeContainerUid}:${chaincodeContainerUid}`,
    `EXPOSE ${chaincodeServerPort}`,
    '# CHAINCODE_ID is the package ID the peer installed; the Deployment sets it.',
    `CMD ${JSON.stringify(['sh', '-c', command])}`,
    '',
  ].join('\n');
}

function readme(context: Context): string {
  const definition = `--channelID ${context.channel} --name ${context.chaincodeName} --version ${context.version} --sequence ${context.sequence}`;
  return `# ${context.chaincodeName} as a service (${context.label})

Generated by Chaincode Studio. The peer does not build or start this chaincode:
it connects to the chaincode server that Kubernetes runs from \`image/\`.

| | |
|---|---|
| Chaincode name | \`${context.chaincodeName}\` |
| Version / sequence | \`${context.version}\` / \`${context.sequence}\` |
| Package label | \`${context.label}\` |
| Package ID | \`${context.packageId}\` |
| Chaincode server | \`${context.address}\` (${context.tls ? 'TLS' : 'plaintext'}) |
| Namespace / channel | \`${context.namespace}\` / \`${context.channel}\` |
| Image | \`${context.image}\` |

The peers must run Fabric 2.4.1 or later with the chaincode-as-a-service builder
(the \`ccaas_builder\` entry of \`chaincode.externalBuilders\` in core.yaml, present in
the official peer images) and must resolve the cluster DNS name above, i.e. run in
the same cluster.

## 1. Build and push the image

\`\`\`sh
docker build -t ${context.image} image/
docker push ${context.image}
\`\`\`

To build from another base image: \`docker build --build-arg BASE_IMAGE=<image> -t ${context.image} image/\`.

## 2. Install the package on every endorsing peer

\`\`\`sh
peer lifecycle chaincode install ${context.packageFileName}
peer lifecycle chaincode queryinstalled   # shows ${context.packageId}
\`\`\`

## 3. Start the chaincode server
${
  context.tls
    ? `
The peer dials it with TLS: give it a key pair whose certificate names \`${context.address.replace(/:[0-9]+$/, '')}\` and is signed by the CA in the package's connection.json.

\`\`\`sh
kubectl -n ${context.namespace} create secret tls ${context.serviceName}-tls --cert=<server.crt> --key=<server.key>
\`\`\`
`
    : ''
}
\`\`\`sh
kubectl apply -k k8s/
kubectl -n ${context.namespace} rollout status deployment/${context.serviceName}
\`\`\`

## 4. Approve (each organization) and commit the definition

Set \`ORDERER_ADDRESS\` and \`ORDERER_CA\` (the orderer's TLS CA certificate) for your network first.

\`\`\`sh
peer lifecycle chaincode approveformyorg -o "$ORDERER_ADDRESS" --tls --cafile "$ORDERER_CA" \\
  ${definition} --package-id ${context.packageId}
peer lifecycle chaincode checkcommitreadiness ${definition} --output json
peer lifecycle chaincode commit -o "$ORDERER_ADDRESS" --tls --cafile "$ORDERER_CA" \\
  ${definition} --peerAddresses <peer> --tlsRootCertFiles <peer TLS CA>   # one pair per organization
\`\`\`
`;
}

/** A plain, deterministic tar (fixed times, owners and modes) for the bundle. */
async function writeTar(files: readonly TarFile[]): Promise<Buffer> {
  const archive = pack();
  const chunks: Buffer[] = [];
  const collected = (async () => {
    for await (const chunk of archive) chunks.push(chunk as Buffer);
  })();
  for (const file of files) {
    archive.entry(
      { name: file.path, type: 'file', size: file.content.byteLength, mode: 0o644, mtime: new Date(0), uid: 0, gid: 0, uname: '', gname: '' },
      Buffer.from(file.content),
    );
  }
  archive.finalize();
  await collected;
  return Buffer.concat(chunks);
}
