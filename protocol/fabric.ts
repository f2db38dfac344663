/**
 * Fabric's own rules and shapes, declared once for the client and the server:
 * what a package label, a chaincode name and version may be, and what it
 * takes to reach a running network (TLS endpoints, an identity, an admin).
 *
 * The sandbox agent (plain JavaScript in the container) cannot import this
 * module; where it checks a label it must use the same pattern as
 * {@link packageLabelPattern}.
 */
import { z } from 'zod';

/**
 * Fabric's rule for package labels (`persistence.LabelRegexp`,
 * `^[[:alnum:]][[:alnum:]_.+-]*$`); `[[:alnum:]]` in Go's RE2 means ASCII
 * letters and digits.
 */
export const packageLabelPattern = /^[A-Za-z0-9][A-Za-z0-9_.+-]*$/;

/** Why `label` is not one the peer accepts, in words a user can act on; null when it is. */
export function packageLabelProblem(label: string): string | null {
  if (label.length === 0) return 'Enter a label, for example basic_1.0.';
  if (!/^[A-Za-z0-9]/.test(label)) return 'A label starts with a letter or a digit.';
  if (!packageLabelPattern.test(label)) return 'A label holds only letters, digits and _ . + -';
  return null;
}

/** The label suggested for a chaincode: `<name>_1.0`, with characters Fabric refuses dropped. */
export function suggestedPackageLabel(chaincodeName: string): string {
  const base = chaincodeName.replace(/[^A-Za-z0-9_.+-]/g, '').replace(/^[^A-Za-z0-9]+/, '');
  return `${base || 'chaincode'}_1.0`;
}

/** Fabric's rule for chaincode names: letters and digits, joined by single `-` or `_`. */
export const chaincodeNamePattern = /^[a-zA-Z0-9]+([-_][a-zA-Z0-9]+)*$/;
/** Longest chaincode name a definition takes. */
export const chaincodeNameMaxChars = 128;

/** Why `name` is not a chaincode name Fabric accepts, in words a user can act on; null when it is. */
export function chaincodeNameProblem(name: string): string | null {
  if (name.length === 0) return 'Enter a chaincode name, for example basic.';
  if (name.length > chaincodeNameMaxChars) return `A chaincode name has at most ${chaincodeNameMaxChars} characters.`;
  if (!chaincodeNamePattern.test(name)) return 'A chaincode name is letters and digits, joined by single - or _ (not at the start or the end).';
  return null;
}
/** What a chaincode definition's version may hold. */
export const chaincodeVersionPattern = /^[A-Za-z0-9_.+-]{1,64}$/;

/** The chaincode definition to approve and commit. */
export const ChaincodeDefinitionParams = z.object({
  name: z.string().regex(chaincodeNamePattern, 'a Fabric chaincode name: letters and digits, joined by single - or _').max(chaincodeNameMaxChars),
  version: z.string().regex(chaincodeVersionPattern, 'a version of letters, digits and _ . + -'),
  /** A whole number from 1; each new definition of a chaincode takes the next one. */
  sequence: z.number().int().min(1).max(1_000_000),
});
export type ChaincodeDefinitionParams = z.infer<typeof ChaincodeDefinitionParams>;

const Pem = z.string().min(1).max(64 * 1024);

/** A TLS endpoint of a peer or an orderer. */
export const TlsEndpoint = z.object({
  /** `host:port` as the server dials it. */
  endpoint: z.string().regex(/^[A-Za-z0-9.-]+:[0-9]{1,5}$/, 'an endpoint is host:port'),
  /** PEM of the TLS CA that signed the node's certificate. */
  tlsRootCert: Pem,
  /** The name to check the node's certificate against when the endpoint's host is not in it (the ssl target name override). */
  hostname: z.string().regex(/^[A-Za-z0-9.-]{1,253}$/).optional(),
});
export type TlsEndpoint = z.infer<typeof TlsEndpoint>;

/** An identity of an organization: its MSP ID, a certificate and the matching private key (PEM). */
export const FabricIdentity = z.object({
  mspId: z.string().regex(/^[A-Za-z0-9._-]{1,128}$/, 'an MSP ID'),
  certificate: Pem,
  /** PKCS#8 or SEC 1. */
  privateKey: Pem,
});
export type FabricIdentity = z.infer<typeof FabricIdentity>;

/** The organization's admin, and the CA that issued its certificate (the peer CLI's local MSP needs both). */
export const AdminIdentity = FabricIdentity.extend({ caCert: Pem });
export type AdminIdentity = z.infer<typeof AdminIdentity>;

/** What a deployer is given to reach a running network: one peer of the organization, an orderer, the channel and the admin. */
export const FabricConnection = z.object({
  peer: TlsEndpoint,
  orderer: TlsEndpoint,
  admin: AdminIdentity,
  channel: z.string().regex(/^[a-z][a-z0-9.-]{0,248}$/, 'a Fabric channel name'),
});
export type FabricConnection = z.infer<typeof FabricConnection>;
