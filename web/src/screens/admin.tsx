import { useState } from 'preact/hooks';
import { Card, ErrorBox, Field, Loading } from '../components';
import { ApiError, get, post, put } from '../lib/api';
import { useLoad } from '../lib/hooks';
import { t } from '../lib/i18n';
import { nfc } from '../lib/text';
import type { Me } from '../lib/types';

const ROLES = ['commune_officer', 'reviewer', 'analyst', 'central_admin', 'operator'] as const;

/** Central administration: accounts, catalog versions (publish from a JSON file, every problem listed), map changes. */
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
      <ErrorBox error={error} />
      {note && <p class="ok" role="status">{note}</p>}
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
      const json: unknown = JSON.parse(nfc(await file.text()));
      const r = await put<{ version: string }>('/catalog', json);
      setNote(t('published', { v: r.version }));
      versions.reload();
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(400, 'MALFORMED_JSON', (err as Error).message));
    }
  };
  return (
    <Card title={t('catalog')} id="catalog">
      <table>
        <thead>
          <tr>
            <th scope="col">{t('version')}</th>
            <th scope="col">{t('effective')}</th>
            <th scope="col">{t('source')}</th>
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
            </tr>
          ))}
        </tbody>
      </table>
      <Field label={t('publish')}>
        {(id) => (
          <input
            id={id}
            type="file"
            accept="application/json,.json"
            onChange={(e) => {
              const f = (e.target as HTMLInputElement).files?.[0];
              if (f) void publish(f);
            }}
          />
        )}
      </Field>
      <ErrorBox error={error} />
      {note && <p class="ok" role="status">{note}</p>}
    </Card>
  );
}

function HierarchyChange() {
  const versions = useLoad(() => get<Array<{ id: string }>>('/hierarchies'), []);
  const [form, setForm] = useState({ version: '2025', kind: 'rename', code: '', name: '', newParentCode: '', reason: '' });
  const [error, setError] = useState<ApiError | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const bind = (k: keyof typeof form) => ({ value: form[k], onInput: (e: Event) => setForm({ ...form, [k]: (e.target as HTMLInputElement).value }) });
  const submit = async (e: Event) => {
    e.preventDefault();
    setError(null);
    setNote(null);
    const change =
      form.kind === 'rename' ? { kind: 'rename', code: form.code, name: nfc(form.name) } : form.kind === 'move' ? { kind: 'move', code: form.code, newParentCode: form.newParentCode } : { kind: 'retire', code: form.code };
    try {
      await post(`/hierarchies/${form.version}/changes`, { change, reason: nfc(form.reason) });
      setNote(`${form.kind} ${form.code}`);
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
              <option value="rename">rename</option>
              <option value="move">move</option>
              <option value="retire">retire</option>
            </select>
          )}
        </Field>
        <Field label={t('code')}>{(id) => <input id={id} required size={6} {...bind('code')} />}</Field>
        {form.kind === 'rename' && <Field label={t('name')}>{(id) => <input id={id} required {...bind('name')} />}</Field>}
        {form.kind === 'move' && <Field label={t('unit')}>{(id) => <input id={id} required size={6} {...bind('newParentCode')} />}</Field>}
        <Field label={t('reason')}>{(id) => <input id={id} required minLength={3} {...bind('reason')} />}</Field>
        <button type="submit">{t('apply')}</button>
      </form>
      <ErrorBox error={error} />
      {note && <p class="ok" role="status">{note}</p>}
    </Card>
  );
}
