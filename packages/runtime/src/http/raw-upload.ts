import type { Readable } from 'node:stream';
import { TallyError } from '@tally/contracts';
import type { FastifyInstance, FastifyRequest } from 'fastify';

declare module 'fastify' {
  interface FastifyRequest {
    /** an uploaded file, kept aside from `body` (the JSON hooks walk bodies: NFC, operator keys) */
    tallyUpload?: Buffer | Readable;
  }
}

/**
 * Accepts files of these content types as the raw body: `buffer` parsers collect it (up to `limit` bytes, else
 * 413 PAYLOAD_TOO_LARGE), `stream` parsers hand the request stream on to be read as it arrives.
 * The body itself stays undefined so the hooks meant for JSON documents leave it alone.
 */
export function acceptUploads(app: FastifyInstance, types: { buffer?: string[]; stream?: string[] }, limit: number): void {
  for (const type of types.buffer ?? []) {
    app.addContentTypeParser(type, { parseAs: 'buffer', bodyLimit: limit }, (request, body, done) => {
      request.tallyUpload = body as Buffer;
      done(null, undefined);
    });
  }
  for (const type of types.stream ?? []) {
    app.addContentTypeParser(type, (request, payload, done) => {
      request.tallyUpload = payload;
      done(null, undefined);
    });
  }
}

export function uploadedBuffer(request: FastifyRequest, expected: string): Buffer {
  const body = request.tallyUpload;
  if (!Buffer.isBuffer(body)) throw new TallyError('UNSUPPORTED_MEDIA_TYPE', `send the file as the raw body with content-type ${expected}`);
  return body;
}
