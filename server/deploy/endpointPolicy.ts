/**
 * Which network endpoints a deploy may make the server's peer CLI dial.
 *
 * A deploy runs on the server, so without a rule any caller could make the
 * server connect to its own loopback services, the cloud metadata address or
 * hosts of a private network it happens to sit in. Names are resolved here,
 * every address they resolve to is checked, and the CLI is then given the
 * checked address (with the name kept for the TLS check), so a name cannot
 * resolve to something else between the check and the dial. Our sandboxes'
 * Docker networks are in the private ranges, so they are refused as well.
 */
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import type { TlsEndpoint } from '../../protocol/fabric.ts';
import { ErrorCode, StudioError } from '../errors.ts';

/** Addresses no deploy reaches unless the allow-list names them. */
const refusedRanges: readonly (readonly [string, number, 'ipv4' | 'ipv6'])[] = [
  ['0.0.0.0', 8, 'ipv4'],
  ['10.0.0.0', 8, 'ipv4'],
  ['100.64.0.0', 10, 'ipv4'],
  ['127.0.0.0', 8, 'ipv4'],
  ['169.254.0.0', 16, 'ipv4'],
  ['172.16.0.0', 12, 'ipv4'],
  ['192.168.0.0', 16, 'ipv4'],
  ['224.0.0.0', 3, 'ipv4'],
  ['::', 128, 'ipv6'],
  ['::1', 128, 'ipv6'],
  ['fc00::', 7, 'ipv6'],
  ['fe80::', 10, 'ipv6'],
  ['ff00::', 8, 'ipv6'],
];

/** Resolves a host name to its addresses (all of them). */
export type HostResolver = (host: string) => Promise<readonly string[]>;

const resolveWithDns: HostResolver = async (host) => (await lookup(host, { all: true, verbatim: true })).map((entry) => entry.address);

/** Options of {@link createEndpointPolicy}. */
export interface EndpointPolicyOptions {
  /** Comma-separated `host:port` or CIDR entries that may be reached although their range is refused. */
  readonly allow: string;
  /** Defaults to the system resolver. */
  readonly resolve?: HostResolver;
}

/** Checks endpoints before a deploy dials them. */
export interface EndpointPolicy {
  /**
   * The endpoint to dial instead of `node`: the same node, by the address
   * that was checked, with its name kept as the TLS host name. Throws
   * `forbidden` when the endpoint may not be reached.
   */
  pin(node: TlsEndpoint, what: string): Promise<TlsEndpoint>;
}

/** The policy of `options`; throws when the allow-list holds an entry that is neither host:port nor CIDR. */
export function createEndpointPolicy(options: EndpointPolicyOptions): EndpointPolicy {
  const refused = new BlockList();
  for (const [address, prefix, type] of refusedRanges) refused.addSubnet(address, prefix, type);
  const allowedRanges = new BlockList();
  const allowedEndpoints = new Set<string>();
  for (const entry of options.allow.split(',').map((e) => e.trim()).filter((e) => e !== '')) {
    const cidr = /^(.+)\/(\d{1,3})$/.exec(entry);
    const type = cidr?.[1] === undefined ? 0 : isIP(cidr[1]);
    if (cidr?.[1] !== undefined && cidr[2] !== undefined && type !== 0) {
      allowedRanges.addSubnet(cidr[1], Number(cidr[2]), type === 4 ? 'ipv4' : 'ipv6');
    } else if (/^[^\s/]+:\d{1,5}$/.test(entry)) {
      allowedEndpoints.add(entry.toLowerCase());
    } else {
      throw new Error(`STUDIO_DEPLOY_ALLOW: "${entry}" is neither host:port nor a CIDR range such as 10.0.0.0/8.`);
    }
  }
  const resolve = options.resolve ?? resolveWithDns;

  const isRefused = (address: string): boolean => {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
    const plain = mapped ?? address;
    const type = isIP(plain) === 4 ? 'ipv4' : 'ipv6';
    return refused.check(plain, type) && !allowedRanges.check(plain, type);
  };

  return {
    async pin(node, what) {
      const separator = node.endpoint.lastIndexOf(':');
      const host = node.endpoint.slice(0, separator).toLowerCase();
      const port = node.endpoint.slice(separator + 1);
      let addresses: readonly string[];
      if (isIP(host) !== 0) addresses = [host];
      else {
        try {
          addresses = await resolve(host);
        } catch (err) {
          throw new StudioError(ErrorCode.Export, `The ${what} host name "${host}" does not resolve; check the endpoint.`, { cause: err });
        }
      }
      const first = addresses[0];
      if (first === undefined) throw new StudioError(ErrorCode.Export, `The ${what} host name "${host}" does not resolve; check the endpoint.`);
      const named = allowedEndpoints.has(`${host}:${port}`);
      const blocked = named ? [] : addresses.filter((address) => !allowedEndpoints.has(`${address}:${port}`) && isRefused(address));
      if (blocked.length > 0) {
        throw new StudioError(
          ErrorCode.Forbidden,
          `The ${what} endpoint ${node.endpoint} is a loopback, private or link-local address (${blocked.join(', ')}), which deploys may not reach. ` +
            'An administrator can allow it with STUDIO_DEPLOY_ALLOW (host:port or CIDR entries, comma-separated).',
        );
      }
      const dialed = isIP(first) === 6 ? `[${first}]:${port}` : `${first}:${port}`;
      return { ...node, endpoint: dialed, hostname: node.hostname ?? (isIP(host) === 0 ? host : undefined) };
    },
  };
}
