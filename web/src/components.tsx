import type { ComponentChildren } from 'preact';
import { useEffect, useId, useState } from 'preact/hooks';
import { ApiError, get } from './lib/api';
import { useOrgUnit } from './lib/hooks';
import { levelText, t } from './lib/i18n';
import { nfc } from './lib/text';
import type { OrgUnit } from './lib/types';

/** What an action came to: its error (ErrorBox), or a line saying it was done. */
export function Outcome({ error, note }: { error: ApiError | undefined | null; note: string | null }) {
  return (
    <>
      <ErrorBox error={error} />
      {note && (
        <p class="ok" role="status">
          {note}
        </p>
      )}
    </>
  );
}

/** An API error as people read it: the message, the machine code, and every listed problem. */
export function ErrorBox({ error }: { error: ApiError | undefined | null }) {
  if (!error) return null;
  const details = error.details as { problems?: Array<{ message?: string; path?: string; sheet?: string; cell?: string; row?: number }>; violations?: Array<{ message?: string }> } | undefined;
  const items: Array<{ message?: string; path?: string; sheet?: string; cell?: string; row?: number }> = [...(details?.problems ?? []), ...(details?.violations ?? [])];
  return (
    <div class="error" role="alert">
      <strong>{t('error')}</strong> <code>{error.code}</code>: {error.message}
      {items.length > 0 && (
        <ul>
          {items.map((p, i) => (
            <li key={i}>
              {p.sheet ? <code class="where">{p.cell ? `${p.sheet}!${p.cell}` : p.row ? `${p.sheet}:${p.row}` : p.sheet}</code> : null}{' '}
              {p.path ? <code>{p.path}</code> : null} {p.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function Loading({ when }: { when: boolean }) {
  return when ? <p aria-live="polite">{t('loading')}</p> : null;
}

export function Card({ title, children, id }: { title: string; children: ComponentChildren; id?: string }) {
  return (
    <section class="card" aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      {children}
    </section>
  );
}

/**
 * Pick an org unit by name or code: the server's search is accent-insensitive ("thai nguyen" finds
 * "Thái Nguyên"); the query is sent in NFC.
 */
export function UnitSearch({ value, onChange, hierarchy, label }: { value: string; onChange: (code: string) => void; hierarchy?: string; label?: string }) {
  const id = useId();
  const [query, setQuery] = useState('');
  const [results, setResults] = useState<OrgUnit[]>([]);
  const current = useOrgUnit(value, hierarchy);
  useEffect(() => {
    const q = nfc(query.trim());
    if (q.length < 2) return setResults([]);
    const timer = setTimeout(() => {
      get<{ units: OrgUnit[] }>('/org-units', { search: q, hierarchy, limit: 12 }).then(
        (r) => setResults(r.units),
        () => setResults([]),
      );
    }, 200);
    return () => clearTimeout(timer);
  }, [query, hierarchy]);
  return (
    <div class="unit-search">
      <label for={id}>{label ?? t('unit')}</label>
      <input id={id} type="search" value={query} placeholder={t('searchUnit')} autocomplete="off" onInput={(e) => setQuery((e.target as HTMLInputElement).value)} />
      <span class="current">{current ? `${current.name} (${current.code}, ${levelText(current.level)})` : value}</span>
      {results.length > 0 && (
        <ul class="results" role="listbox" aria-label={t('searchUnit')}>
          {results.map((u) => (
            <li key={u.code} role="option" aria-selected={u.code === value}>
              <button
                type="button"
                class="link"
                onClick={() => {
                  onChange(u.code);
                  setQuery('');
                  setResults([]);
                }}
              >
                {u.name} <small>({u.code}, {levelText(u.level)})</small>
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function StatusBadge({ status, text }: { status: string; text: string }) {
  return <span class={`badge st-${status}`}>{text}</span>;
}

/** A labelled field. */
export function Field({ label, children, hint }: { label: string; children: (id: string) => ComponentChildren; hint?: string }) {
  const id = useId();
  return (
    <div class="field">
      <label for={id}>{label}</label>
      {children(id)}
      {hint && <small class="hint">{hint}</small>}
    </div>
  );
}
