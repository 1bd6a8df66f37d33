import { TallyError } from '@tally/contracts';
import { eventContextOf } from '@tally/runtime';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { viewOf, type AuthService } from './auth-service';
import { MAX_PASSWORD_LENGTH } from './password';
import { ROLES, USERNAME_PATTERN } from './roles';

const ORG_UNIT = '^(VN|[0-9]{2,5})$';
const usernameParam = {
  type: 'object',
  required: ['username'],
  properties: { username: { type: 'string', pattern: USERNAME_PATTERN } },
} as const;
const password = { type: 'string', minLength: 1, maxLength: MAX_PASSWORD_LENGTH } as const;
const email = { type: 'string', maxLength: 254, pattern: '^[^\\s@]+@[^\\s@]+\\.[^\\s@]+$' } as const;
const strict = (properties: Record<string, unknown>, required: string[]) => ({ type: 'object', additionalProperties: false, required, properties });

/** Sign-in, one's own account, and account administration (routes under /api/v1). */
export function authRoutes(auth: AuthService): FastifyPluginAsync {
  const self = (request: FastifyRequest) => {
    const p = request.tallyPrincipal;
    if (!p) throw new TallyError('UNAUTHENTICATED', 'sign in first');
    return p;
  };
  return async (app) => {
    app.post(
      '/auth/login',
      { schema: { body: strict({ username: { type: 'string', minLength: 1, maxLength: 64 }, password }, ['username', 'password']) } },
      async (request) => {
        const body = request.body as { username: string; password: string };
        const { token, expiresAt, principal } = await auth.login(body.username, body.password, eventContextOf(request));
        return { token, tokenType: 'Bearer', expiresAt, account: { username: principal.username, role: principal.role, orgUnit: principal.orgUnit } };
      },
    );

    app.get('/auth/me', async (request) => {
      const p = self(request);
      return { username: p.username, role: p.role, orgUnit: p.orgUnit, tokenKind: p.tokenKind, expiresAt: new Date(p.exp * 1000).toISOString() };
    });

    app.post('/auth/logout', async (request, reply) => {
      const p = self(request);
      await auth.revoke(p.username, p.jti, new Date(p.exp * 1000).toISOString(), eventContextOf(request, 'sign-out'), true);
      return reply.status(204).send();
    });

    app.post('/auth/password', { schema: { body: strict({ currentPassword: password, newPassword: password }, ['currentPassword', 'newPassword']) } }, async (request, reply) => {
      const p = self(request);
      const body = request.body as { currentPassword: string; newPassword: string };
      await auth.changePassword(p.username, body.newPassword, eventContextOf(request, 'password changed by its owner'), body.currentPassword);
      return reply.status(204).send();
    });

    app.get('/accounts', async () => ({ accounts: await auth.listAccounts() }));

    app.post(
      '/accounts',
      {
        schema: {
          body: strict(
            { username: { type: 'string', pattern: USERNAME_PATTERN }, password, role: { type: 'string', enum: [...ROLES] }, orgUnit: { type: 'string', pattern: ORG_UNIT }, email },
            ['username', 'password', 'role', 'orgUnit'],
          ),
        },
      },
      async (request, reply) => {
        const body = request.body as { username: string; password: string; role: string; orgUnit: string; email?: string };
        const account = await auth.createAccount(body, eventContextOf(request));
        return reply.status(201).send(account);
      },
    );

    app.get('/accounts/:username', { schema: { params: usernameParam } }, async (request) => viewOf(await auth.account((request.params as { username: string }).username)));

    const reasonBody = { body: { anyOf: [strict({ reason: { type: 'string', maxLength: 2000 } }, []), { type: 'null' }] } };
    for (const action of ['disable', 'enable'] as const) {
      app.post(`/accounts/:username/${action}`, { schema: { params: usernameParam, ...reasonBody } }, async (request) => {
        const { username } = request.params as { username: string };
        if (action === 'disable' && request.tallyPrincipal?.username === username) throw new TallyError('INVALID_REQUEST', 'you cannot disable your own account');
        const reason = (request.body as { reason?: string } | null | undefined)?.reason;
        return auth.setDisabled(username, action === 'disable', eventContextOf(request, reason));
      });
    }

    app.post('/accounts/:username/email', { schema: { params: usernameParam, body: strict({ email: { anyOf: [email, { type: 'null' }] } }, ['email']) } }, async (request) => {
      const { username } = request.params as { username: string };
      return auth.setEmail(username, (request.body as { email: string | null }).email, eventContextOf(request, 'e-mail address set by an administrator'));
    });

    app.post('/accounts/:username/password', { schema: { params: usernameParam, body: strict({ newPassword: password }, ['newPassword']) } }, async (request, reply) => {
      const { username } = request.params as { username: string };
      await auth.changePassword(username, (request.body as { newPassword: string }).newPassword, eventContextOf(request, 'password reset by an administrator'));
      return reply.status(204).send();
    });

    app.post(
      '/accounts/:username/tokens',
      {
        schema: {
          params: usernameParam,
          body: strict({ name: { type: 'string', minLength: 1, maxLength: 100 }, ttlDays: { type: 'integer', minimum: 1, maximum: 3650 } }, ['name']),
        },
      },
      async (request, reply) => {
        const { username } = request.params as { username: string };
        const body = request.body as { name: string; ttlDays?: number };
        return reply.status(201).send(await auth.issueApiToken(username, body.name, eventContextOf(request, `API token "${body.name}"`), body.ttlDays));
      },
    );

    app.post(
      '/accounts/:username/tokens/:jti/revoke',
      {
        schema: {
          params: { type: 'object', required: ['username', 'jti'], properties: { username: usernameParam.properties.username, jti: { type: 'string', pattern: '^[0-9a-f-]{36}$' } } },
        },
      },
      async (request, reply) => {
        const { username, jti } = request.params as { username: string; jti: string };
        const account = await auth.account(username);
        // a session jti expires within the session lifetime; an API token's record knows its own expiry
        const expiresAt = account.apiTokens[jti]?.expiresAt ?? new Date(Date.now() + 366 * 86_400_000).toISOString();
        await auth.revoke(username, jti, expiresAt, eventContextOf(request, 'revoked by an administrator'));
        return reply.status(204).send();
      },
    );
  };
}
