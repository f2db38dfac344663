/**
 * Fabric chaincode packages (the `.tar.gz` that `peer lifecycle chaincode
 * install` takes) and their package IDs.
 *
 * A package is a gzipped tar holding `metadata.json` and `code.tar.gz`. For
 * a `node` package the code tar holds the chaincode under `src/` and any
 * CouchDB index files under `META-INF/`, exactly as
 * `peer lifecycle chaincode package --lang node` writes them (same entries,
 * order and headers; the tests compare the uncompressed bytes). For a
 * `ccaas` package it holds `connection.json`, which Fabric's
 * chaincode-as-a-service builder reads, plus the same optional `META-INF/`.
 *
 * Packages are deterministic: the same files give the same bytes and so the
 * same package ID (for one Node.js version: the gzip layer is Node's zlib).
 */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { packageLabelPattern } from '../../protocol/fabric.ts';
import { ccaasDialTimeout } from '../config.ts';
import { ErrorCode, StudioError } from '../errors.ts';
import { writeFabricTar, type TarFile } from './fabricTar.ts';
import { compareBytes, readSourceTree } from './sourceTree.ts';

export type { TarFile } from './fabricTar.ts';

/** The builders a package is meant for: the peer's node builder, or Fabric's chaincode-as-a-service builder. */
export type ChaincodePackageType = 'node' | 'ccaas' | 'golang';

/** A built package, ready to write to a file or send to a peer. */
export interface ChaincodePackage {
  readonly label: string;
  readonly type: ChaincodePackageType;
  /** `label:sha256hex` of `bytes`, as the peer computes it. */
  readonly packageId: string;
  /** The `.tar.gz` file's bytes. */
  readonly bytes: Buffer;
  /** The paths inside `code.tar.gz`, in archive order. */
  readonly codeEntries: readonly string[];
}

/** Throws `export` unless `label` is one the peer accepts. */
export function validateLabel(label: string): void {
  if (!packageLabelPattern.test(label)) {
    throw new StudioError(
      ErrorCode.Export,
      `Invalid package label "${label}": a label must match ^[[:alnum:]][[:alnum:]_.+-]*$ ` +
        '(start with a letter or digit, then only letters, digits and the symbols . + - _).',
    );
  }
}

/**
 * The package ID the peer gives the package file `bytes`: the label, a colon,
 * and the hex SHA-256 of the whole file (Fabric's `persistence.PackageID`).
 */
export function packageId(label: string, bytes: Uint8Array): string {
  return `${label}:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** Options of {@link nodePackage}. */
export interface NodePackageOptions {
  readonly label: string;
  /**
   * The chaincode's files, paths relative to its root (where package.json
   * is). `META-INF/` files go to the code tar's root, the rest under `src/`.
   */
  readonly files: readonly TarFile[];
  /**
   * The `path` recorded in metadata.json. The peer's node builder ignores it;
   * the CLI records the directory it was given, which would leak a server
   * path, so we default to the label.
   */
  readonly path?: string;
}

/** Builds a `node` package from files in memory. */
export function nodePackage(options: NodePackageOptions): ChaincodePackage {
  validateLabel(options.label);
  const codeFiles = sortInWalkOrder(options.files).flatMap((file): TarFile[] => {
    const segments = file.path.split('/');
    if (segments[0] !== 'META-INF') return [{ path: `src/${file.path}`, content: file.content }];
    // Fabric skips hidden metadata files rather than failing on them.
    if (segments.at(-1)?.startsWith('.') === true) return [];
    validateMetadataFile(file);
    return [file];
  });
  if (!codeFiles.some((file) => file.path === 'src/package.json')) {
    throw new StudioError(
      ErrorCode.Export,
      'A node chaincode package needs a package.json at the root of the chaincode; none was found.',
    );
  }
  return assemble(options.label, 'node', metadataJson({ path: options.path ?? options.label, type: 'node', label: options.label }), codeFiles);
}

/** Reads `dir` (see {@link readSourceTree}) and builds a `node` package of it. */
export async function nodePackageFromDir(options: {
  readonly label: string;
  readonly dir: string;
  readonly path?: string;
}): Promise<{ readonly package: ChaincodePackage; readonly skipped: readonly string[] }> {
  validateLabel(options.label);
  const tree = await readSourceTree(options.dir);
  const built = nodePackage({ label: options.label, files: tree.files, ...(options.path === undefined ? {} : { path: options.path }) });
  return { package: built, skipped: tree.skipped };
}

/** Options of {@link ccaasPackage}. */
export interface CcaasPackageOptions {
  readonly label: string;
  /** `host:port` where the peer reaches the chaincode server (or a `{{.template}}` the ccaas builder fills in). */
  readonly address: string;
  /** A Go duration such as `10s`; defaults to `ccaasDialTimeout`. */
  readonly dialTimeout?: string;
  /** Whether the peer connects with TLS; then `rootCert` (PEM) is required. */
  readonly tlsRequired?: boolean;
  readonly rootCert?: string;
  /** PEM client key and certificate, for a server that requires client authentication. */
  readonly clientKey?: string;
  readonly clientCert?: string;
  /** CouchDB index files, paths starting with `META-INF/`. */
  readonly metaInf?: readonly TarFile[];
}

/** Builds a `ccaas` package: `connection.json` (and `META-INF/`) for Fabric's chaincode-as-a-service builder. */
export function ccaasPackage(options: CcaasPackageOptions): ChaincodePackage {
  validateLabel(options.label);
  if (!/^[A-Za-z0-9.-]+:[0-9]{1,5}$/.test(options.address) && !options.address.includes('{{')) {
    throw new StudioError(
      ErrorCode.Export,
      `Invalid chaincode server address "${options.address}": expected host:port, e.g. basic.fabric.svc.cluster.local:9999.`,
    );
  }
  const dialTimeout = options.dialTimeout ?? ccaasDialTimeout;
  if (!/^([0-9]+(\.[0-9]+)?(ns|us|ms|s|m|h))+$/.test(dialTimeout)) {
    throw new StudioError(ErrorCode.Export, `Invalid dial timeout "${dialTimeout}": expected a Go duration such as 10s.`);
  }
  const tls = options.tlsRequired === true;
  if (tls && (options.rootCert === undefined || options.rootCert === '')) {
    throw new StudioError(ErrorCode.Export, 'A chaincode server that requires TLS needs the root certificate (PEM) the peer should trust.');
  }
  const clientAuth = options.clientKey !== undefined || options.clientCert !== undefined;
  if (clientAuth && (!tls || options.clientKey === undefined || options.clientCert === undefined)) {
    throw new StudioError(ErrorCode.Export, 'Client authentication needs TLS, a client key and a client certificate together.');
  }
  // The field names are those of the builder's `connection` struct (ccaas_builder/cmd/build).
  const connection = {
    address: options.address,
    dial_timeout: dialTimeout,
    tls_required: tls,
    ...(tls ? { client_auth_required: clientAuth, root_cert: options.rootCert } : {}),
    ...(clientAuth ? { client_key: options.clientKey, client_cert: options.clientCert } : {}),
  };
  const metaInf = (options.metaInf ?? []).filter((file) => !(file.path.split('/').at(-1)?.startsWith('.') ?? false));
  for (const file of metaInf) validateMetadataFile(file);
  const codeFiles = sortInWalkOrder([
    { path: 'connection.json', content: Buffer.from(JSON.stringify(connection, null, 2) + '\n') },
    ...metaInf,
  ]);
  // metadata.json as in Fabric's samples for ccaas: the builder reads only `type`, the peer only `label`.
  return assemble(options.label, 'ccaas', Buffer.from(`{"type":"ccaas","label":${goJsonString(options.label)}}`), codeFiles);
}

export function assemble(label: string, type: ChaincodePackageType, metadata: Buffer, codeFiles: readonly TarFile[]): ChaincodePackage {
  const seen = new Set<string>();
  for (const file of codeFiles) {
    if (seen.has(file.path)) throw new StudioError(ErrorCode.Export, `The file ${file.path} appears twice in the chaincode package.`);
    seen.add(file.path);
  }
  const codeTarGz = gzipSync(writeFabricTar(codeFiles, { uid: 500, gid: 500 }));
  const bytes = gzipSync(
    writeFabricTar(
      [
        { path: 'metadata.json', content: metadata },
        { path: 'code.tar.gz', content: codeTarGz },
      ],
      { uid: 0, gid: 0 },
    ),
  );
  return { label, type, packageId: packageId(label, bytes), bytes, codeEntries: codeFiles.map((file) => file.path) };
}

/** metadata.json as Go's `json.Marshal` writes the CLI's `PackageMetadata` struct. */
export function metadataJson(metadata: { path: string; type: string; label: string }): Buffer {
  return Buffer.from(
    `{"path":${goJsonString(metadata.path)},"type":${goJsonString(metadata.type)},"label":${goJsonString(metadata.label)}}`,
  );
}

/** A JSON string as Go writes it: like JSON.stringify, but with <, >, & and the JS line separators escaped. */
function goJsonString(value: string): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Depth-first, each directory's entries in byte order: the order of Go's `filepath.Walk`. */
function sortInWalkOrder(files: readonly TarFile[]): TarFile[] {
  return [...files].sort((a, b) => {
    const left = a.path.split('/');
    const right = b.path.split('/');
    for (let i = 0; i < Math.min(left.length, right.length); i += 1) {
      const order = compareBytes(left[i] ?? '', right[i] ?? '');
      if (order !== 0) return order;
    }
    return left.length - right.length;
  });
}

const indexFilePatterns = [
  /^META-INF\/statedb\/couchdb\/indexes\/.*[.]json/,
  /^META-INF\/statedb\/couchdb\/collections\/[A-Za-z0-9_-]+\/indexes\/.*[.]json/,
];

/**
 * The first checks of Fabric's `ccmetadata.ValidateMetadataFile`: a metadata
 * file must be a CouchDB index under one of the two index folders and be a
 * JSON object. The peer checks the index's fields when it installs.
 */
function validateMetadataFile(file: TarFile): void {
  if (!indexFilePatterns.some((pattern) => pattern.test(file.path))) {
    throw new StudioError(
      ErrorCode.Export,
      `${file.path} is not allowed in META-INF: only CouchDB indexes (*.json) under META-INF/statedb/couchdb/indexes/ ` +
        'or META-INF/statedb/couchdb/collections/<collection>/indexes/ are.',
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(file.content).toString('utf8'));
  } catch (err) {
    throw new StudioError(ErrorCode.Export, `${file.path} is not valid JSON.`, { cause: err });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new StudioError(ErrorCode.Export, `${file.path} must hold a JSON object (a CouchDB index definition).`);
  }
}
