import { TallyError, CatalogServiceService, grpcService, unaryHandler, type CatalogQuery, type GrpcRegistration, type tallyv1 } from '@tally/contracts';
import type { Catalog } from '@tally/core';

/** The catalog over gRPC, for services in other processes. */
export function indicatorGrpc(catalog: CatalogQuery): GrpcRegistration[] {
  const find = async (req: { date: string; version?: string }): Promise<Catalog> => {
    const c = req.version ? await catalog.catalogVersion(req.version) : await catalog.catalogFor(req.date || undefined);
    if (!c) throw new TallyError('NO_CATALOG', req.version ? `no catalog version ${req.version}` : `no catalog in force on ${req.date || 'any date'}`);
    return c;
  };
  return [
    grpcService(CatalogServiceService, {
      getCurrentCatalog: unaryHandler(async (req: tallyv1.GetCurrentCatalogRequest) => {
        const c = await find(req);
        return { version: c.version, legalBasis: c.legalBasis, catalogJson: JSON.stringify(c) };
      }),
      getDataElement: unaryHandler(async (req: tallyv1.GetDataElementRequest) => {
        const c = await find(req);
        const e = c.dataElements.find((x) => x.code === req.code);
        if (!e) throw new TallyError('UNKNOWN_DATA_ELEMENT', `unknown data element ${req.code}`);
        return { dataElement: { ...e }, catalogVersion: c.version };
      }),
      getIndicator: unaryHandler(async (req: tallyv1.GetIndicatorRequest) => {
        const c = await find(req);
        const i = c.indicators.find((x) => x.code === req.code);
        if (!i) throw new TallyError('NOT_FOUND', `unknown indicator ${req.code}`);
        return { indicator: { ...i }, catalogVersion: c.version };
      }),
    }),
  ];
}
