/**
 * What an export can be adapted to, declared once for the dialog's fields and
 * the server's checks: the chaincode definition it will be approved as, and for
 * a chaincode-as-a-service bundle the Kubernetes namespace, the address the
 * peer dials and whether it dials with TLS. And the summary an export answers
 * with, which says what to hand the operator.
 */
import { z } from 'zod';
import { ChaincodeDefinitionParams, chaincodeVersionPattern } from './fabric.ts';

/** A Kubernetes namespace (an RFC 1123 DNS label). */
export const kubernetesNamespacePattern = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** `host:port` as the peer dials it (connection.json's `address`). */
export const chaincodeAddressPattern = /^[A-Za-z0-9.-]+:[0-9]{1,5}$/;
/** Fabric's rule for channel names. */
export const channelNamePattern = /^[a-z][a-z0-9.-]{0,248}$/;

const Pem = z
  .string()
  .max(64 * 1024)
  .regex(/-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----/, 'a PEM certificate (-----BEGIN CERTIFICATE----- …)');

/** The chaincode definition an export will be approved and committed as (the README's commands and the summary). */
export const DefinitionOptions = z.object({
  channel: z.string().regex(channelNamePattern, 'a channel name: lowercase letters, digits, . and -, starting with a letter').optional(),
  version: z.string().regex(chaincodeVersionPattern, 'a version of letters, digits and _ . + -').optional(),
  sequence: ChaincodeDefinitionParams.shape.sequence.optional(),
});
export type DefinitionOptions = z.infer<typeof DefinitionOptions>;

/** Where and how the operator's cluster runs a chaincode-as-a-service bundle. */
export const CcaasOptions = DefinitionOptions.extend({
  namespace: z.string().max(63).regex(kubernetesNamespacePattern, 'a Kubernetes namespace: lowercase letters, digits and -, at most 63').optional(),
  /** The address the peer dials; defaults to the in-cluster Service's DNS name. */
  address: z.string().max(300).regex(chaincodeAddressPattern, 'host:port, e.g. basic.fabric.svc.cluster.local:9999').optional(),
  /** The peer dials with TLS; `rootCert` is then the CA that signed the chaincode server's certificate. */
  tlsRequired: z.boolean().optional(),
  rootCert: Pem.optional(),
});
export type CcaasOptions = z.infer<typeof CcaasOptions>;

/** Why the options cannot be used together, or null. */
export function ccaasOptionsProblem(options: CcaasOptions): string | null {
  if (options.tlsRequired && !options.rootCert) return 'With TLS, paste the CA certificate that signed the chaincode server’s certificate.';
  return null;
}

/** Why `value` is not valid for `field` of the ccaas options, in words a user can act on; null when it is (or is empty: the default applies). */
export function exportFieldProblem(field: 'channel' | 'version' | 'namespace' | 'address' | 'rootCert', value: string): string | null {
  if (value.trim() === '') return null;
  const parsed = CcaasOptions.shape[field].safeParse(value);
  return parsed.success ? null : (parsed.error.issues[0]?.message ?? 'invalid');
}

/** What an export answers with besides the file: everything the operator needs, in one place. */
export interface ExportHandover {
  /** The name to approve and commit the definition as: the workspace's own chaincode name. */
  chaincodeName: string;
  channel: string;
  version: string;
  sequence: number;
  /** The file to install on each endorsing peer (`peer lifecycle chaincode install`); inside the bundle for ccaas. */
  packageFileName: string;
  /** SHA-256 of that package file: the hash in the package ID. For a bundle it differs from the download's own hash. */
  packageSha256: string;
  /** ccaas only. */
  namespace?: string;
  address?: string;
  tlsRequired?: boolean;
  image?: string;
}
