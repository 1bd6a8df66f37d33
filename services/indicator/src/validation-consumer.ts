import { newEvent, type StoredEvent } from '@tally/contracts';
import { contributionOf, evaluateRules, type ReportValuesData } from '@tally/core';
import type { EventStore } from '@tally/eventstore';
import { decideAndAppend } from '@tally/runtime';
import type { CatalogRegistry } from './catalog-registry';

/**
 * After a report is accepted, its values are checked against the catalog's validation rules.
 * The outcome is an event of its own (stream `indicators-<reportId>`), caused by the report event:
 * a redelivered report event finds its outcome already recorded and adds nothing.
 */
export type ReportValidated = {
  type: 'tally.indicators.validated';
  data: {
    reportId: string;
    reportVersion: number;
    hierarchy: string;
    template: string;
    orgUnit: string;
    period: string;
    catalogVersion: string;
    violations: Array<{ rule: string; name: string; importance: string; left: number | null; operator: string; right: number | null }>;
  };
};

export async function validateReportEvent(store: EventStore, registry: CatalogRegistry, event: StoredEvent): Promise<void> {
  if (event.type !== 'tally.report.submitted' && event.type !== 'tally.report.amended') return;
  const data = event.data as ReportValuesData;
  const catalog = registry.version(data.catalogVersion);
  if (!catalog) throw new Error(`catalog ${data.catalogVersion} not loaded yet`);
  const elements = new Map(catalog.dataElements.map((e) => [e.code, e]));
  const values = contributionOf(data.values, elements);
  const violations = evaluateRules(catalog.validationRules ?? [], (element, optionCombo) => values[optionCombo ? `${element}:${optionCombo}` : element]);
  const streamId = `indicators-${data.reportId}`;
  await decideAndAppend(store, streamId, (history) => {
    if (history.some((e) => e.causationId === event.id)) return { result: undefined };
    const outcome: ReportValidated = {
      type: 'tally.indicators.validated',
      data: {
        reportId: data.reportId,
        reportVersion: event.streamVersion,
        hierarchy: data.hierarchy,
        template: data.template,
        orgUnit: data.orgUnit,
        period: data.period,
        catalogVersion: data.catalogVersion,
        violations: violations.map((v) => ({ rule: v.rule, name: v.name, importance: v.importance, left: v.left, operator: v.operator, right: v.right })),
      },
    };
    return {
      events: [
        newEvent('tally/indicator', streamId, outcome, {
          actor: { id: 'system:indicator' },
          correlationId: event.correlationId,
          causationId: event.id,
          ...(event.traceparent ? { traceparent: event.traceparent } : {}),
        }),
      ],
      result: () => undefined,
    };
  });
}
