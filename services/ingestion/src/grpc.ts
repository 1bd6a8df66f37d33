import { TallyError, clientStreamHandler, grpcCaller, grpcService, IngestionServiceService, refusalOf, unaryHandler, type EventContext, type GrpcRegistration, type tallyv1 } from '@tally/contracts';
import { reportStreamId } from '@tally/core';
import { normalizeNfc, newTraceparent, toTallyError } from '@tally/runtime';
import { randomUUID } from 'node:crypto';
import { checkSubmitShape } from './check-shape';
import { submitReport, type SubmitDeps, type SubmitReportInput } from './submit-report';

/** Reports of one SubmitStream call checked and appended at once, at most. */
const STREAM_CONCURRENCY = 16;

/** Submission over gRPC: unary, and client-streaming for bulk loads with one result per report. */
function inputOf(report: tallyv1.Report | undefined): SubmitReportInput {
  if (!report) throw new TallyError('INVALID_REQUEST', 'report is required');
  const candidate = {
    template: report.template,
    orgUnit: report.orgUnit,
    period: report.period,
    submissionId: report.submissionId,
    values: report.values.map((v) => ({
      dataElement: v.dataElement,
      ...(v.optionCombo ? { optionCombo: v.optionCombo } : {}),
      value: v.value ? v.value.value : null,
    })),
    ...(report.reason ? { reason: report.reason } : {}),
    ...(report.figures ? { figures: report.figures } : {}),
  };
  return checkSubmitShape(normalizeNfc(candidate));
}

/** The caller authenticated by the access check (secureGrpc); 'grpc' when access control is off. */
function contextOf(call: { getPeer(): string }): EventContext {
  return { actor: grpcCaller(call) ?? { id: 'grpc', origin: call.getPeer() }, correlationId: randomUUID(), traceparent: newTraceparent() };
}

export function ingestionGrpc(deps: SubmitDeps & { nudgeRelay: () => void }): GrpcRegistration[] {
  return [
    grpcService(IngestionServiceService, {
      submit: unaryHandler(async (req: tallyv1.SubmitRequest, call) => {
        const input = inputOf(req.report);
        const answer = await submitReport(deps, input, { ...contextOf(call), ...(input.reason ? { reason: input.reason } : {}) });
        deps.nudgeRelay();
        return { reportId: answer.reportId, version: answer.version, status: answer.status, position: answer.position };
      }),
      submitStream: clientStreamHandler(async (requests: AsyncIterable<tallyv1.SubmitStreamRequest>, call) => {
        const results: tallyv1.SubmitResult[] = [];
        // an internal error ends the call (once the reports in flight are done); any other refuses its report alone
        let fatal = null as { error: unknown } | null;
        const answerRefused = (i: number, err: unknown): void => {
          const e = toTallyError(err);
          if (e.code === 'INTERNAL') fatal ??= { error: err };
          else results.push({ index: i, ok: false, reportId: '', version: 0, status: '', position: 0, error: { code: e.code, message: e.message, detailsJson: e.details === undefined ? '' : JSON.stringify(e.details) } });
        };
        // reports of one stream are checked and appended several at a time (their appends share the event store's
        // group commit), those of one report in the order sent (an amendment after the submission it amends)
        const inFlight = new Set<Promise<void>>();
        const lastOfReport = new Map<string, Promise<void>>();
        let index = 0;
        for await (const req of requests) {
          if (fatal) break;
          const i = index++;
          let input: SubmitReportInput;
          try {
            // a report the access check refused (outside the caller's subtree) is answered on its own
            const refused = refusalOf(req);
            if (refused) throw refused;
            input = inputOf(req.report);
          } catch (err) {
            answerRefused(i, err);
            continue;
          }
          const report = reportStreamId(input);
          const task = (lastOfReport.get(report) ?? Promise.resolve()).then(async () => {
            try {
              const a = await submitReport(deps, input, { ...contextOf(call), ...(input.reason ? { reason: input.reason } : {}) });
              results.push({ index: i, ok: true, reportId: a.reportId, version: a.version, status: a.status, position: a.position });
            } catch (err) {
              answerRefused(i, err);
            }
          });
          lastOfReport.set(report, task);
          inFlight.add(task);
          void task.then(() => {
            inFlight.delete(task);
            if (lastOfReport.get(report) === task) lastOfReport.delete(report);
          });
          if (i % 50 === 0) deps.nudgeRelay();
          if (inFlight.size >= STREAM_CONCURRENCY) await Promise.race(inFlight);
        }
        await Promise.all(inFlight);
        deps.nudgeRelay();
        if (fatal) throw fatal.error;
        results.sort((a, b) => a.index - b.index);
        return { results, accepted: results.filter((r) => r.ok).length, rejected: results.filter((r) => !r.ok).length };
      }),
    }),
  ];
}
