import { randomUUID } from 'node:crypto';
import { TallyError, newEvent, type HierarchyQuery, type RollupQuery, type RollupView, type StoredEvent } from '@tally/contracts';
import { evaluateTarget, previousYearPeriod, targetPeriodsAffectedBy, type ReportValuesData } from '@tally/core';
import { handleCommand, type CommandDecision, type EventStore } from '@tally/eventstore';
import type { Collection, Doc, ReadStore } from '@tally/readstore';
import type { Logger } from '@tally/runtime';
import type { CatalogRegistry } from './catalog-registry';
import {
  isTargetOutcome,
  isTargetSet,
  targetId,
  targetOutcomeStream,
  targetOutcomeStreamId,
  type TargetData,
  type TargetOutcomeData,
  type TargetOutcomeEvent,
  type TargetStatus,
} from './targets';

/** One target with its latest outcome (read model, rebuilt from the target and outcome events). */
export interface TargetDoc extends Doc, TargetData {
  version: number;
  setAt: string;
  /** the latest outcome, of target version statusTargetVersion */
  status?: TargetStatus;
  statusTargetVersion?: number;
  measured?: number;
  /** the indicator's value at the last evaluation */
  actual?: number;
  previousValue?: number | null;
  statusAt?: string;
  /** the outcome stream's version last applied (guard) */
  statusSeq?: number;
}

/** Which indicators have targets for one (unit, period): lets a batch of reports find its targets in one read. */
interface TargetIndexDoc extends Doc {
  orgUnit: string;
  period: string;
  indicators: Record<string, true>;
}

/**
 * The index's change token, a document of the index collection: a new random token is written after every index
 * write, so a process that read the whole index after reading token T knows every entry written before T was. An id
 * no `<unit>|<period>` entry can have.
 */
const INDEX_TOKEN_ID = '~token';
type IndexTokenDoc = Doc & { token?: string };

export const TARGETS = 'indicator_targets';
export const TARGET_INDEX = 'indicator_target_index';

export interface TargetTrackerDeps {
  store: EventStore;
  readStore: ReadStore;
  registry: CatalogRegistry;
  hierarchy: HierarchyQuery;
  rollups: RollupQuery;
  logger: Logger;
}

export class TargetTracker {
  readonly targets: Collection<TargetDoc>;
  private readonly index: Collection<TargetIndexDoc>;
  /** the whole index as read after seeing `token` (entries: `<unit>|<period>` -> indicators) */
  private cached: { token: string; entries: Map<string, TargetIndexDoc> } | null = null;

  constructor(private readonly deps: TargetTrackerDeps) {
    this.targets = deps.readStore.collection<TargetDoc>(TARGETS);
    this.index = deps.readStore.collection<TargetIndexDoc>(TARGET_INDEX);
  }

  async ensureIndexes(): Promise<void> {
    await this.targets.ensureIndex(['orgUnit']);
    await this.targets.ensureIndex(['orgUnit', 'period']);
  }

  /**
   * One batch of the reports and indicators topics: records targets and outcomes, then evaluates every target
   * the batch can have changed (targets just set; targets of the reporting units' ancestors, for the report's
   * period, the coarser ones and, for change targets, the same periods a year later) on rollups that include it.
   */
  async handle(events: StoredEvent[]): Promise<boolean> {
    const candidates = new Set<string>();
    const pairs = new Set<string>();
    let after = 0;
    for (const e of events) {
      if (isTargetSet(e)) {
        const d = e.data as TargetData;
        await this.targets.update(
          targetId(d.indicator, d.orgUnit, d.period),
          { set: { ...d, version: e.streamVersion, setAt: e.time } },
          { field: 'version', below: e.streamVersion },
        );
        await this.index.update(`${d.orgUnit}|${d.period}`, { set: { orgUnit: d.orgUnit, period: d.period, [`indicators.${d.indicator}`]: true } });
        await this.newIndexToken(); // after the entry: whoever reads the new token reads the entry
        candidates.add(targetId(d.indicator, d.orgUnit, d.period));
        after = Math.max(after, e.position);
      } else if (isTargetOutcome(e)) {
        const d = e.data as TargetOutcomeData;
        await this.targets.update(
          targetId(d.indicator, d.orgUnit, d.period),
          {
            set: {
              status: d.status,
              statusTargetVersion: d.targetVersion,
              measured: d.measured,
              actual: d.value,
              previousValue: d.previousValue,
              statusAt: e.time,
              statusSeq: e.streamVersion,
            },
          },
          { field: 'statusSeq', below: e.streamVersion },
        );
      } else if (e.type === 'tally.report.submitted' || e.type === 'tally.report.amended') {
        const d = e.data as ReportValuesData;
        const path = await this.deps.hierarchy.path(d.hierarchy, d.orgUnit);
        const { direct, nextYear } = targetPeriodsAffectedBy(d.period);
        for (const unit of path) for (const p of [...direct, ...nextYear]) pairs.add(`${unit}|${p}`);
        after = Math.max(after, e.position);
      }
    }
    if (pairs.size > 0) {
      for (const doc of await this.indexEntries([...pairs])) {
        for (const indicator of Object.keys(doc.indicators ?? {})) candidates.add(targetId(indicator, doc.orgUnit, doc.period));
      }
    }
    if (candidates.size === 0) return false;
    let appended = false;
    for (const target of await this.targets.getMany([...candidates])) {
      if (await this.evaluate(target, after)) appended = true;
    }
    return appended;
  }

  /**
   * The index entries of these `<unit>|<period>` keys. Targets are set rarely and reports are many: the whole index
   * is kept here and read again only when its token changed (one lookup per batch instead of one per key: a report
   * has 16 keys, and on FerretDB each is a command). Another replica's entry is written before its new token, so it
   * is never missed.
   */
  private async indexEntries(keys: string[]): Promise<TargetIndexDoc[]> {
    let token = (await this.index.get(INDEX_TOKEN_ID) as IndexTokenDoc | null)?.token;
    // a store that has no token yet (new, rebuilt, or written by an older version): give it one, then read
    token ??= await this.newIndexToken();
    if (this.cached?.token !== token) {
      const entries = (await this.index.find({})).filter((d) => d._id !== INDEX_TOKEN_ID);
      this.cached = { token, entries: new Map(entries.map((d) => [d._id, d])) };
    }
    const { entries } = this.cached;
    return keys.flatMap((k) => entries.get(k) ?? []);
  }

  private async newIndexToken(): Promise<string> {
    const token = randomUUID();
    await (this.index as unknown as Collection<IndexTokenDoc>).put({ _id: INDEX_TOKEN_ID, token });
    return token;
  }

  /** Evaluates one target on the rollups as of at least `after`; appends an outcome when it changed. */
  private async evaluate(target: TargetDoc, after: number): Promise<boolean> {
    const current = await this.rollup({ orgUnit: target.orgUnit, period: target.period, hierarchy: target.hierarchy, figures: target.figures, after });
    if (!current) return false;
    const value = current.indicators[target.indicator]?.value ?? null;
    let previousValue: number | null = null;
    let basis = current.position;
    if (target.change === 'PREVIOUS_YEAR') {
      const period = previousYearPeriod(target.period);
      const previous = period ? await this.rollup({ orgUnit: target.orgUnit, period, figures: target.figures, after }) : null;
      previousValue = previous?.indicators[target.indicator]?.value ?? null;
      basis = Math.max(basis, previous?.position ?? 0);
    }
    const outcome = evaluateTarget({ operator: target.operator, value: target.value, ...(target.change ? { change: target.change } : {}) }, value, previousValue);
    if (outcome.status === 'NO_DATA' || value === null || outcome.measured === null) return false;
    const status: TargetStatus = outcome.status;
    const measured = outcome.measured;
    const streamId = targetOutcomeStreamId(target.indicator, target.orgUnit, target.period);
    const indicatorName = this.deps.registry.version(target.catalogVersion)?.indicators.find((i) => i.code === target.indicator)?.name ?? target.indicator;
    return handleCommand(this.deps.store, streamId, targetOutcomeStream, (last): CommandDecision<boolean> => {
      if (last) {
        // an older target version, or the same outcome, or an evaluation on data no newer than the last one: nothing new
        if (target.version < last.targetVersion) return { result: false };
        if (target.version === last.targetVersion && (last.status === status || basis <= last.basis)) return { result: false };
      }
      const event: TargetOutcomeEvent = {
        type: status === 'MET' ? 'tally.indicators.target-met' : 'tally.indicators.target-missed',
        data: {
          indicator: target.indicator,
          indicatorName,
          orgUnit: target.orgUnit,
          period: target.period,
          hierarchy: target.hierarchy,
          targetVersion: target.version,
          operator: target.operator,
          target: target.value,
          change: target.change,
          figures: target.figures,
          status,
          measured,
          value,
          previousValue,
          previousOutcome: last?.status ?? null,
          basis,
        },
      };
      return {
        append: [newEvent('tally/indicator', streamId, event, { actor: { id: 'system:indicator' }, correlationId: `${streamId}@${basis}` })],
        result: () => true,
      };
    });
  }

  /** A rollup, or null when it cannot exist (unknown unit in that map...). Not caught up / unavailable: rethrown, the batch is retried. */
  private async rollup(request: Parameters<RollupQuery['rollup']>[0]): Promise<RollupView | null> {
    try {
      return await this.deps.rollups.rollup(request);
    } catch (err) {
      if (err instanceof TallyError && err.code !== 'NOT_CAUGHT_UP' && err.code !== 'UNAVAILABLE' && err.code !== 'INTERNAL') {
        this.deps.logger.debug({ err: err.message, request }, 'no rollup for a target');
        return null;
      }
      throw err;
    }
  }
}
