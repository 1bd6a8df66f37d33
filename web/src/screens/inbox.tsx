import { useState } from 'preact/hooks';
import { Card, ErrorBox, Field, Loading, Outcome, StatusBadge } from '../components';
import { ApiError, get, post } from '../lib/api';
import { useLoad, useOrgUnit } from '../lib/hooks';
import { formatTime, kindText, levelText, t, taskStatusText } from '../lib/i18n';
import { notifyInboxChanged, useLanguageSaved } from '../lib/inbox-count';
import { hierarchyOn } from '../lib/hierarchies';
import { href } from '../lib/router';
import { matches, nfc } from '../lib/text';
import type { Me, OrgUnit } from '../lib/types';

interface Message {
  id: string;
  kind: string;
  title: string;
  body: string;
  orgUnit: string;
  template?: string;
  period?: string;
  taskId?: string;
  reportId?: string;
  createdAt: string;
  read: boolean;
}

interface Task {
  taskId: string;
  title: string;
  body: string | null;
  dueDate: string;
  template: string | null;
  period: string | null;
  assignedBy: string;
  createdAt: string;
  units: Array<{ orgUnit: string; status: 'open' | 'done' | 'overdue'; doneAt: string | null }>;
}

interface InboxPage {
  messages: Message[];
  unread: number;
  /** how many there are to page through */
  total: number;
}

/** how many messages the screen lists at a time ("More" lists the next as many) */
const PAGE = 100;

/**
 * What the platform told the signed-in unit (deadline reminders, reviews of its reports, targets, validation
 * problems, tasks) and the tasks it was given or gave: each message marked read on its own, each task marked done.
 */
export function InboxScreen({ me }: { me: Me }) {
  // the task this screen just assigned: the task list is read again (the API lists a task as soon as it answers)
  const [assigned, setAssigned] = useState<string | null>(null);
  return (
    <>
      <h1>{t('inboxTitle')}</h1>
      <Tasks me={me} assigned={assigned} />
      {me.role === 'reviewer' && <AssignTask me={me} onAssigned={setAssigned} />}
      <Messages me={me} />
    </>
  );
}

function Messages({ me }: { me: Me }) {
  const [unreadOnly, setUnreadOnly] = useState(false);
  const languageSaved = useLanguageSaved();
  // the pages after the first ("More"), dropped whenever the first is read again
  const [later, setLater] = useState<Message[]>([]);
  const list = useLoad(async () => {
    setLater([]);
    return get<InboxPage>('/inbox', { unread: unreadOnly || undefined, limit: PAGE });
    // read again once the app's language switch has set the account's (main.tsx): the messages come in it
  }, [unreadOnly, languageSaved]);
  const [readNow, setReadNow] = useState<ReadonlySet<string>>(new Set());
  const [error, setError] = useState<ApiError | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const markRead = async (id: string) => {
    setError(null);
    try {
      await post(`/inbox/${encodeURIComponent(id)}/read`);
      setReadNow(new Set([...readNow, id]));
      notifyInboxChanged();
    } catch (err) {
      setError(err as ApiError);
    }
  };
  const first = list.data?.messages ?? [];
  // a message that arrived since the first page shifts the next one: listed once
  const messages = [...first, ...later.filter((m) => !first.some((f) => f.id === m.id))];
  const total = list.data?.total ?? 0;
  const unread = Math.max(0, (list.data?.unread ?? 0) - messages.filter((m) => !m.read && readNow.has(m.id)).length);
  const more = async () => {
    setError(null);
    setLoadingMore(true);
    try {
      const next = await get<InboxPage>('/inbox', { unread: unreadOnly || undefined, limit: PAGE, offset: messages.length });
      setLater([...later, ...next.messages]);
    } catch (err) {
      setError(err as ApiError);
    } finally {
      setLoadingMore(false);
    }
  };
  // every message up to the newest one listed (one request, one event): a message that came since stays unread
  const markAllRead = async () => {
    setError(null);
    try {
      await post('/inbox/read-all', { upTo: messages[0]!.createdAt });
      list.reload();
      notifyInboxChanged();
    } catch (err) {
      setError(err as ApiError);
    }
  };
  return (
    <Card title={`${t('messagesTitle')} · ${t('unreadCount', { n: unread })}`} id="messages">
      <label class="inline">
        <input type="checkbox" checked={unreadOnly} onChange={(e) => setUnreadOnly((e.target as HTMLInputElement).checked)} /> {t('unreadOnly')}
      </label>
      {unread > 0 && messages.length > 0 && (
        <button type="button" class="link" onClick={() => void markAllRead()}>
          {t('markAllRead')}
        </button>
      )}
      <Loading when={list.loading} />
      <ErrorBox error={list.error ?? error} />
      {list.data && messages.length === 0 && <p>{t('inboxNone')}</p>}
      <ul class="messages">
        {messages.map((m) => {
          const read = m.read || readNow.has(m.id);
          const link = linkOf(m, me);
          return (
            <li key={m.id} class={read ? 'read' : 'unread'} data-kind={m.kind}>
              <p>
                <span class="kind">{kindText(m.kind)}</span> · <time dateTime={m.createdAt}>{formatTime(m.createdAt)}</time>
              </p>
              <p class="title">{link ? <a href={link}>{m.title}</a> : m.title}</p>
              {m.body && <p class="body">{m.body}</p>}
              {!read && (
                <button type="button" class="link" onClick={() => void markRead(m.id)}>
                  {t('markRead')} <span class="sr-only">{m.title}</span>
                </button>
              )}
            </li>
          );
        })}
      </ul>
      {messages.length > 0 && messages.length < total && (
        <p>
          {t('messagesShown', { shown: messages.length, total })}{' '}
          <button type="button" disabled={loadingMore} onClick={() => void more()}>
            {t('more')}
          </button>
        </p>
      )}
    </Card>
  );
}

function Tasks({ me, assigned }: { me: Me; assigned: string | null }) {
  const list = useLoad(() => get<{ tasks: Task[] }>('/tasks'), [assigned]);
  const [error, setError] = useState<ApiError | null>(null);
  const markDone = async (taskId: string) => {
    setError(null);
    try {
      await post(`/tasks/${encodeURIComponent(taskId)}/done`, {});
      list.reload();
    } catch (err) {
      setError(err as ApiError);
    }
  };
  const tasks = list.data?.tasks ?? [];
  return (
    <Card title={t('tasksTitle')} id="tasks">
      <Loading when={list.loading} />
      <ErrorBox error={list.error ?? error} />
      {list.data && tasks.length === 0 && <p>{t('tasksNone')}</p>}
      <ul class="messages">
        {tasks.map((task) => {
          const mine = task.assignedBy === me.orgUnit;
          const own = task.units.find((u) => u.orgUnit === me.orgUnit);
          const done = task.units.filter((u) => u.status === 'done').length;
          return (
            <li key={task.taskId} data-task={task.taskId}>
              <p class="title">{task.title}</p>
              {task.body && <p class="body">{task.body}</p>}
              <p>
                {t('taskDue')} <span class="date">{task.dueDate}</span>
                {task.template && task.period && ` · ${task.template} ${task.period}`} · {t('taskAssignedBy')} {task.assignedBy}
              </p>
              {mine ? (
                <p>{t('taskProgress', { done, total: task.units.length })}</p>
              ) : own ? (
                <p>
                  <StatusBadge status={own.status === 'overdue' ? 'late' : own.status === 'done' ? 'approved' : 'due'} text={taskStatusText(own.status)} />{' '}
                  {own.status !== 'done' && (
                    <button type="button" onClick={() => void markDone(task.taskId)}>
                      {t('taskMarkDone')} <span class="sr-only">{task.title}</span>
                    </button>
                  )}
                </p>
              ) : null}
            </li>
          );
        })}
      </ul>
    </Card>
  );
}

/** the "Giao cho" choice that lists the units one level below to pick from, instead of a whole level */
const PICK = 'pick';

/**
 * A reviewer gives a task to every unit of one level below its own, or to the units one level below it picks (the
 * API checks the units are in its subtree).
 */
function AssignTask({ me, onAssigned }: { me: Me; onAssigned: (taskId: string) => void }) {
  const unit = useOrgUnit(me.orgUnit);
  const today = new Date().toISOString().slice(0, 10);
  const current = useLoad(() => hierarchyOn(today), [today]).data;
  const children = useLoad(() => get<{ children: OrgUnit[] }>(`/org-units/${encodeURIComponent(me.orgUnit)}`), [me.orgUnit]).data?.children ?? [];
  const below = current && unit ? current.levels.slice(current.levels.indexOf(unit.level) + 1) : [];
  const [form, setForm] = useState({ title: '', body: '', dueDate: '', level: '' });
  const [picked, setPicked] = useState<ReadonlySet<string>>(new Set());
  const [filter, setFilter] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const level = form.level || below[below.length - 1] || '';
  const picking = level === PICK;
  const bind = (k: 'title' | 'body' | 'dueDate') => ({ value: form[k], onInput: (e: Event) => setForm({ ...form, [k]: (e.target as HTMLInputElement).value }) });
  const toggle = (code: string) => {
    const next = new Set(picked);
    if (!next.delete(code)) next.add(code);
    setPicked(next);
  };
  const assign = async () => {
    setError(null);
    setNote(null);
    if (picking && picked.size === 0) return setNote(t('taskPickNone'));
    try {
      // typed by people: sent in NFC
      const body = nfc(form.body.trim());
      const units = picking ? { orgUnits: children.map((c) => c.code).filter((c) => picked.has(c)) } : { scope: { orgUnit: me.orgUnit, level } };
      const r = await post<{ taskId: string; orgUnits: number }>('/tasks', { title: nfc(form.title.trim()), ...(body ? { body } : {}), dueDate: form.dueDate, ...units });
      setNote(t('taskAssigned', { n: r.orgUnits }));
      onAssigned(r.taskId);
      setForm({ title: '', body: '', dueDate: '', level: form.level });
      setPicked(new Set());
    } catch (err) {
      setError(err as ApiError);
    }
  };
  if (below.length === 0) return null;
  return (
    <Card title={t('assignTitle')} id="assign-task">
      <form
        class="filters"
        onSubmit={(e) => {
          e.preventDefault();
          void assign();
        }}
      >
        <Field label={t('taskTitleLabel')}>{(id) => <input id={id} required maxLength={200} {...bind('title')} />}</Field>
        <Field label={t('taskBodyLabel')}>{(id) => <input id={id} maxLength={2000} {...bind('body')} />}</Field>
        <Field label={t('taskDueDate')}>{(id) => <input id={id} type="date" required min={today} {...bind('dueDate')} />}</Field>
        <Field label={t('taskUnits')}>
          {(id) => (
            <select id={id} value={level} onChange={(e) => setForm({ ...form, level: (e.target as HTMLSelectElement).value })}>
              {below.map((l) => (
                <option key={l} value={l}>
                  {t('taskEveryUnit', { level: levelText(l) })}
                </option>
              ))}
              {children.length > 0 && <option value={PICK}>{t('taskPickUnits')}</option>}
            </select>
          )}
        </Field>
        {picking && (
          <fieldset class="pick-units">
            <legend>{t('taskPicked', { n: picked.size })}</legend>
            <Field label={t('taskFilterUnits')}>{(id) => <input id={id} type="search" value={filter} onInput={(e) => setFilter((e.target as HTMLInputElement).value)} />}</Field>
            <ul>
              {children
                .filter((c) => picked.has(c.code) || matches(`${c.name} ${c.code}`, filter))
                .map((c) => (
                  <li key={c.code}>
                    <label>
                      <input type="checkbox" checked={picked.has(c.code)} onChange={() => toggle(c.code)} /> {c.name} <code>{c.code}</code>
                    </label>
                  </li>
                ))}
            </ul>
          </fieldset>
        )}
        <button type="submit">{t('assign')}</button>
      </form>
      <Outcome error={error} note={note} />
    </Card>
  );
}

/** Where a message leads: its report, or the form of the report it reminds of (for the unit that enters it). */
function linkOf(m: Message, me: Me): string | null {
  if (m.reportId) return href('/report', { id: m.reportId });
  if (m.template && m.period && me.role === 'commune_officer') return href('/form', { template: m.template, orgUnit: m.orgUnit, period: m.period });
  return null;
}
