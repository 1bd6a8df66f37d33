import { Transform } from 'node:stream';
import { TallyError } from '@tally/contracts';
import type { IdSchemeParam } from '@tally/core';
import { BooleanParam, OneOf, Reason, ReportPeriod, Strict, Type, eventContextOf, type TypeBoxTypeProvider } from '@tally/runtime';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { ImportDeps } from '../import/apply-report';
import { IMPORT_STRATEGIES, type ImportStrategy } from '../import/imported-report';
import { acceptUploads } from '../import/raw-upload';
import { sendSummary } from '../import/send-summary';
import { exportDataValueSet } from './export-data-value-set';
import { ImportJobs } from './import-progress';
import { importDataValueSet } from './import-data-value-sets';
import type { DataValueFormat } from './read-data-values';
import { exportFormatOf } from './write-data-values';

const JSON_TYPES = ['application/json'];
const CSV_TYPES = ['application/csv', 'text/csv'];
const XML_TYPES = ['application/adx+xml', 'application/xml+adx', 'application/xml', 'text/xml'];


/** an id scheme as DHIS2 clients spell it (either case) */
const Scheme = OneOf(['code', 'uid', 'CODE', 'UID', 'auto']);
/** a data set or org unit as a DHIS2 client names it: a code or a uid (resolved by the id scheme) */
const DhisId = Type.String({ minLength: 1, maxLength: 64 });
const LEGACY = { NEW_AND_UPDATES: 'CREATE_AND_UPDATE', NEW: 'CREATE', UPDATES: 'UPDATE', DELETES: 'DELETE' } as const satisfies Record<string, ImportStrategy>;
const ImportQuery = Strict({
  dryRun: Type.Optional(BooleanParam),
  async: Type.Optional(BooleanParam),
  idScheme: Type.Optional(Scheme),
  dataElementIdScheme: Type.Optional(Scheme),
  orgUnitIdScheme: Type.Optional(Scheme),
  categoryOptionComboIdScheme: Type.Optional(Scheme),
  dataSetIdScheme: Type.Optional(Scheme),
  importStrategy: Type.Optional(OneOf([...IMPORT_STRATEGIES, 'NEW_AND_UPDATES', 'NEW', 'UPDATES', 'DELETES'])),
  dataSet: Type.Optional(DhisId),
  period: Type.Optional(ReportPeriod),
  orgUnit: Type.Optional(DhisId),
  completeDate: Type.Optional(Type.String({ maxLength: 40 })),
  reason: Type.Optional(Reason),
});
const ExportQuery = Strict({
  dataSet: DhisId,
  period: ReportPeriod,
  orgUnit: DhisId,
  children: Type.Optional(BooleanParam),
  format: Type.Optional(OneOf(['json', 'csv', 'adx'])),
  idScheme: Type.Optional(Scheme),
});
const JobParams = Type.Object({ id: Type.String({ maxLength: 64 }) });

const schemeOf = (s: string | undefined): IdSchemeParam => (s === undefined ? 'auto' : (s.toLowerCase() as IdSchemeParam));
const isLegacy = (s: string): s is keyof typeof LEGACY => Object.prototype.hasOwnProperty.call(LEGACY, s);
/** DHIS2's older strategy names mean today's (NEW_AND_UPDATES is CREATE_AND_UPDATE) */
const strategyOf = (s: ImportStrategy | keyof typeof LEGACY | undefined): ImportStrategy => (s === undefined ? 'CREATE_AND_UPDATE' : isLegacy(s) ? LEGACY[s] : s);

/**
 * DHIS2 data value sets: `POST /dataValueSets` imports JSON, CSV or XML (ADX, DXF2), each (dataSet, orgUnit,
 * period) a submission or an amendment, and answers an import summary (or, async=true, a job to follow);
 * `GET /dataValueSets` exports a template's reports for a unit (children=true: every reporting unit under it).
 */
export function dataValueSetRoutes(deps: ImportDeps & { nudgeRelay: () => void; importLimitBytes: number }): FastifyPluginAsync {
  const jobs = new ImportJobs();
  return async (plain) => {
    // the file is the raw body (JSON too: its own content-type parsers); only the query string has a schema
    plain.removeContentTypeParser('application/json');
    acceptUploads(plain, { buffer: JSON_TYPES, stream: [...CSV_TYPES, ...XML_TYPES] }, deps.importLimitBytes);
    const app = plain.withTypeProvider<TypeBoxTypeProvider>();

    app.post('/dataValueSets', { schema: { querystring: ImportQuery }, bodyLimit: deps.importLimitBytes }, async (request, reply) => {
      const q = request.query;
      const format = formatOf(request);
      const declared = Number(request.headers['content-length']);
      if (Number.isFinite(declared) && declared > deps.importLimitBytes) {
        throw new TallyError('PAYLOAD_TOO_LARGE', `the file is larger than ${deps.importLimitBytes} bytes (TALLY_IMPORT_LIMIT_BYTES)`);
      }
      const upload = request.tallyUpload;
      if (!upload) throw new TallyError('UNSUPPORTED_MEDIA_TYPE', `send the file as the raw body: ${[...JSON_TYPES, ...CSV_TYPES, ...XML_TYPES].join(', ')}`);
      const body = Buffer.isBuffer(upload) ? upload : upload.pipe(limitBytes(deps.importLimitBytes));
      const progress = jobs.start(request.tallyActor?.id ?? 'anonymous');
      void reply.header('x-tally-import-job', progress.id);
      const strategy = strategyOf(q.importStrategy);
      const general = schemeOf(q.idScheme);
      const run = importDataValueSet(
        deps,
        {
          format,
          body,
          dryRun: q.dryRun === 'true',
          strategy,
          scheme: q.dataElementIdScheme ? schemeOf(q.dataElementIdScheme) : general,
          orgUnitScheme: q.orgUnitIdScheme ? schemeOf(q.orgUnitIdScheme) : general,
          ...(q.dataSet ? { dataSet: q.dataSet } : {}),
          ...(q.period ? { period: q.period } : {}),
          ...(q.orgUnit ? { orgUnit: q.orgUnit } : {}),
          ...(q.reason ? { reason: q.reason } : {}),
          ...(request.tallyActor?.orgUnit ? { scope: request.tallyActor.orgUnit } : {}),
          ctx: eventContextOf(request),
        },
        progress,
      ).then(
        (summary) => {
          progress.summary = summary;
          progress.phase = 'done';
          if (!summary.dryRun) deps.nudgeRelay();
          request.log.info({ job: progress.id, values: progress.valuesRead, reports: progress.reportsDone, status: summary.status }, 'data value set imported');
          return summary;
        },
        (err: unknown) => {
          progress.phase = 'failed';
          const e = err instanceof TallyError ? err : new TallyError('INTERNAL', 'the import failed');
          progress.error = { code: e.code, message: e.message };
          deps.nudgeRelay();
          throw err;
        },
      );
      if (q.async === 'true' && !Buffer.isBuffer(upload)) {
        // the file is still being read: answer when it is, then import in the background
        await waitUntil(() => progress.phase !== 'reading');
      }
      if (q.async === 'true') {
        run.catch(() => {});
        return reply.status(202).send({
          status: 'OK',
          message: 'Initiated dataValueImport',
          response: { id: progress.id, jobType: 'DATAVALUE_IMPORT', relativeNotifierEndpoint: `/api/v1/dataValueSets/jobs/${progress.id}` },
        });
      }
      return sendSummary(reply, await run);
    });

    app.get('/dataValueSets/jobs/:id', { schema: { params: JobParams } }, async (request) => {
      const job = jobs.get(request.params.id);
      const actor = request.tallyActor;
      if (job && actor && actor.orgUnit !== 'VN' && actor.id !== job.owner) throw new TallyError('FORBIDDEN', 'this import was started by another account');
      if (!job) throw new TallyError('NOT_FOUND', 'no such import job on this instance');
      return job;
    });

    app.get('/dataValueSets', { schema: { querystring: ExportQuery } }, async (request, reply) => {
      const q = request.query;
      const scope = request.tallyActor?.orgUnit;
      const file = await exportDataValueSet(deps, {
        dataSet: q.dataSet,
        period: q.period,
        orgUnit: q.orgUnit,
        ...(q.children ? { children: q.children } : {}),
        idScheme: schemeOf(q.idScheme),
        format: exportFormatOf(q.format, request.headers.accept),
        ...(scope ? { scope } : {}),
      });
      return reply.header('content-type', file.contentType).header('content-disposition', `attachment; filename="${file.filename}"`).send(file.body);
    });
  };
}

function formatOf(request: FastifyRequest): DataValueFormat {
  const type = String(request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (JSON_TYPES.includes(type)) return 'json';
  if (CSV_TYPES.includes(type)) return 'csv';
  return 'xml';
}

/** Counts the bytes of a streamed upload; past the limit the import fails with 413 PAYLOAD_TOO_LARGE. */
function limitBytes(limit: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      seen += chunk.length;
      if (seen > limit) done(new TallyError('PAYLOAD_TOO_LARGE', `the file is larger than ${limit} bytes (TALLY_IMPORT_LIMIT_BYTES)`));
      else done(null, chunk);
    },
  });
}

async function waitUntil(done: () => boolean): Promise<void> {
  while (!done()) await new Promise((r) => setImmediate(r));
}
