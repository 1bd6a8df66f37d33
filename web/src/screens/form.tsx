import { parsePeriod } from '@core/period/period';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { ErrorBox, Loading, StatusBadge } from '../components';
import { ApiError, get, post } from '../lib/api';
import { checkField, checkRulesLive, formElements, keyOf, serverFieldErrors, valuesOf, type FieldState, type FormElement } from '../lib/form-model';
import { useLoad, useOrgUnit } from '../lib/hooks';
import { statusText, t } from '../lib/i18n';
import { networkFirst } from '../lib/offline-cache';
import { enqueue, flushOutbox, newSubmissionId } from '../lib/outbox';
import { href } from '../lib/router';
import type { Catalog, DataElement, Me, ReportView } from '../lib/types';
import { ExcelPanel } from './excel';

/**
 * Data entry for one template, unit and period, generated from the catalog in force at the period's end.
 * Checks run while typing; the server's per-field refusals are shown next to the fields; without a connection the
 * report goes to the offline queue under the same submissionId.
 */
export function FormScreen({ me, template, orgUnit, period, figures: initialFigures }: { me: Me; template: string; orgUnit: string; period: string; figures?: string | undefined }) {
  const end = parsePeriod(period)?.endDate;
  const reportId = `report-${template}-${orgUnit}-${period}`;
  const { data, error, loading } = useLoad(async () => {
    const catalog = await networkFirst(`catalog.${end ?? 'now'}`, () => get<Catalog>('/catalog', end ? { date: end } : {}));
    const existing = await get<ReportView>(`/reports/${reportId}`).catch((e: unknown) => {
      // not sent yet; or offline: fill a new form (it queues, and the server tells an amendment apart)
      if (e instanceof ApiError && (e.status === 404 || e.network)) return null;
      throw e;
    });
    return { catalog, existing };
  }, [template, orgUnit, period]);
  if (loading && !data) return <Loading when />;
  if (error) return <ErrorBox error={error} />;
  if (!data) return null;
  return <Form key={reportId} me={me} catalog={data.catalog} existing={data.existing} template={template} orgUnit={orgUnit} period={period} initialFigures={initialFigures} />;
}

function Form({ catalog, existing, template, orgUnit, period, initialFigures }: { me: Me; catalog: Catalog; existing: ReportView | null; template: string; orgUnit: string; period: string; initialFigures?: string | undefined }) {
  const tpl = catalog.templates.find((x) => x.code === template);
  const elements = useMemo(() => formElements(catalog, template), [catalog, template]);
  const unit = useOrgUnit(orgUnit); // its name, when the network answers (the form also works offline)
  const [state, setState] = useState<FieldState>(() => Object.fromEntries((existing?.values ?? []).map((v) => [keyOf(v.dataElement, v.optionCombo), String(typeof v.value === 'boolean' ? (v.value ? 1 : 0) : v.value)])));
  const [figures, setFigures] = useState(initialFigures ?? existing?.figures ?? 'official');
  const [reason, setReason] = useState('');
  const [submissionId, setSubmissionId] = useState(newSubmissionId);
  const [answer, setAnswer] = useState<{ kind: 'sent' | 'queued'; text: string } | null>(null);
  const [serverError, setServerError] = useState<ApiError | null>(null);
  const [serverFields, setServerFields] = useState<Record<string, string[]>>({});
  const [busy, setBusy] = useState(false);
  const [current, setCurrent] = useState(existing);
  useEffect(() => setServerFields({}), [state]);

  if (!tpl) return <ErrorBox error={new ApiError(404, 'UNKNOWN_TEMPLATE', `${template}`)} />;
  const values = valuesOf(elements, state);
  const rules = checkRulesLive(catalog, values, tpl.periodType);
  const texts = { notInteger: t('notInteger'), notNumber: t('notNumber'), belowMin: (n: number) => t('belowMin', { n }), aboveMax: (n: number) => t('aboveMax', { n }) };
  const fieldKeys = elements.flatMap((fe) => (fe.combos.length ? fe.combos.map((c) => keyOf(fe.element.code, c)) : [fe.element.code]));
  const missing = fieldKeys.filter((k) => (state[k] ?? '').trim() === '');
  const typeErrors = elements.some((fe) => (fe.combos.length ? fe.combos.map((c) => keyOf(fe.element.code, c)) : [fe.element.code]).some((k) => checkField(fe.element, state[k] ?? '', texts)?.severity === 'error'));
  const amending = current !== null;

  const problemsFor = (key: string, element: DataElement): Array<{ severity: 'error' | 'warning'; message: string }> => {
    const out: Array<{ severity: 'error' | 'warning'; message: string }> = [];
    const own = checkField(element, state[key] ?? '', texts);
    if (own) out.push(own);
    for (const r of rules) if (r.fields.includes(key) || r.fields.includes(element.code)) out.push({ severity: r.onViolation === 'REJECT' ? 'error' : 'warning', message: `${r.name} (${r.onViolation === 'REJECT' ? t('ruleReject') : t('ruleWarn')})` });
    for (const m of serverFields[key] ?? serverFields[element.code] ?? []) out.push({ severity: 'error', message: m });
    return out;
  };

  const submit = async (e: Event) => {
    e.preventDefault();
    setServerError(null);
    setAnswer(null);
    const body = { template, orgUnit, period, submissionId, values, figures, ...(amending ? { reason: reason.normalize('NFC') } : {}) };
    if (!navigator.onLine) {
      await enqueue(body);
      setAnswer({ kind: 'queued', text: t('queued') });
      setSubmissionId(newSubmissionId());
      return;
    }
    setBusy(true);
    try {
      const r = await post<{ reportId: string; version: number; status: string; position: number }>('/reports', body);
      setAnswer({ kind: 'sent', text: t('submitted', { id: r.reportId, v: r.version }) });
      setSubmissionId(newSubmissionId());
      setReason('');
      setCurrent(await get<ReportView>(`/reports/${r.reportId}?after=${r.position}`).catch(() => current ?? ({ reportId: r.reportId, status: r.status, version: r.version } as ReportView)));
    } catch (err) {
      const apiError = err as ApiError;
      if (apiError.network) {
        await enqueue(body);
        setAnswer({ kind: 'queued', text: t('queued') });
        setSubmissionId(newSubmissionId());
        void flushOutbox();
      } else {
        setServerError(apiError);
        setServerFields(serverFieldErrors(catalog, values, apiError.details));
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <h1>
        {t('formTitle')}: {tpl.name}
      </h1>
      <p class="meta">
        {t('template')} <code>{tpl.code}</code> · {t('unit')} {unit && `${unit.name} `}<code>{orgUnit}</code> · {t('period')} <code>{period}</code> · {catalog.legalBasis} ({catalog.version})
        {current && (
          <>
            {' · '}
            <StatusBadge status={current.status} text={statusText(current.status)} /> <a href={href('/report', { id: current.reportId })}>{t('history')}</a>
          </>
        )}
      </p>
      <form class="entry" onSubmit={(e) => void submit(e)} noValidate>
        <fieldset class="inline">
          <legend>{t('figures')}</legend>
          {(['official', 'estimate'] as const).map((f) => (
            <label key={f}>
              <input type="radio" name="figures" value={f} checked={figures === f} onChange={() => setFigures(f)} /> {f === 'official' ? t('figuresOfficial') : t('figuresEstimate')}
            </label>
          ))}
        </fieldset>
        {elements.map((fe) => (
          <ElementField key={fe.element.code} fe={fe} state={state} setState={setState} problemsFor={problemsFor} />
        ))}
        <section class="checks" aria-live="polite" aria-labelledby="checks-title">
          <h2 id="checks-title">{t('checks')}</h2>
          {rules.length === 0 && missing.length === 0 ? <p class="ok">{t('checksOk')}</p> : null}
          {missing.length > 0 && <p class="warning">{t('requiredMissing', { n: missing.length })}</p>}
          <ul>
            {rules.map((r) => (
              <li key={r.rule} class={r.onViolation === 'REJECT' ? 'error-text' : 'warning'} data-rule={r.rule}>
                {t('ruleBroken')} <code>{r.rule}</code>: {r.message} ({r.onViolation === 'REJECT' ? t('ruleReject') : t('ruleWarn')})
              </li>
            ))}
          </ul>
        </section>
        {amending && (
          <div class="field">
            <label for="reason">{t('reason')}</label>
            <textarea id="reason" name="reason" required aria-required="true" value={reason} onInput={(e) => setReason((e.target as HTMLTextAreaElement).value)} />
            <small class="hint">{t('reasonRequired')}</small>
          </div>
        )}
        <ErrorBox error={serverError} />
        {answer && (
          <p class={answer.kind === 'sent' ? 'ok' : 'warning'} role="status" data-answer={answer.kind}>
            {answer.text}
          </p>
        )}
        <button type="submit" disabled={busy || typeErrors || missing.length > 0 || (amending && reason.trim() === '')}>
          {busy ? t('submitting') : t('submit')}
        </button>
      </form>
      <ExcelPanel template={template} orgUnit={orgUnit} period={period} />
    </>
  );
}

function ElementField({ fe, state, setState, problemsFor }: { fe: FormElement; state: FieldState; setState: (f: (s: FieldState) => FieldState) => void; problemsFor: (key: string, e: DataElement) => Array<{ severity: 'error' | 'warning'; message: string }> }) {
  const e = fe.element;
  const set = (key: string, v: string) => setState((s) => ({ ...s, [key]: v }));
  const label = `${e.name}${e.unit ? ` (${e.unit})` : ''}`;
  if (fe.combos.length === 0) {
    const problems = problemsFor(e.code, e);
    return (
      <div class="field" data-field={e.code}>
        <label for={`f-${e.code}`}>
          {label} <small>{e.code}</small>
        </label>
        <Input id={`f-${e.code}`} element={e} value={state[e.code] ?? ''} onValue={(v) => set(e.code, v)} invalid={problems.some((p) => p.severity === 'error')} describedBy={problems.length ? `p-${e.code}` : undefined} />
        <Problems id={`p-${e.code}`} problems={problems} />
      </div>
    );
  }
  return (
    <fieldset class="grid-field" data-field={e.code}>
      <legend>
        {label} <small>{e.code}</small>
      </legend>
      <div class="scroll" tabIndex={0}>
        <table class="grid">
          {fe.cols.length > 1 || fe.cols[0]!.code ? (
            <thead>
              <tr>
                {fe.rows.length > 1 || fe.rows[0]!.code ? <td /> : null}
                {fe.cols.map((c) => (
                  <th scope="col" key={c.code}>
                    {c.name}
                  </th>
                ))}
              </tr>
            </thead>
          ) : null}
          <tbody>
            {fe.rows.map((r) => (
              <tr key={r.code}>
                {fe.rows.length > 1 || r.code ? <th scope="row">{r.name}</th> : null}
                {fe.cols.map((c) => {
                  const combo = [r.code, c.code].filter(Boolean).join('_');
                  const key = keyOf(e.code, combo);
                  const problems = problemsFor(key, e);
                  const id = `f-${e.code}-${combo}`;
                  return (
                    <td key={c.code}>
                      <Input id={id} element={e} value={state[key] ?? ''} onValue={(v) => set(key, v)} label={`${e.name}: ${[r.name, c.name].filter(Boolean).join(' · ')}`} invalid={problems.some((p) => p.severity === 'error')} describedBy={problems.length ? `p-${id}` : undefined} />
                      <Problems id={`p-${id}`} problems={problems} />
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </fieldset>
  );
}

function Input({ id, element, value, onValue, label, invalid, describedBy }: { id: string; element: DataElement; value: string; onValue: (v: string) => void; label?: string; invalid: boolean; describedBy?: string | undefined }) {
  const common = { id, name: id, 'aria-label': label, 'aria-invalid': invalid ? ('true' as const) : undefined, 'aria-describedby': describedBy, required: true, 'aria-required': 'true' as const };
  if (element.valueType === 'BOOLEAN') {
    return (
      <select {...common} value={value} onChange={(ev) => onValue((ev.target as HTMLSelectElement).value)}>
        <option value="">–</option>
        <option value="1">{t('yes')}</option>
        <option value="0">{t('no')}</option>
      </select>
    );
  }
  const numeric = element.valueType !== 'TEXT';
  return <input {...common} type="text" inputMode={numeric ? (element.valueType === 'INTEGER' ? 'numeric' : 'decimal') : 'text'} value={value} onInput={(ev) => onValue((ev.target as HTMLInputElement).value)} />;
}

function Problems({ id, problems }: { id: string; problems: Array<{ severity: 'error' | 'warning'; message: string }> }) {
  if (problems.length === 0) return null;
  return (
    <ul id={id} class="problems">
      {problems.map((p, i) => (
        <li key={i} class={p.severity === 'error' ? 'error-text' : 'warning'}>
          {p.message}
        </li>
      ))}
    </ul>
  );
}
