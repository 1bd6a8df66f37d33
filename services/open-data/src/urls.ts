/**
 * Where each file of a dataset lives. Paths are relative to the API root; catalogs, Data Packages and
 * DCAT need absolute URLs, made with the public base URL (TALLY_PUBLIC_URL, else the request's own host).
 */
export const API = '/api/v1/open-data';

export interface FormatSpec {
  format: string;
  mediaType: string;
  /** the file name suffix after the dataset id or release number */
  suffix: string;
}

/** Every format a dataset or release is downloadable in. */
export const FORMATS: readonly FormatSpec[] = [
  { format: 'csv', mediaType: 'text/csv', suffix: '.csv' },
  { format: 'json', mediaType: 'application/json', suffix: '.json' },
  { format: 'sdmx-csv', mediaType: 'application/vnd.sdmx.data+csv; version=2.0.0', suffix: '.sdmx.csv' },
  { format: 'sdmx-json', mediaType: 'application/vnd.sdmx.data+json; version=2.0.0', suffix: '.sdmx.json' },
  { format: 'datapackage', mediaType: 'application/json', suffix: '/datapackage.json' },
];

export const datasetUrl = (id: string): string => `${API}/datasets/${id}`;
export const releaseUrl = (id: string, n: number): string => `${API}/datasets/${id}/releases/${n}`;

/** The distributions of the latest data (release null) or of one release. */
export function distributions(base: string, id: string, release: number | null): Array<{ format: string; mediaType: string; url: string; release: number | null }> {
  const root = base + (release === null ? datasetUrl(id) : releaseUrl(id, release));
  return FORMATS.map((f) => ({ format: f.format, mediaType: f.mediaType, url: root + f.suffix, release }));
}
