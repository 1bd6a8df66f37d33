import { useState } from 'preact/hooks';
import { Card, Field, Loading, Outcome } from '../components';
import { ApiError, XLSX, api, download, get, post, put } from '../lib/api';
import { useLoad } from '../lib/hooks';
import { t } from '../lib/i18n';
import { changeOf, codesIn } from '../lib/hierarchy-change';
import { nfc } from '../lib/text';
import type { Me } from '../lib/types';

const ROLES = ['commune_officer', 'reviewer', 'analyst', 'central_admin', 'operator'] as const;

/** Central administration: accounts, catalog versions (download as XLSX; publish from a JSON or XLSX file, every problem listed), map changes (rename, move, retire, merge, split). */
export function AdminScreen(_: { me: Me }) {
  return (
    <>
      <h1>{t('adminTitle')}</h1>
      <Accounts />
      <CatalogVersions />
      <HierarchyChange />
    </>
  );
}

interface Account {
  username: string;
  role: string;
  orgUnit: string;
  disabled: boolean;
}

function Accounts() {
  const list = useLoad(() => get<{ accounts: Account[] }>('/accounts'), []);
  const [form, setForm] = useState({ username: '', password: '', role: 'commune_officer', orgUnit: '' });
  const [error, setError] = useState<ApiError | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const run = async (f: () => Promise<unknown>, done: string) => {
    setError(null);
    setNote(null);
    try {
      await f();
      setNote(done);
      list.reload();
    } catch (err) {
      setError(err as ApiError);
    }
  };
  const bind = (k: keyof typeof form) => ({ value: form[k], onInput: (e: Event) => setForm({ ...form, [k]: (e.target as HTMLInputElement).value }) });
  return (
    <Card title={t('accounts')} id="accounts">
      <form
        class="filters"
        onSubmit={(e) => {
          e.preventDefault();
          void run(() => post('/accounts', { ...form, username: form.username.trim(), orgUnit: form.orgUnit.trim() }), `${t('create')}: ${form.username}`);
        }}
      >
        <Field label={t('username')}>{(id) => <input id={id} required {...bind('username')} />}</Field>
        <Field label={t('password')}>{(id) => <input id={id} type="password" autocomplete="new-password" required {...bind('password')} />}</Field>
        <Field label={t('role')}>
          {(id) => (
            <select id={id} value={form.role} onChange={(e) => setForm({ ...form, role: (e.target as HTMLSelectElement).value })}>
              {ROLES.map((r) => (
                <option key={r}>{r}</option>
              ))}
            </select>
          )}
        </Field>
        <Field label={t('unit')}>{(id) => <input id={id} required size={6} {...bind('orgUnit')} />}</Field>
        <button type="submit">{t('create')}</button>
      </form>
      <Outcome error={error} note={note} />
      <Loading when={list.loading} />
      <div class="scroll tall" tabIndex={0}>
        <table>
          <thead>
            <tr>
              <th scope="col">{t('username')}</th>
              <th scope="col">{t('role')}</th>
              <th scope="col">{t('unit')}</th>
              <th scope="col">{t('status')}</th>
              <th scope="col">{t('action')}</th>
            </tr>
          </thead>
          <tbody>
            {(list.data?.accounts ?? []).map((a) => (
              <tr key={a.username} data-account={a.username}>
                <td>{a.username}</td>
                <td>{a.role}</td>
                <td>{a.orgUnit}</td>
                <td>{a.disabled ? t('disabled') : t('active')}</td>
                <td class="actions">
                  <button type="button" class="link" onClick={() => void run(() => post(`/accounts/${a.username}/${a.disabled ? 'enable' : 'disable'}`), `${a.username}`)}>
                    {a.disabled ? t('enable') : t('disable')} <span class="sr-only">{a.username}</span>
                  </button>
                  <button
                    type="button"
                    class="link"
                    onClick={() => {
                      const pw = prompt(`${t('newPassword')} (${a.username})`);
                      if (pw) void run(() => post(`/accounts/${a.username}/password`, { newPassword: pw }), `${t('resetPassword')}: ${a.username}`);
                    }}
                  >
                    {t('resetPassword')} <span class="sr-only">{a.username}</span>
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Card>
  );
}

function CatalogVersions() {
  const versions = useLoad(() => get<Array<{ version: string; legalBasis: string; effectiveFrom: string | null; effectiveTo: string | null }>>('/catalog/versions'), []);
  const [error, setError] = useState<ApiError | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const publish = async (file: File) => {
    setError(null);
    setNote(null);
    try {
      // a workbook goes as it is (the server reads it and locates every problem); a JSON file as JSON
      const xlsx = file.name.toLowerCase().endsWith('.xlsx') || file.type === XLSX;
      const r = xlsx ? await api<{ version: string }>('PUT', '/catalog/xlsx', undefined, { raw: await file.arrayBuffer(), contentType: XLSX }) : await put<{ version: string }>('/catalog', JSON.parse(nfc(await file.text())) as unknown);
      setNote(t('published', { v: r.version }));
      versions.reload();
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(400, 'MALFORMED_JSON', (err as Error).message));
    }
  };
  const save = (version: string) => {
    setError(null);
    download('/catalog/xlsx', { version }, `catalog-${version}.xlsx`).catch((err: unknown) => setError(err as ApiError));
  };
  return (
    <Card title={t('catalog')} id="catalog">
      <table>
        <thead>
          <tr>
            <th scope="col">{t('version')}</th>
            <th scope="col">{t('effective')}</th>
            <th scope="col">{t('source')}</th>
            <th scope="col">{t('action')}</th>
          </tr>
        </thead>
        <tbody>
          {(versions.data ?? []).map((v) => (
            <tr key={v.version}>
              <td>{v.version}</td>
              <td>
                {v.effectiveFrom ?? '…'} – {v.effectiveTo ?? '…'}
              </td>
              <td>{v.legalBasis}</td>
              <td>
                <button type="button" class="link" onClick={() => save(v.version)}>
                  {t('xlsxCatalog')} <span class="sr-only">{v.version}</span>
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <Field label={t('publish')} hint={t('publishHint')}>
        {(id) => (
          <input
            id={id}
            type="file"
            accept="application/json,.json,.xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            onChange={(e) => {
              const f = (e.target as HTMLInputElement).files?.[0];
              if (f) void publish(f);
            }}
          />
        )}
      </Field>
      <Outcome error={error} note={note} />
    </Card>
  );
}

const CHANGE_KINDS = ['rename', 'move', 'retire', 'merge', 'split'] as const;

function HierarchyChange() {
  const versions = useLoad(() => get<Array<{ id: string }>>('/hierarchies'), []);
  const [form, setForm] = useState<Record<string, string>>({ version: '2025', kind: 'rename', code: '', name: '', newParentCode: '', codes: '', into: '', parts: '', assign: '', reason: '' });
  const [error, setError] = useState<ApiError | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const bind = (k: string) => ({ value: form[k] ?? '', onInput: (e: Event) => setForm({ ...form, [k]: (e.target as HTMLInputElement).value }) });
  const submit = async (e: Event) => {
    e.preventDefault();
    setError(null);
    setNote(null);
    const change = changeOf(form);
    try {
      await post(`/hierarchies/${form.version}/changes`, { change, reason: nfc(form.reason ?? '') });
      setNote(`${t('applied')}: ${form.kind} ${form.kind === 'merge' ? `${codesIn(form.codes ?? '').join(', ')} → ${form.into}` : form.code}`);
    } catch (err) {
      setError(err as ApiError);
    }
  };
  return (
    <Card title={t('hierarchy')} id="hierarchy">
      <form class="filters" onSubmit={(e) => void submit(e)}>
        <Field label={t('map')}>
          {(id) => (
            <select id={id} value={form.version} onChange={(e) => setForm({ ...form, version: (e.target as HTMLSelectElement).value })}>
              {(versions.data ?? [{ id: '2025' }]).map((v) => (
                <option key={v.id}>{v.id}</option>
              ))}
            </select>
          )}
        </Field>
        <Field label={t('changeKind')}>
          {(id) => (
            <select id={id} value={form.kind} onChange={(e) => setForm({ ...form, kind: (e.target as HTMLSelectElement).value })}>
              {CHANGE_KINDS.map((k) => (
                <option key={k} value={k}>
                  {t(`change_${k}` as const)}
                </option>
              ))}
            </select>
          )}
        </Field>
        {form.kind !== 'merge' && <Field label={t('code')}>{(id) => <input id={id} required size={6} {...bind('code')} />}</Field>}
        {form.kind === 'rename' && <Field label={t('name')}>{(id) => <input id={id} required {...bind('name')} />}</Field>}
        {form.kind === 'move' && <Field label={t('newParent')}>{(id) => <input id={id} required size={6} {...bind('newParentCode')} />}</Field>}
        {form.kind === 'merge' && (
          <>
            <Field label={t('mergeCodes')} hint={t('mergeCodesHint')}>
              {(id) => <input id={id} required {...bind('codes')} />}
            </Field>
            <Field label={t('mergeInto')}>{(id) => <input id={id} required size={6} {...bind('into')} />}</Field>
          </>
        )}
        {form.kind === 'split' && (
          <>
            <Field label={t('splitParts')} hint={t('splitPartsHint')}>
              {(id) => <textarea id={id} required rows={3} cols={36} {...bind('parts')} />}
            </Field>
            <Field label={t('splitAssign')} hint={t('splitAssignHint')}>
              {(id) => <textarea id={id} rows={3} cols={20} {...bind('assign')} />}
            </Field>
          </>
        )}
        <Field label={t('changeReason')}>{(id) => <input id={id} required minLength={3} {...bind('reason')} />}</Field>
        <button type="submit">{t('apply')}</button>
      </form>
      <Outcome error={error} note={note} />
    </Card>
  );
}
