import { neutralizeFormula, parsePeriod, toCsv, type DatasetDefinition, type ReleaseCell } from '@tally/core';

/**
 * SDMX 3.0 data messages: SDMX-CSV 2.0 and SDMX-JSON 2.0. The dataflow `TALLY:<dataset id>(1.0)` has three
 * dimensions, REF_AREA (unit code), INDICATOR (data element or indicator code), TIME_PERIOD (ISO-style:
 * 2026-S1, 2026-Q1, 2026-01, 2026), the measure OBS_VALUE, and observation attributes CONF_STATUS
 * (F, C, D), REVISION (new, revised) and HIERARCHY (the map version).
 */
export const structureId = (id: string): string => `TALLY:${id}(1.0)`;

/** A DHIS2 period code in SDMX's time format. */
export function sdmxPeriod(code: string): string {
  const p = parsePeriod(code);
  if (!p) return code;
  if (/^\d{6}$/.test(code)) return `${code.slice(0, 4)}-${code.slice(4)}`;
  const m = /^(\d{4})([SQ])(\d)$/.exec(code);
  return m ? `${m[1]}-${m[2]}${m[3]}` : code;
}

export function sdmxCsv(def: Pick<DatasetDefinition, 'id'>, cells: readonly ReleaseCell[]): string {
  const header = ['STRUCTURE', 'STRUCTURE_ID', 'ACTION', 'REF_AREA', 'INDICATOR', 'TIME_PERIOD', 'OBS_VALUE', 'CONF_STATUS', 'REVISION', 'HIERARCHY'];
  return toCsv(
    header,
    cells.map((c) => ['dataflow', structureId(def.id), 'I', c.unit, c.item, sdmxPeriod(c.period), c.value, c.conf, c.revision ?? '', c.hierarchy]),
  );
}

interface Code {
  id: string;
  name?: string;
}

export interface SdmxJsonOptions {
  messageId: string;
  prepared: string;
  language: 'vi' | 'en';
}

export function sdmxJson(def: Pick<DatasetDefinition, 'id' | 'title'>, cells: readonly ReleaseCell[], opts: SdmxJsonOptions): unknown {
  const index = <T extends Code>(values: T[]) => {
    const pos = new Map<string, number>();
    const list: T[] = [];
    for (const v of values) if (!pos.has(v.id)) pos.set(v.id, list.push(v) - 1);
    return { pos, list };
  };
  const areas = index(cells.map((c) => ({ id: c.unit, name: neutralizeFormula(c.unitName) })));
  const items = index(cells.map((c) => ({ id: c.item, name: neutralizeFormula(c.itemName) })));
  const periods = index(cells.map((c) => ({ id: sdmxPeriod(c.period) })));
  const conf = index(cells.map((c) => ({ id: c.conf })));
  const revisions = index(cells.filter((c) => c.revision).map((c) => ({ id: c.revision! })));
  const hierarchies = index(cells.map((c) => ({ id: c.hierarchy })));
  const observations: Record<string, Array<number | null>> = {};
  for (const c of cells) {
    const key = `${areas.pos.get(c.unit)}:${items.pos.get(c.item)}:${periods.pos.get(sdmxPeriod(c.period))}`;
    observations[key] = [c.value, conf.pos.get(c.conf)!, c.revision ? revisions.pos.get(c.revision)! : null, hierarchies.pos.get(c.hierarchy)!];
  }
  return {
    meta: {
      schema: 'https://raw.githubusercontent.com/sdmx-twg/sdmx-json/master/data-message/tools/schemas/2.0.0/sdmx-json-data-schema.json',
      id: opts.messageId,
      test: false,
      prepared: opts.prepared,
      contentLanguages: [opts.language],
      sender: { id: 'TALLY', name: 'Tally' },
    },
    data: {
      structures: [
        {
          structure: `urn:sdmx:org.sdmx.infomodel.datastructure.Dataflow=${structureId(def.id)}`,
          name: neutralizeFormula(def.title[opts.language]),
          dimensions: {
            dataSet: [],
            series: [],
            observation: [
              { id: 'REF_AREA', name: 'Reference area', keyPosition: 0, roles: ['REF_AREA'], values: areas.list },
              { id: 'INDICATOR', name: 'Indicator or data element', keyPosition: 1, values: items.list },
              { id: 'TIME_PERIOD', name: 'Time period', keyPosition: 2, roles: ['TIME_PERIOD'], values: periods.list },
            ],
          },
          attributes: {
            dataSet: [],
            series: [],
            observation: [
              { id: 'CONF_STATUS', name: 'Confidentiality status', roles: ['CONF_STATUS'], relationship: { observation: {} }, values: conf.list },
              { id: 'REVISION', name: 'Revision since the previous release', relationship: { observation: {} }, values: revisions.list },
              { id: 'HIERARCHY', name: 'Administrative map version', relationship: { observation: {} }, values: hierarchies.list },
            ],
          },
          measures: { observation: [{ id: 'OBS_VALUE', name: 'Observation value', roles: ['OBS_VALUE'] }] },
        },
      ],
      dataSets: [{ structure: 0, action: 'Information', observations }],
    },
  };
}
