import type { StoredEvent } from '@tally/contracts';
import {
  assertNever,
  INDICATOR_OUTCOME_EVENT_SCHEMA,
  NOTICE_EVENT_SCHEMA,
  readEvent,
  REPORT_EVENT_SCHEMA,
  TASK_EVENT_SCHEMA,
  type DeadlineDueData,
  type FigureCompleteData,
  type ReportApproved,
  type ReportEvent,
  type ReportLocked,
  type ReportReturned,
  type ReportUnlocked,
  type ReportWorkflowData,
  type TaskAssignedData,
  violationTextVi,
} from '@tally/core';

/**
 * Which events tell whom what. Pure: the recipients are org units (every account of the unit sees its inbox);
 * every text is written in Vietnamese and in English (an account picks the language it prefers).
 */
export interface Text {
  title: string;
  body: string;
}

export interface Message {
  recipient: string;
  kind: string;
  vi: Text;
  en: Text;
  template?: string;
  period?: string;
  taskId?: string;
  reportId?: string;
}

/** Every kind an inbox, an e-mail or a webhook can carry (webhook `events` name these, or `*`). */
export const MESSAGE_KINDS = [
  'task.assigned',
  'deadline.reminder',
  'deadline.overdue',
  'report.submitted',
  'report.amended',
  'report.approved',
  'report.returned',
  'report.locked',
  'report.unlocked',
  'report.approve-due',
  'report.lock-due',
  'report.amend-due',
  'validation.failed',
  'target.met',
  'target.missed',
  'figure.complete',
] as const;

const fmt = (x: number): string => String(Math.round(x * 100) / 100);

export interface MessageContext {
  parentOf: (orgUnit: string) => string | null;
  /** a unit's name on the event's map; null when not known (the message then names it by code) */
  nameOf: (orgUnit: string) => string | null;
}

/** A unit as people read it: its name with its code (`Phường Đức Xuân (01840)`), or the code alone. */
function unit(ctx: MessageContext, code: string): string {
  const name = ctx.nameOf(code);
  return name ? `${name} (${code})` : code;
}

export function messagesFor(e: StoredEvent, ctx: MessageContext): Message[] {
  // the report's and this service's own events are read through their streams' schemas (typed, upcast)
  const report = readEvent(REPORT_EVENT_SCHEMA, e);
  if (report) return reportMessages(report, e, ctx);
  const task = readEvent(TASK_EVENT_SCHEMA, e);
  if (task) return task.type === 'tally.task.assigned' ? taskMessages(task.data) : [];
  const notice = readEvent(NOTICE_EVENT_SCHEMA, e);
  if (notice) return notice.type === 'tally.notification.deadline-due' ? deadlineMessages(ctx, notice.data) : figureMessages(ctx, notice.data);
  // the indicator service's outcome events, through their schema in core (services do not import each other)
  const outcome = readEvent(INDICATOR_OUTCOME_EVENT_SCHEMA, e);
  switch (outcome?.type) {
    case 'tally.indicators.validated': {
      const d = outcome.data;
      if (d.violations.length === 0) return [];
      const list = d.violations
        .map((v) => (v.kind !== 'RULE' && v.message ? v.message : `${v.name} (${v.rule}): ${v.left} ${v.operator} ${v.right}`))
        .join('; ');
      const vi = { title: `${d.template} ${d.period} của ${unit(ctx, d.orgUnit)} vi phạm ${d.violations.length} quy tắc kiểm tra`, body: d.violations.map(violationTextVi).join('; ') };
      const en = { title: `${d.template} ${d.period} from ${unit(ctx, d.orgUnit)} breaks ${d.violations.length} validation rule(s)`, body: list };
      const parent = ctx.parentOf(d.orgUnit);
      const ref = { template: d.template, period: d.period, reportId: d.reportId };
      return [d.orgUnit, ...(parent ? [parent] : [])].map((recipient) => ({ recipient, kind: 'validation.failed', vi, en, ...ref }));
    }
    case 'tally.indicators.target-missed':
    case 'tally.indicators.target-met': {
      const d = outcome.data;
      const missed = outcome.type === 'tally.indicators.target-missed';
      // a miss is always told; a target met when it is first evaluated or was missed before (back on track)
      if (!missed && d.previousOutcome === 'MET') return [];
      const changed = d.change === 'PREVIOUS_YEAR' && d.previousValue !== null;
      const value = `${d.indicator} = ${fmt(d.value)}`;
      const vi = {
        title: `${d.indicatorName} ${d.period} tại ${unit(ctx, d.orgUnit)}: ${missed ? 'không đạt' : 'đạt'} chỉ tiêu`,
        body: `${value}${changed ? ` (năm trước ${fmt(d.previousValue!)}, thay đổi ${fmt(d.measured)})` : ''}; chỉ tiêu: ${d.change === 'PREVIOUS_YEAR' ? 'thay đổi so với năm trước' : 'giá trị'} ${d.operator} ${fmt(d.target)} (số liệu ${d.figures}).`,
      };
      const en = {
        title: `${d.indicatorName} ${d.period} at ${unit(ctx, d.orgUnit)}: target ${missed ? 'missed' : d.previousOutcome === 'MISSED' ? 'met again' : 'met'}`,
        body: `${value}${changed ? ` (previous year ${fmt(d.previousValue!)}, change ${fmt(d.measured)})` : ''}; target: ${d.change === 'PREVIOUS_YEAR' ? 'change from the previous year' : 'value'} ${d.operator} ${fmt(d.target)} (${d.figures} figures).`,
      };
      const kind = missed ? 'target.missed' : 'target.met';
      const parent = ctx.parentOf(d.orgUnit);
      return [d.orgUnit, ...(parent ? [parent] : [])].map((recipient) => ({ recipient, kind, vi, en, period: d.period }));
    }
    default:
      return [];
  }
}

/** A report in (to the parent, which reviews it) or a workflow step. */
function reportMessages(event: ReportEvent, e: StoredEvent, ctx: MessageContext): Message[] {
  switch (event.type) {
    case 'tally.report.submitted':
    case 'tally.report.amended': {
      const d = event.data;
      const parent = ctx.parentOf(d.orgUnit);
      if (!parent) return [];
      const amended = event.type === 'tally.report.amended';
      const ref = { template: d.template, period: d.period, reportId: d.reportId };
      return [
        {
          recipient: parent,
          kind: amended ? 'report.amended' : 'report.submitted',
          vi: {
            title: `${d.template} ${d.period} của ${unit(ctx, d.orgUnit)} đã ${amended ? 'được sửa' : 'được nộp'}`,
            body: amended ? `Phiên bản ${e.streamVersion}. Lý do: ${e.reason ?? ''}` : `Phiên bản ${e.streamVersion} chờ xem xét.`,
          },
          en: {
            title: `${d.template} ${d.period} from ${unit(ctx, d.orgUnit)} ${amended ? 'amended' : 'submitted'}`,
            body: amended ? `Version ${e.streamVersion}. Reason: ${e.reason ?? ''}` : `Version ${e.streamVersion} is ready for review.`,
          },
          ...ref,
        },
      ];
    }
    case 'tally.report.approved':
    case 'tally.report.returned':
    case 'tally.report.locked':
    case 'tally.report.unlocked':
      return workflowMessages(ctx, event);
    default:
      return assertNever(event, 'report event');
  }
}

function taskMessages(d: TaskAssignedData): Message[] {
  const ref = { taskId: d.taskId, ...(d.template ? { template: d.template } : {}), ...(d.period ? { period: d.period } : {}) };
  return d.orgUnits.map((recipient) => ({
    recipient,
    kind: 'task.assigned',
    vi: { title: `Nhiệm vụ: ${d.title}`, body: `${d.body ? `${d.body}\n` : ''}Hạn: ${d.dueDate}.` },
    en: { title: `Task: ${d.title}`, body: `${d.body ? `${d.body}\n` : ''}Due: ${d.dueDate}.` },
    ...ref,
  }));
}

function figureMessages(ctx: MessageContext, d: FigureCompleteData): Message[] {
  return [
    {
      recipient: d.orgUnit,
      kind: 'figure.complete',
      vi: { title: `${d.template} ${d.period}: đủ báo cáo của ${unit(ctx, d.orgUnit)}`, body: `Cả ${d.expected} đơn vị đã nộp báo cáo; số liệu tổng hợp đã đầy đủ.` },
      en: { title: `${d.template} ${d.period}: the figure of ${unit(ctx, d.orgUnit)} is complete`, body: `All ${d.expected} units have reported.` },
      template: d.template,
      period: d.period,
    },
  ];
}

function deadlineMessages(ctx: MessageContext, d: DeadlineDueData): Message[] {
  const ref = { template: d.template, period: d.period };
  const many = d.tier > 0;
  return d.recipients.map((recipient) => {
    const own = recipient === d.orgUnit;
    if (d.rule === 'reminder') {
      return {
        recipient,
        kind: 'deadline.reminder',
        vi: {
          title: `Nhắc hạn: ${d.template} ${d.period} hạn ${d.deadline} (còn ${d.offset} ngày)`,
          body: many ? `${d.missing}/${d.expected} đơn vị thuộc ${unit(ctx, d.orgUnit)} chưa nộp báo cáo.` : `${unit(ctx, d.orgUnit)} chưa nộp báo cáo ${d.template} kỳ ${d.period}.`,
        },
        en: {
          title: `Reminder: ${d.template} ${d.period} is due ${d.deadline} (in ${d.offset} day${d.offset === 1 ? '' : 's'})`,
          body: many ? `${d.missing} of ${d.expected} units under ${unit(ctx, d.orgUnit)} have not reported.` : `${unit(ctx, d.orgUnit)} has not reported ${d.template} for ${d.period}.`,
        },
        ...ref,
      };
    }
    return {
      recipient,
      kind: 'deadline.overdue',
      vi: {
        title: `Quá hạn: ${d.template} ${d.period} của ${unit(ctx, d.orgUnit)} (hạn ${d.deadline})`,
        body: many ? `${d.missing}/${d.expected} đơn vị thuộc ${unit(ctx, d.orgUnit)} chưa nộp báo cáo.` : own ? `Đơn vị chưa nộp báo cáo; đề nghị nộp ngay.` : `${unit(ctx, d.orgUnit)} chưa nộp báo cáo.`,
      },
      en: {
        title: `Overdue: ${d.template} ${d.period} from ${unit(ctx, d.orgUnit)} (due ${d.deadline})`,
        body: many ? `${d.missing} of ${d.expected} units under ${unit(ctx, d.orgUnit)} have not reported.` : own ? 'The report is late; please submit it now.' : `${unit(ctx, d.orgUnit)} has not reported.`,
      },
      ...ref,
    };
  });
}

const STEP_VI: Record<string, string> = { approved: 'được duyệt', returned: 'bị trả lại', locked: 'được khoá', unlocked: 'được mở khoá' };
const ACTION_VI: Record<string, string> = { approve: 'duyệt', lock: 'khoá', amend: 'sửa và nộp lại' };
/** a workflow level by its Vietnamese name ("cấp tỉnh"): messages in Vietnamese say no English word */
const LEVEL_VI: Record<string, string> = { country: 'trung ương', province: 'tỉnh', district: 'huyện', commune: 'xã' };

/** Workflow steps tell the reporting unit (with the reason and what comes next) and, when another unit acts next (data.next), that unit. */
function workflowMessages(ctx: MessageContext, event: ReportReturned | ReportApproved | ReportLocked | ReportUnlocked): Message[] {
  const d: ReportWorkflowData & { level?: string; reason?: string } = event.data;
  const step = event.type.slice('tally.report.'.length);
  const en: Text = { title: `${d.template} ${d.period} from ${unit(ctx, d.orgUnit)} ${step}${d.level ? ` at the ${d.level} level` : ''}`, body: '' };
  const vi: Text = { title: `${d.template} ${d.period} của ${unit(ctx, d.orgUnit)} ${STEP_VI[step] ?? step}${d.level ? ` (cấp ${LEVEL_VI[d.level] ?? d.level})` : ''}`, body: '' };
  en.body = `${en.title}.${d.reason ? ` Reason: ${d.reason}` : ''}${d.next ? ` Next: ${d.next.action}${d.next.level ? ` at the ${d.next.level} level` : ''} by ${unit(ctx, d.next.orgUnit)}.` : ''}`;
  vi.body = `${vi.title}.${d.reason ? ` Lý do: ${d.reason}` : ''}${d.next ? ` Tiếp theo: ${unit(ctx, d.next.orgUnit)} ${ACTION_VI[d.next.action] ?? d.next.action}.` : ''}`;
  const ref = { template: d.template, period: d.period, reportId: d.reportId };
  const out: Message[] = [];
  out.push({ recipient: d.orgUnit, kind: `report.${step}`, vi, en, ...ref });
  if (d.next && d.next.orgUnit !== d.orgUnit) out.push({ recipient: d.next.orgUnit, kind: `report.${d.next.action}-due`, vi, en, ...ref });
  return out;
}
