/**
 * The layout of one form sheet, shared by the writer and the reader: the key cells at the top (column A names
 * the key, column B holds its value), then a header row and one row per data element (and option combination).
 */
export const META_KEYS = ['template', 'orgUnit', 'period', 'catalogVersion', 'reportVersion', 'reason'] as const;
export type MetaKey = (typeof META_KEYS)[number];

export const META_LABELS: Record<MetaKey, string> = {
  template: 'Biểu mẫu (template)',
  orgUnit: 'Đơn vị (org unit)',
  period: 'Kỳ báo cáo (period)',
  catalogVersion: 'Phiên bản danh mục (catalog version)',
  reportVersion: 'Phiên bản báo cáo hiện có (0: chưa nộp)',
  reason: 'Lý do sửa đổi: bắt buộc khi báo cáo đã được nộp (reason, required for an amendment)',
};

/** Columns of the data rows, by header name (the reader finds them by name, so moved columns still read). */
export const COLUMNS = ['dataElement', 'optionCombo', 'name', 'option', 'valueType', 'unit', 'value', 'comment'] as const;
export type Column = (typeof COLUMNS)[number];

export const HEADER_ROW = META_KEYS.length + 2;

export const XLSX_CONTENT_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** Sheet names: at most 31 characters, none of []:*?/\ */
export const sheetNameOf = (orgUnit: string): string => orgUnit.replace(/[[\]:*?/\\]/g, '_').slice(0, 31);
