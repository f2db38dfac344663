/**
 * What a deployer is given to reach a running Fabric network: one peer of the
 * organization, an orderer, the channel, and the organization's admin.
 */

/** A TLS endpoint of a peer or an orderer. */
export interface TlsEndpoint {
  /** `host:port` as the server dials it. */
  readonly endpoint: string;
  /** PEM of the TLS CA that signed the node's certificate. */
  readonly tlsRootCert: string;
  /**
   * The name to check the node's certificate against when `endpoint` is an
   * address the certificate does not name (the ssl target name override).
   */
  readonly hostname?: string;
}

/** The organization's admin identity, as the peer CLI's local MSP needs it. */
export interface AdminIdentity {
  readonly mspId: string;
  /** PEM of the admin's signing certificate. */
  readonly certificate: string;
  /** PEM of the admin's private key (PKCS#8 or SEC 1). */
  readonly privateKey: string;
  /** PEM of the organization's CA certificate, which issued `certificate`. */
  readonly caCert: string;
}

/** A connection to a running Fabric network, for one organization. */
export interface FabricConnection {
  readonly peer: TlsEndpoint;
  readonly orderer: TlsEndpoint;
  readonly admin: AdminIdentity;
  readonly channel: string;
}
