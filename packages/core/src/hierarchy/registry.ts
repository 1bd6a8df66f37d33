/**
 * The hierarchy versions known to the system, chosen by id or by date.
 */
import { DomainError } from '../errors';
import { parsePeriod } from '../period/period';
import type { Hierarchy } from './hierarchy';

export class HierarchyRegistry {
  private readonly byId = new Map<string, Hierarchy>();

  constructor(hierarchies: Iterable<Hierarchy> = []) {
    for (const h of hierarchies) this.add(h);
  }

  /** Adds a version; throws DomainError('INVALID_REQUEST') if the id exists or its date range overlaps another. */
  add(h: Hierarchy): this {
    const v = h.version;
    if (this.byId.has(v.id)) throw new DomainError('INVALID_REQUEST', `hierarchy version ${v.id} already registered`);
    for (const o of this.byId.values()) {
      const a = o.version;
      const overlap = v.validFrom <= (a.validTo ?? '9999-12-31') && a.validFrom <= (v.validTo ?? '9999-12-31');
      if (overlap) throw new DomainError('INVALID_REQUEST', `hierarchy version ${v.id} overlaps ${a.id}`);
    }
    this.byId.set(v.id, h);
    return this;
  }

  get(id: string): Hierarchy | undefined {
    return this.byId.get(id);
  }

  /** Like get, but throws DomainError('UNKNOWN_HIERARCHY'). */
  require(id: string): Hierarchy {
    const h = this.byId.get(id);
    if (!h) throw new DomainError('UNKNOWN_HIERARCHY', `unknown hierarchy version ${id}`, { id });
    return h;
  }

  ids(): string[] {
    return this.all().map((h) => h.version.id);
  }

  /** All versions, oldest first. */
  all(): Hierarchy[] {
    return [...this.byId.values()].sort((a, b) => (a.version.validFrom < b.version.validFrom ? -1 : 1));
  }

  /**
   * The version in force on `isoDate` (YYYY-MM-DD, validFrom..validTo inclusive), e.g. pre2025 on 2025-06-30,
   * 2025 on 2025-07-01. Throws DomainError('UNKNOWN_HIERARCHY') if none is (with the shipped versions: any
   * date before 2000-01-01). Use findForDate for an undefined instead.
   */
  forDate(isoDate: string): Hierarchy {
    const h = this.findForDate(isoDate);
    if (!h) throw new DomainError('UNKNOWN_HIERARCHY', `no hierarchy version in force on ${isoDate}`, { date: isoDate });
    return h;
  }

  /** Like forDate, but undefined when no version is in force. */
  findForDate(isoDate: string): Hierarchy | undefined {
    const d = isoDate.slice(0, 10);
    for (const h of this.byId.values()) {
      const v = h.version;
      if (v.validFrom <= d && (v.validTo === undefined || d <= v.validTo)) return h;
    }
    return undefined;
  }

  /**
   * The version for a reporting period: the one in force on the period's last day (its data cut-off).
   * 2025S1 -> pre2025, 2025S2 and 2025 -> 2025. Undefined for an invalid code.
   */
  forPeriod(periodCode: string): Hierarchy | undefined {
    const p = parsePeriod(periodCode);
    return p ? this.findForDate(p.endDate) : undefined;
  }
}
