import { assertNever, type Decider, type EventMeta } from '../decider/decider';
import type { SourcedStream } from '../decider/stream';
import type { EventSchema, ListsEvery } from '../decider/upcast';
import { DomainError } from '../errors';

/**
 * Tasks given to units: the task decider (decide/evolve), pure. A task is one stream (`task-<taskId>`):
 * `tally.task.assigned` once, then `tally.task.done` at most once per addressed unit (by the unit's report
 * when the task names a template and period, or by hand).
 */
export interface TaskAssignedData {
  taskId: string;
  title: string;
  body: string | null;
  /** the units addressed, resolved from the request (a list or a scope) */
  orgUnits: string[];
  /** calendar date YYYY-MM-DD (Vietnam) by which the task is due */
  dueDate: string;
  template: string | null;
  period: string | null;
  /** hierarchy version the units belong to */
  hierarchy: string;
  /** the unit of whoever assigned it */
  assignedBy: string;
}

export interface TaskDoneData {
  taskId: string;
  orgUnit: string;
  via: 'report' | 'manual';
  reportId: string | null;
}

export type TaskAssigned = { type: 'tally.task.assigned'; data: TaskAssignedData };
export type TaskDone = { type: 'tally.task.done'; data: TaskDoneData };
export type TaskEvent = TaskAssigned | TaskDone;

export const TASK_EVENT_TYPES = ['tally.task.assigned', 'tally.task.done'] as const satisfies readonly TaskEvent['type'][];
export const TASK_EVENT_TYPES_COMPLETE: ListsEvery<TaskEvent['type'], typeof TASK_EVENT_TYPES> = true;

/** A task stream's schema: every type at schema version 1 so far (add an upcaster here when a shape changes). */
export const TASK_EVENT_SCHEMA: EventSchema<TaskEvent> = { types: TASK_EVENT_TYPES };

export interface TaskState {
  task: TaskAssignedData;
  /** unit -> when and how it was done */
  done: Record<string, { at: string; via: TaskDoneData['via'] }>;
}

export type TaskCommand =
  /** a new task; `reported`: addressed units whose report for the task's template and period is already in */
  | { kind: 'assign'; task: TaskAssignedData; reported: Array<{ orgUnit: string; reportId: string }> }
  | { kind: 'done'; orgUnit: string; via: TaskDoneData['via']; reportId?: string };

export type TaskStatus = 'open' | 'done' | 'overdue';

export const taskStreamId = (taskId: string): string => `task-${taskId}`;

/** The events a command yields on a task's state; [] when it changes nothing (done twice). */
export function decideTask(state: TaskState | null, command: TaskCommand): TaskEvent[] {
  if (command.kind === 'assign') {
    if (state) throw new DomainError('INVALID_TRANSITION', `task ${command.task.taskId} exists`);
    const units = new Set(command.task.orgUnits);
    if (units.size === 0) throw new DomainError('INVALID_REQUEST', 'a task addresses at least one unit');
    if (units.size !== command.task.orgUnits.length) throw new DomainError('INVALID_REQUEST', 'a unit is named twice');
    const done = command.reported
      .filter((r) => units.has(r.orgUnit))
      .map((r): TaskEvent => ({ type: 'tally.task.done', data: { taskId: command.task.taskId, orgUnit: r.orgUnit, via: 'report', reportId: r.reportId } }));
    return [{ type: 'tally.task.assigned', data: command.task }, ...done];
  }
  if (!state) throw new DomainError('NOT_FOUND', 'no such task');
  if (!state.task.orgUnits.includes(command.orgUnit)) throw new DomainError('INVALID_REQUEST', `task ${state.task.taskId} does not address ${command.orgUnit}`);
  if (state.done[command.orgUnit]) return [];
  return [{ type: 'tally.task.done', data: { taskId: state.task.taskId, orgUnit: command.orgUnit, via: command.via, reportId: command.reportId ?? null } }];
}

/** Folds one task event. Deterministic: when a unit was done is the event's time (`meta.time`), never the clock. */
export function evolveTask(state: TaskState | null, event: TaskEvent, meta: Pick<EventMeta, 'time'>): TaskState | null {
  switch (event.type) {
    case 'tally.task.assigned':
      return { task: event.data, done: {} };
    case 'tally.task.done':
      if (!state) return null;
      return { ...state, done: { ...state.done, [event.data.orgUnit]: { at: meta.time, via: event.data.via } } };
    default:
      return assertNever(event, 'task event');
  }
}

/** A task stream (`task-<taskId>`): its events and how they fold (null until the task is assigned). */
export const taskStream = {
  schema: TASK_EVENT_SCHEMA,
  initialState: (): TaskState | null => null,
  evolve: evolveTask,
} satisfies SourcedStream<TaskState | null, TaskEvent>;

/** The task decider in the shape every decider has: decide(command, state). */
export const taskDecider = {
  ...taskStream,
  decide: (command: TaskCommand, state: TaskState | null): TaskEvent[] => decideTask(state, command),
} satisfies Decider<TaskCommand, TaskEvent, TaskState | null>;

/** A unit's status on `today` (Vietnam calendar date): done, else overdue after the due date, else open. */
export function taskStatus(state: TaskState, orgUnit: string, today: string): TaskStatus {
  if (state.done[orgUnit]) return 'done';
  return today > state.task.dueDate ? 'overdue' : 'open';
}
