/**
 * Text helpers for Vietnamese names.
 */

/**
 * Folds a string for accent-insensitive matching: strips all diacritics (Vietnamese tone and vowel
 * marks, incl. đ/Đ -> d), lower-cases, turns punctuation into spaces and collapses whitespace.
 * 'Xã Phú Lương' -> 'xa phu luong'; 'Đạ M\'ri' -> 'da m ri'. Tone-mark placement variants
 * ('Hòa' / 'Hoà') fold to the same string.
 */
export function foldVietnamese(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[đĐ]/g, 'd')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** Removes the `type + " "` prefix of an official name: ('Huyện Phú Lương', 'Huyện') -> 'Phú Lương'. */
export function shortNameOf(name: string, type: string): string {
  if (type && name.startsWith(`${type} `)) return name.slice(type.length + 1).trim();
  return name;
}
