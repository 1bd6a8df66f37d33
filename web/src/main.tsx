import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import './styles.css';
import { ApiError, get, post, put, session } from './lib/api';
import { currentLang, setLang, t, type MessageKey } from './lib/i18n';
import { useOnline } from './lib/hooks';
import { notifyLanguageSaved, useUnreadCount } from './lib/inbox-count';
import { listOutbox, onOutboxChange, startOutbox } from './lib/outbox';
import { href, navigate, useRoute } from './lib/router';
import type { Me } from './lib/types';
import { AdminScreen } from './screens/admin';
import { AlertsScreen } from './screens/alerts';
import { DashboardScreen } from './screens/dashboard';
import { DueScreen } from './screens/due';
import { FormScreen } from './screens/form';
import { InboxScreen } from './screens/inbox';
import { OpenDataScreen } from './screens/open-data';
import { QueueScreen } from './screens/queue';
import { ReportScreen } from './screens/report';
import { ReviewScreen } from './screens/review';
import { SignInScreen } from './screens/sign-in';

/** The app shell: who is signed in, the menu for their role, the connection state, and the screen of the route. */
const NAV: Record<Me['role'], Array<[string, MessageKey]>> = {
  commune_officer: [['/due', 'navDue'], ['/inbox', 'navInbox'], ['/queue', 'navQueue'], ['/alerts', 'navAlerts'], ['/dashboard', 'navDashboard']],
  reviewer: [['/review', 'navReview'], ['/inbox', 'navInbox'], ['/alerts', 'navAlerts'], ['/dashboard', 'navDashboard']],
  analyst: [['/dashboard', 'navDashboard'], ['/review', 'navReview'], ['/alerts', 'navAlerts']],
  central_admin: [['/admin', 'navAdmin'], ['/review', 'navReview'], ['/dashboard', 'navDashboard']],
  operator: [['/dashboard', 'navDashboard']],
};

const HOME: Record<Me['role'], string> = { commune_officer: '/due', reviewer: '/review', analyst: '/dashboard', central_admin: '/admin', operator: '/dashboard' };

const ME_KEY = 'tally.me';
const knownMe = (): Me | null => {
  const kept = localStorage.getItem(ME_KEY);
  return kept ? (JSON.parse(kept) as Me) : null;
};

function App() {
  const route = useRoute();
  const online = useOnline();
  const [, setLangTick] = useState(currentLang());
  const [me, setMe] = useState<Me | null | undefined>(session.token ? undefined : null);
  const [waiting, setWaiting] = useState(0);
  // the roles whose menu has the inbox (the others have no inbox.read permission)
  const unread = useUnreadCount(!!me && NAV[me.role].some(([path]) => path === '/inbox'));
  const rememberMe = (m: Me | null) => {
    if (m) localStorage.setItem(ME_KEY, JSON.stringify(m));
    else localStorage.removeItem(ME_KEY);
    setMe(m);
  };

  useEffect(() => {
    if (!session.token) return;
    // offline, the last known account keeps the app usable (its reports wait in the queue)
    get<Me>('/auth/me').then(rememberMe, (e: unknown) => setMe(e instanceof ApiError && e.network ? knownMe() : null));
    const out = () => rememberMe(null);
    window.addEventListener('tally:signed-out', out);
    return () => window.removeEventListener('tally:signed-out', out);
  }, []);
  useEffect(() => {
    const count = () => void listOutbox().then((items) => setWaiting(items.filter((i) => i.state === 'pending').length), () => undefined);
    count();
    return onOutboxChange(count);
  }, []);

  const switchLang = () => {
    const next = currentLang() === 'vi' ? 'en' : 'vi';
    setLang(next);
    setLangTick(next);
    // signed in: the account's notifications (inbox, e-mail) follow the choice too; the screen has switched anyway
    if (me) void put('/inbox/preferences', { language: next }).then(notifyLanguageSaved, () => undefined);
  };
  const signOut = async () => {
    await post('/auth/logout').catch(() => undefined);
    session.token = null;
    rememberMe(null);
    navigate('/signin');
  };

  const isPublic = route.path === '/open-data';
  let screen;
  if (isPublic) screen = <OpenDataScreen />;
  else if (me === undefined) screen = <p>{t('loading')}</p>;
  else if (me === null)
    screen = (
      <SignInScreen
        onSignedIn={(m) => {
          rememberMe(m);
          navigate(HOME[m.role]);
        }}
      />
    );
  else screen = <Screen me={me} path={route.path} params={route.params} />;

  return (
    <>
      <a class="skip" href="#main" onClick={(e) => { e.preventDefault(); document.getElementById('main')?.focus(); }}>{t('skip')}</a>
      <header class="top">
        <a class="brand" href={me ? href(HOME[me.role]) : href('/')}>{t('appName')}</a>
        <nav aria-label="menu">
          {me &&
            NAV[me.role].map(([path, key]) => (
              <a key={path} href={href(path)} aria-current={route.path === path ? 'page' : undefined}>
                {t(key)}
                {path === '/queue' && waiting > 0 ? <span class="count"> ({waiting})</span> : null}
                {path === '/inbox' && unread ? <span class="count"> ({unread})</span> : null}
              </a>
            ))}
          <a href={href('/open-data')} aria-current={isPublic ? 'page' : undefined}>{t('navOpenData')}</a>
        </nav>
        <div class="tools">
          <button type="button" class="link" lang={currentLang() === 'vi' ? 'en' : 'vi'} aria-label={t('languageLabel')} onClick={switchLang}>{t('language')}</button>
          {me && <button type="button" class="link" onClick={() => void signOut()}>{t('signOut')} ({me.username})</button>}
          {!me && isPublic && <a href={href('/')}>{t('signIn')}</a>}
        </div>
      </header>
      {!online && <p class="banner offline" role="status">{t('offline')}</p>}
      <main id="main" tabIndex={-1}>{screen}</main>
    </>
  );
}

function Screen({ me, path, params }: { me: Me; path: string; params: URLSearchParams }) {
  const p = (k: string) => params.get(k) ?? undefined;
  switch (path) {
    case '/due':
      return <DueScreen me={me} orgUnit={p('orgUnit') ?? me.orgUnit} />;
    case '/form':
      return <FormScreen me={me} template={p('template') ?? ''} orgUnit={p('orgUnit') ?? me.orgUnit} period={p('period') ?? ''} figures={p('figures')} />;
    case '/report':
      return <ReportScreen me={me} reportId={p('id') ?? ''} />;
    case '/queue':
      return <QueueScreen />;
    case '/inbox':
      return <InboxScreen me={me} />;
    case '/review':
      return <ReviewScreen me={me} orgUnit={p('orgUnit')} template={p('template')} period={p('period')} />;
    case '/alerts':
      return <AlertsScreen me={me} orgUnit={p('orgUnit')} period={p('period')} />;
    case '/dashboard':
      return <DashboardScreen me={me} params={params} />;
    case '/admin':
      return <AdminScreen me={me} />;
    default:
      navigate(HOME[me.role]);
      return null;
  }
}

document.documentElement.lang = currentLang();
startOutbox();
// the app shell offline (service workers need a secure context: https, or localhost)
if ('serviceWorker' in navigator && window.isSecureContext) void navigator.serviceWorker.register('/sw.js').catch(() => undefined);
render(<App />, document.getElementById('app')!);
