import type { EventContext } from '@tally/contracts';
import type { AuthService } from './auth-service';
import { randomPassword } from './password';
import { NATIONAL, type Role } from './roles';

/**
 * Accounts for a first look (TALLY_DEMO): an officer of one commune, a reviewer and an analyst of the demo
 * province, and a national analyst, each with a fresh random password on every start (printed by `pnpm start`,
 * never a fixed default). Plus the bearer headers the demo loader sends: the catalog as `admin`, the reports as
 * `demo.loader`, a system account that submits for every commune of the province.
 */
export interface DemoLogin {
  username: string;
  password: string;
  role: Role;
  orgUnit: string;
}

export interface DemoAccess {
  catalogHeaders: Record<string, string>;
  reportHeaders: Record<string, string>;
  logins: DemoLogin[];
}

export async function prepareDemoAccess(auth: AuthService, options: { province: string; commune: string }): Promise<DemoAccess> {
  const ctx: EventContext = { actor: { id: 'system:demo' }, correlationId: `demo-${Date.now()}`, reason: 'demo accounts' };
  const wanted: Array<Omit<DemoLogin, 'password'>> = [
    { username: 'demo.officer', role: 'commune_officer', orgUnit: options.commune },
    { username: 'demo.reviewer', role: 'reviewer', orgUnit: options.province },
    { username: 'demo.analyst', role: 'analyst', orgUnit: NATIONAL },
    { username: 'demo.loader', role: 'commune_officer', orgUnit: options.province },
  ];
  const logins: DemoLogin[] = [];
  for (const w of wanted) {
    const password = randomPassword();
    if (await auth.registry.get(w.username)) await auth.changePassword(w.username, password, ctx);
    else await auth.createAccount({ ...w, password }, ctx);
    if (w.username !== 'demo.loader') logins.push({ ...w, password });
  }
  // in-process tokens: the loader is not rate limited like a client (a small TALLY_RATE_LIMIT_BURST must not stop the start)
  const header = async (username: string) => ({ authorization: `Bearer ${await auth.sessionTokenFor(username, { internal: true })}` });
  return { catalogHeaders: await header('admin'), reportHeaders: await header('demo.loader'), logins };
}
