/**
 * Vietnamese text is data: every string that enters the API is stored in NFC, so text typed in NFD
 * (decomposed diacritics) matches text typed in NFC.
 */
export function normalizeNfc<T>(value: T): T {
  if (typeof value === 'string') return value.normalize('NFC') as T;
  if (Array.isArray(value)) return value.map((v) => normalizeNfc(v)) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k.normalize('NFC')] = normalizeNfc(v);
    return out as T;
  }
  return value;
}
