import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/** A real SMTP server on 127.0.0.1 that keeps every e-mail it accepts. */
export interface Mailbox {
  port: number;
  /** e-mails accepted (answered 250) */
  mails: Array<{ to: string[]; messageId: string; subject: string; raw: string }>;
  /** hold the reply to the n-th e-mail received (1-based; never answered, so never accepted); resolves `held` */
  holdAt: number | null;
  held: Promise<void>;
  close(): Promise<void>;
}

export async function startMailbox(): Promise<Mailbox> {
  const mails: Mailbox['mails'] = [];
  let received = 0;
  let onHeld: () => void = () => {};
  const box = { holdAt: null as number | null, held: new Promise<void>((r) => (onHeld = r)) };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    closeTimeout: 1000,
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const header = (name: string) => new RegExp(`^${name}:\\s*(.*)$`, 'mi').exec(raw)?.[1]?.trim() ?? '';
        received++;
        if (box.holdAt === received) {
          onHeld(); // the sender is killed while waiting for this reply
          return;
        }
        mails.push({ to: session.envelope.rcptTo.map((r) => r.address), messageId: header('Message-ID'), subject: header('Subject'), raw });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = ((server as unknown as { server: Server }).server.address() as AddressInfo).port;
  return Object.assign(box, { port, mails, close: () => new Promise<void>((resolve) => server.close(() => resolve())) });
}

/** A webhook receiver on 127.0.0.1: checks each signature, answers 503 while `down`. */
export interface Receiver {
  port: number;
  url: string;
  down: boolean;
  /** accepted deliveries (2xx answered) */
  deliveries: Array<{ id: string; body: Record<string, unknown>; signatureOk: boolean }>;
  refused: number;
  /** hold the answer to the n-th request (1-based): it is recorded (processed) but never answered; resolves `held` */
  holdAt: number | null;
  held: Promise<void>;
  close(): Promise<void>;
}

export async function startReceiver(secret: string): Promise<Receiver> {
  let onHeld: () => void = () => {};
  const receiver = { down: false, deliveries: [], refused: 0, holdAt: null, held: new Promise<void>((r) => (onHeld = r)) } as unknown as Receiver;
  let requests = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (receiver.down) {
        receiver.refused++;
        res.writeHead(503).end();
        return;
      }
      const raw = Buffer.concat(chunks).toString('utf8');
      // how a receiver verifies: HMAC-SHA256(secret, "<timestamp>.<raw body>") in Tally-Signature (v1=<hex>)
      const ts = String(req.headers['tally-timestamp'] ?? '');
      const expected = Buffer.from(`v1=${createHmac('sha256', secret).update(`${ts}.${raw}`).digest('hex')}`);
      const given = Buffer.from(String(req.headers['tally-signature'] ?? ''));
      const signatureOk = given.length === expected.length && timingSafeEqual(given, expected);
      receiver.deliveries.push({ id: String(req.headers['tally-delivery-id']), body: JSON.parse(raw) as Record<string, unknown>, signatureOk });
      if (receiver.holdAt === ++requests) {
        onHeld();
        return;
      }
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.port = (server.address() as AddressInfo).port;
  receiver.url = `http://127.0.0.1:${receiver.port}/hooks/tally`;
  receiver.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return receiver;
}

/** How many times each id was seen; the ids seen more than once. */
export function duplicates(ids: string[]): string[] {
  const seen = new Map<string, number>();
  for (const id of ids) seen.set(id, (seen.get(id) ?? 0) + 1);
  return [...seen].filter(([, n]) => n > 1).map(([id]) => id);
}
