/**
 * Vietnamese text is data: every string that enters the API is stored in NFC, so text typed in NFD
 * (decomposed diacritics) matches text typed in NFC. Copy on write: a value already in NFC (nearly every body) is
 * returned as it is, without rebuilding each of its objects and arrays.
 */
export function normalizeNfc<T>(value: T): T {
  if (typeof value === 'string') return value.normalize('NFC') as T;
  if (Array.isArray(value)) {
    let out: unknown[] | null = null;
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      const n = normalizeNfc(v);
      if (n !== v) (out ??= value.slice())[i] = n;
    }
    return (out ?? value) as T;
  }
  if (value && typeof value === 'object') {
    const object = value as Record<string, unknown>;
    const keys = Object.keys(object);
    // the usual body needs nothing: check every key and value first, rebuild only when one changes
    const unchanged = keys.every((k) => k.normalize('NFC') === k && normalizeNfc(object[k]) === object[k]);
    if (unchanged) return value;
    const out: Record<string, unknown> = {};
    for (const k of keys) out[k.normalize('NFC')] = normalizeNfc(object[k]);
    return out as T;
  }
  return value;
}
