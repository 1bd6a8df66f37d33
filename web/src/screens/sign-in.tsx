import { useState } from 'preact/hooks';
import { ErrorBox, Field } from '../components';
import { ApiError, get, post, session } from '../lib/api';
import { t } from '../lib/i18n';
import { href } from '../lib/router';
import type { Me } from '../lib/types';

export function SignInScreen({ onSignedIn }: { onSignedIn: (me: Me) => void }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const r = await post<{ token: string }>('/auth/login', { username: username.trim(), password });
      session.token = r.token;
      onSignedIn(await get<Me>('/auth/me'));
    } catch (err) {
      setError(err as ApiError);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="card narrow" aria-labelledby="signin-title">
      <h1 id="signin-title">{t('signIn')}</h1>
      <form onSubmit={(e) => void submit(e)}>
        <Field label={t('username')}>{(id) => <input id={id} name="username" autocomplete="username" required value={username} onInput={(e) => setUsername((e.target as HTMLInputElement).value)} />}</Field>
        <Field label={t('password')}>{(id) => <input id={id} name="password" type="password" autocomplete="current-password" required value={password} onInput={(e) => setPassword((e.target as HTMLInputElement).value)} />}</Field>
        <ErrorBox error={error} />
        <button type="submit" disabled={busy}>{t('signIn')}</button>
      </form>
      <p>
        <a href={href('/open-data')}>{t('openDataLink')}</a>
      </p>
    </section>
  );
}
