import { TallyError } from '@tally/contracts';
import { catalogFromSheets, catalogToSheets, locateProblems, validateCatalog, type LocatedProblem } from '@tally/core';
import type { EventStore } from '@tally/eventstore';
import { acceptUploads, eventContextOf, readTables, uploadedBuffer, writeTables, type TypeBoxTypeProvider } from '@tally/runtime';
import type { FastifyPluginAsync } from 'fastify';
import { CatalogAskQuery, catalogAsked } from './catalog-asked';
import type { CatalogRegistry } from './catalog-registry';
import { publishAndAnswer } from './publish-answer';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
/** A catalog workbook is small (a few hundred rows); beyond this it is refused before it is unzipped. */
export const CATALOG_XLSX_MAX_BYTES = 8 * 1024 * 1024;
const LIMITS = { maxSheets: 20, maxRows: 20_000, maxColumns: 50 };

/**
 * The catalog as a workbook (layout: core's catalog-sheets, docs/catalog.md "The workbook"): download a version,
 * edit it in a spreadsheet, upload it as a new version. The upload goes through the same command as
 * `PUT /catalog` (same rules, answers and errors); every problem, the layout's and the catalog's, says its sheet,
 * row and column.
 */
export function catalogXlsxRoutes(deps: { store: EventStore; registry: CatalogRegistry; nudgeRelay: () => void; importLimitBytes: number }): FastifyPluginAsync {
  const limit = Math.min(deps.importLimitBytes, CATALOG_XLSX_MAX_BYTES);
  return async (plain) => {
    acceptUploads(plain, { buffer: [XLSX] }, limit);
    const app = plain.withTypeProvider<TypeBoxTypeProvider>();

    app.get('/catalog/xlsx', { schema: { querystring: CatalogAskQuery } }, async (request, reply) => {
      const catalog = catalogAsked(deps.registry, request.query);
      const body = await writeTables(catalogToSheets(catalog));
      const name = `catalog-${catalog.version}.xlsx`;
      return reply.header('content-type', XLSX).header('content-disposition', `attachment; filename="${name}"`).send(body);
    });

    app.put('/catalog/xlsx', { bodyLimit: limit }, async (request, reply) => {
      const tables = await readTables(uploadedBuffer(request, XLSX), LIMITS);
      const read = catalogFromSheets(tables);
      const checked = validateCatalog(read.input);
      const problems: LocatedProblem[] = locateProblems(read, checked.ok ? [] : checked.problems);
      if (problems.length > 0) throw new TallyError('INVALID_CATALOG', `the workbook has ${problems.length} problem(s)`, { problems });
      const answer = await publishAndAnswer(deps, read.input, eventContextOf(request));
      return reply.status(answer.status).send(answer.body);
    });
  };
}
