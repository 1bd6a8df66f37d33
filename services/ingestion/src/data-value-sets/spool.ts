import { Database } from '@tally/sqlite';

/**
 * The values of a large import set aside on disk, grouped by report: the file is read once as it streams in,
 * each value written here under its (template, unit, period) key; then the reports are imported one at a time,
 * each reading only its own values back. Memory holds one report, not the file. A temporary SQLite database
 * (an empty file name: private, on disk, removed when closed).
 */
export interface SpooledValue {
  dataElement: string;
  optionCombo?: string;
  /** absent: the file gave no value (only DELETE imports keep those) */
  raw?: string | number | boolean;
  comment?: string;
  index: number;
  row?: number;
}

export interface ReportKeyOfImport {
  template: string;
  orgUnit: string;
  period: string;
}

export class ImportSpool {
  private readonly db = new Database('');
  private readonly insert;
  private pending: Array<[string, string]> = [];
  private count = 0;

  constructor() {
    this.db.pragma('journal_mode = OFF');
    this.db.pragma('synchronous = OFF');
    this.db.exec('CREATE TABLE v (seq INTEGER PRIMARY KEY, gkey TEXT NOT NULL, json TEXT NOT NULL); CREATE INDEX v_gkey ON v (gkey, seq);');
    this.insert = this.db.prepare('INSERT INTO v (gkey, json) VALUES (?, ?)');
  }

  add(key: ReportKeyOfImport, value: SpooledValue): void {
    this.pending.push([`${key.template}|${key.orgUnit}|${key.period}`, JSON.stringify(value)]);
    this.count += 1;
    if (this.pending.length >= 5000) this.flush();
  }

  get size(): number {
    return this.count;
  }

  private flush(): void {
    const rows = this.pending;
    this.pending = [];
    this.db.transaction(() => {
      for (const [k, j] of rows) this.insert.run(k, j);
    })();
  }

  /** The reports of the import (in the order of their first value) and how many there are. */
  reports(): { keys: ReportKeyOfImport[] } {
    this.flush();
    const rows = this.db.prepare('SELECT gkey FROM v GROUP BY gkey ORDER BY MIN(seq)').all() as Array<{ gkey: string }>;
    return {
      keys: rows.map((r) => {
        const [template, orgUnit, period] = r.gkey.split('|') as [string, string, string];
        return { template, orgUnit, period };
      }),
    };
  }

  valuesOf(key: ReportKeyOfImport): SpooledValue[] {
    const rows = this.db.prepare('SELECT json FROM v WHERE gkey = ? ORDER BY seq').all(`${key.template}|${key.orgUnit}|${key.period}`) as Array<{ json: string }>;
    return rows.map((r) => JSON.parse(r.json) as SpooledValue);
  }

  close(): void {
    this.db.close();
  }
}
