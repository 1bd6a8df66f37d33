import { createHmac } from 'node:crypto';
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP } from 'node:net';
import http from 'node:http';
import https from 'node:https';
import { addressAllowed, type AllowList } from './allow-list';

/**
 * Webhook deliveries: a JSON POST signed with HMAC-SHA256.
 *   Tally-Delivery-Id: <delivery id>   (the same on every retry: receivers drop ids they have seen)
 *   Tally-Timestamp:   <unix seconds>
 *   Tally-Signature:   v1=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>
 * A receiver recomputes the HMAC over the timestamp, a '.', and the raw body, compares in constant time, and
 * refuses timestamps older than a few minutes (replays). Any 2xx is success; anything else is retried.
 * The address the URL resolves to is checked against the allow-list when connecting (DNS rebinding).
 */
export const SIGNATURE_HEADER = 'tally-signature';
export const TIMESTAMP_HEADER = 'tally-timestamp';
export const DELIVERY_HEADER = 'tally-delivery-id';

export function signature(secret: string, timestamp: number, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export async function postWebhook(
  allow: AllowList,
  request: { url: string; secret: string; deliveryId: string; body: string; now: Date; timeoutMs: number },
): Promise<void> {
  const url = new URL(request.url);
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  const literal = url.hostname.replace(/^\[|\]$/g, '');
  // an IP literal is connected to without a lookup: check it here
  if (isIP(literal) && !addressAllowed(allow, literal, port)) throw new Error(`${literal} is not allowed by TALLY_WEBHOOK_ALLOW`);
  const timestamp = Math.floor(request.now.getTime() / 1000);
  const checkedLookup = (hostname: string, options: object, callback: (err: Error | null, address: string | LookupAddress[], family?: number) => void): void => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '');
      const list = addresses as LookupAddress[];
      const refused = list.find((a) => !addressAllowed(allow, a.address, port, hostname));
      if (refused) return callback(new Error(`${hostname} resolves to ${refused.address}, which TALLY_WEBHOOK_ALLOW does not allow`), '');
      if ((options as { all?: boolean }).all) return callback(null, list);
      callback(null, list[0]!.address, list[0]!.family);
    });
  };
  const client = url.protocol === 'https:' ? https : http;
  await new Promise<void>((resolve, reject) => {
    const req = client.request(
      url,
      {
        method: 'POST',
        lookup: checkedLookup as never,
        timeout: request.timeoutMs,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(request.body),
          'user-agent': 'tally-webhooks/1',
          [DELIVERY_HEADER]: request.deliveryId,
          [TIMESTAMP_HEADER]: String(timestamp),
          [SIGNATURE_HEADER]: signature(request.secret, timestamp, request.body),
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => (res.statusCode && res.statusCode >= 200 && res.statusCode < 300 ? resolve() : reject(new Error(`HTTP ${res.statusCode}`))));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end(request.body);
  });
}
