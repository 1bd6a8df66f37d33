/**
 * Vietnamese text is data: every string the app sends is NFC, and searching ignores accents and case
 * ("thai nguyen" finds "Thái Nguyên"; "đ" folds to "d").
 */
export const nfc = (s: string): string => s.normalize('NFC');

export function fold(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim();
}

/** true when every word of the query appears (accent- and case-insensitively) in the text */
export function matches(text: string, query: string): boolean {
  const t = fold(text);
  return fold(query)
    .split(' ')
    .every((w) => t.includes(w));
}
