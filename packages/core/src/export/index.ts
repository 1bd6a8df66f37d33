export * from './spreadsheet-cell';
