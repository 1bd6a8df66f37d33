import type { EventContext } from '@tally/contracts';
import type { AuthService } from './auth-service';
import { randomPassword } from './password';

/**
 * `pnpm tally account <subcommand>` (wired by the all-in-one CLI, on the deployment's event store):
 *   account create <username> <role> <orgUnit> [--email <address>]   password from TALLY_NEW_PASSWORD, else generated and printed once
 *   account email <username> <address>|none      where notifications are e-mailed
 *   account list
 *   account disable <username> | enable <username>
 *   account password <username>                  new password from TALLY_NEW_PASSWORD, else generated and printed once
 *   account token <username> <name> [ttlDays]    prints a new API token (once)
 * Every change is an event whose actor is `cli:<OS user>`.
 */
export const ACCOUNT_CLI_USAGE =
  'usage: pnpm tally account create <username> <role> <orgUnit> [--email <address>] | email <username> <address>|none | list | disable <username> | enable <username> | password <username> | token <username> <name> [ttlDays]\n';

export async function runAccountCli(auth: AuthService, args: string[], out: (text: string) => void, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const [sub, ...rest] = args;
  const ctx: EventContext = { actor: { id: `cli:${env.USER ?? env.USERNAME ?? 'unknown'}`, origin: 'cli' }, correlationId: `cli-${Date.now()}` };
  const newPassword = () => {
    const given = env.TALLY_NEW_PASSWORD;
    return given ? { password: given, generated: false } : { password: randomPassword(), generated: true };
  };
  switch (sub) {
    case 'create': {
      const [username, role, orgUnit, flag, email] = rest;
      if (!username || !role || !orgUnit || (flag !== undefined && (flag !== '--email' || !email))) break;
      const { password, generated } = newPassword();
      const account = await auth.createAccount({ username, password, role, orgUnit, ...(email ? { email } : {}) }, { ...ctx, reason: 'created from the CLI' });
      out(`created ${account.username} (${account.role} of ${account.orgUnit})${generated ? `; password (shown once): ${password}` : ''}\n`);
      return 0;
    }
    case 'email': {
      const [username, address] = rest;
      if (!username || !address) break;
      await auth.setEmail(username, address === 'none' ? null : address, { ...ctx, reason: 'e-mail address set from the CLI' });
      out(`${username}: e-mail ${address === 'none' ? 'removed' : address}\n`);
      return 0;
    }
    case 'list':
      for (const a of await auth.listAccounts()) out(`${a.username}\t${a.role}\t${a.orgUnit}${a.disabled ? '\tdisabled' : ''}\n`);
      return 0;
    case 'disable':
    case 'enable': {
      const [username] = rest;
      if (!username) break;
      await auth.setDisabled(username, sub === 'disable', { ...ctx, reason: `${sub}d from the CLI` });
      out(`${username} ${sub}d\n`);
      return 0;
    }
    case 'password': {
      const [username] = rest;
      if (!username) break;
      const { password, generated } = newPassword();
      await auth.changePassword(username, password, { ...ctx, reason: 'password reset from the CLI' });
      out(`password of ${username} changed${generated ? ` (shown once): ${password}` : ''}\n`);
      return 0;
    }
    case 'token': {
      const [username, name, ttl] = rest;
      if (!username || !name) break;
      const issued = await auth.issueApiToken(username, name, { ...ctx, reason: `API token "${name}" from the CLI` }, ttl ? Number(ttl) : undefined);
      out(`API token for ${username} (id ${issued.jti}, expires ${issued.expiresAt}), shown once:\n${issued.token}\n`);
      return 0;
    }
  }
  out(ACCOUNT_CLI_USAGE);
  return 2;
}
