import { neutralizeFormula, type DatasetDefinition, type ReleaseHeader } from '@tally/core';
import { datasetUrl, distributions } from '../urls';

/**
 * The catalog for harvesters: DCAT-AP 3 in JSON-LD, its context inline (a harvester needs nothing remote to
 * read it). Each dataset has its latest distributions, and each release is a dataset version of its own
 * (dcat:hasVersion, DCAT 3) with its own distributions.
 */
export const DCAT_CONTEXT = {
  dcat: 'http://www.w3.org/ns/dcat#',
  dct: 'http://purl.org/dc/terms/',
  foaf: 'http://xmlns.com/foaf/0.1/',
  xsd: 'http://www.w3.org/2001/XMLSchema#',
  adms: 'http://www.w3.org/ns/adms#',
  'dct:issued': { '@type': 'xsd:dateTime' },
  'dct:modified': { '@type': 'xsd:dateTime' },
  'dcat:accessURL': { '@type': '@id' },
  'dcat:downloadURL': { '@type': '@id' },
  'dcat:landingPage': { '@type': '@id' },
  'dct:license': { '@type': '@id' },
  'dct:accrualPeriodicity': { '@type': '@id' },
  'dct:conformsTo': { '@type': '@id' },
};

const FREQUENCY: Record<DatasetDefinition['updateFrequency'], string> = {
  continuous: 'UPDATE_CONT',
  monthly: 'MONTHLY',
  quarterly: 'QUARTERLY',
  biannual: 'ANNUAL_2',
  annual: 'ANNUAL',
  irregular: 'IRREG',
};

const text = (def: DatasetDefinition, field: 'title' | 'description') =>
  (['vi', 'en'] as const).filter((l) => def[field][l]).map((l) => ({ '@value': neutralizeFormula(def[field][l]), '@language': l }));

function distributionNodes(base: string, def: DatasetDefinition, release: number | null) {
  return distributions(base, def.id, release).map((d) => ({
    '@id': `${d.url}#distribution`,
    '@type': 'dcat:Distribution',
    'dct:title': `${def.id} ${release === null ? 'latest' : `release ${release}`} (${d.format})`,
    'dcat:accessURL': d.url,
    'dcat:downloadURL': d.url,
    'dcat:mediaType': { '@id': `https://www.iana.org/assignments/media-types/${d.mediaType.split(';')[0]!.trim()}` },
    'dct:format': d.format,
    'dct:license': def.licence.url,
  }));
}

export function dcatCatalog(base: string, datasets: Array<{ def: DatasetDefinition; releases: ReleaseHeader[]; modified: string | null }>): unknown {
  return {
    '@context': DCAT_CONTEXT,
    '@id': `${base}/api/v1/open-data/catalog.jsonld`,
    '@type': 'dcat:Catalog',
    'dct:title': [
      { '@value': 'Dữ liệu mở Tally', '@language': 'vi' },
      { '@value': 'Tally open data', '@language': 'en' },
    ],
    'dct:description': { '@value': 'Open data of the National Target Program 1719 monitoring platform', '@language': 'en' },
    'dct:publisher': { '@id': `${base}/#publisher`, '@type': 'foaf:Agent', 'foaf:name': 'Tally' },
    'dcat:dataset': datasets.map(({ def, releases, modified }) => {
      const id = base + datasetUrl(def.id);
      return {
        '@id': id,
        '@type': 'dcat:Dataset',
        'dct:identifier': def.id,
        'dct:title': text(def, 'title'),
        'dct:description': text(def, 'description'),
        'dct:publisher': { '@type': 'foaf:Agent', 'foaf:name': neutralizeFormula(def.publisher.name), ...(def.publisher.url ? { 'foaf:homepage': { '@id': def.publisher.url } } : {}) },
        'dct:license': def.licence.url,
        'dct:accrualPeriodicity': `http://publications.europa.eu/resource/authority/frequency/${FREQUENCY[def.updateFrequency]}`,
        'dcat:keyword': def.keywords.map(neutralizeFormula),
        'dcat:landingPage': id,
        ...(modified ? { 'dct:modified': modified } : {}),
        'dcat:distribution': distributionNodes(base, def, null),
        'dcat:hasVersion': releases.map((r) => ({
          '@id': `${id}/releases/${r.release}`,
          '@type': 'dcat:Dataset',
          'dcat:version': String(r.release),
          'dct:issued': r.releasedAt,
          'dct:identifier': `${def.id}/releases/${r.release}`,
          'dct:title': text(def, 'title'),
          'dct:license': def.licence.url,
          'dcat:distribution': distributionNodes(base, def, r.release),
        })),
      };
    }),
  };
}
