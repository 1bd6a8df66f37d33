import { BlockList, isIP } from 'node:net';

/**
 * Where webhooks may be delivered (SSRF guard). A public address is allowed; loopback, private, link-local,
 * unique-local, CGNAT, multicast and unspecified addresses are refused unless TALLY_WEBHOOK_ALLOW names them:
 * comma-separated hosts (`hooks.example.org`), host:port (`127.0.0.1:9000`) or CIDR ranges (`10.1.0.0/16`).
 * The check applies to the URL's host and again to every address it resolves to when connecting.
 */
export interface AllowList {
  hosts: Set<string>;
  hostPorts: Set<string>;
  ranges: BlockList;
  empty: boolean;
}

export function parseAllowList(text: string): AllowList {
  const list: AllowList = { hosts: new Set(), hostPorts: new Set(), ranges: new BlockList(), empty: true };
  for (const raw of text.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean)) {
    list.empty = false;
    const cidr = /^(.+)\/(\d{1,3})$/.exec(raw);
    if (cidr && isIP(cidr[1]!)) {
      const family = isIP(cidr[1]!) === 6 ? 'ipv6' : 'ipv4';
      list.ranges.addSubnet(cidr[1]!, Number(cidr[2]), family);
      continue;
    }
    const hostPort = /^(\[[0-9a-f:.]+\]|[^:]+):(\d{1,5})$/.exec(raw);
    if (hostPort) list.hostPorts.add(`${hostPort[1]!.replace(/^\[|\]$/g, '')}:${hostPort[2]}`);
    else list.hosts.add(raw.replace(/^\[|\]$/g, ''));
  }
  return list;
}

const BLOCKED = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  BLOCKED.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const)
  BLOCKED.addSubnet(net, bits, 'ipv6');

const mappedV4 = (address: string): string | null => /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1] ?? null;

/** Whether an address (a resolved IP) may be called on `port`; `host` is the name it came from. */
export function addressAllowed(list: AllowList, address: string, port: number, host?: string): boolean {
  const ip = mappedV4(address) ?? address;
  const family = isIP(ip) === 6 ? 'ipv6' : 'ipv4';
  if (!isIP(ip)) return false;
  if (list.hostPorts.has(`${ip}:${port}`) || list.hosts.has(ip) || list.ranges.check(ip, family)) return true;
  if (host && (list.hosts.has(host.toLowerCase()) || list.hostPorts.has(`${host.toLowerCase()}:${port}`))) return true;
  return !BLOCKED.check(ip, family);
}

/** Checks a webhook URL's form and literal host; why not, or null when it may be tried (names are checked again on resolution). */
export function urlProblem(list: AllowList, raw: string): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'not a URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'only http and https URLs';
  if (url.username || url.password) return 'no credentials in the URL';
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  if (isIP(host)) return addressAllowed(list, host, port) ? null : `${host} is a loopback, private or link-local address; allow it with TALLY_WEBHOOK_ALLOW`;
  if (host === 'localhost' || host.endsWith('.localhost')) {
    return list.hosts.has(host) || list.hostPorts.has(`${host}:${port}`) ? null : 'localhost is refused; allow it with TALLY_WEBHOOK_ALLOW';
  }
  return null;
}
