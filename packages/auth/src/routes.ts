import { TallyError } from '@tally/contracts';
import { OneOf, OrNull, OrgUnitCode, Strict, Type, Uuid, eventContextOf, type TypeBoxTypeProvider } from '@tally/runtime';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { viewOf, type AuthService } from './auth-service';
import { MAX_PASSWORD_LENGTH } from './password';
import { ROLES, USERNAME_PATTERN } from './roles';

const Username = Type.String({ pattern: USERNAME_PATTERN });
const UsernameParams = Type.Object({ username: Username });
const Password = Type.String({ minLength: 1, maxLength: MAX_PASSWORD_LENGTH });
const Email = Type.String({ maxLength: 254, pattern: '^[^\\s@]+@[^\\s@]+\\.[^\\s@]+$' });

const LoginBody = Strict({ username: Type.String({ minLength: 1, maxLength: 64 }), password: Password });
const PasswordChangeBody = Strict({ currentPassword: Password, newPassword: Password });
const NewAccountBody = Strict({ username: Username, password: Password, role: OneOf(ROLES), orgUnit: OrgUnitCode, email: Type.Optional(Email) });
const ReasonBody = OrNull(Strict({ reason: Type.Optional(Type.String({ maxLength: 2000 })) }));
const EmailBody = Strict({ email: OrNull(Email) });
const PasswordResetBody = Strict({ newPassword: Password });
const TokenBody = Strict({ name: Type.String({ minLength: 1, maxLength: 100 }), ttlDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 3650 })) });
const TokenParams = Type.Object({ username: Username, jti: Uuid });

/** Sign-in, one's own account, and account administration (routes under /api/v1). */
export function authRoutes(auth: AuthService): FastifyPluginAsync {
  const self = (request: FastifyRequest) => {
    const p = request.tallyPrincipal;
    if (!p) throw new TallyError('UNAUTHENTICATED', 'sign in first');
    return p;
  };
  return async (plain) => {
    const app = plain.withTypeProvider<TypeBoxTypeProvider>();
    app.post(
      '/auth/login',
      { schema: { body: LoginBody } },
      async (request) => {
        const body = request.body;
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

    app.post('/auth/password', { schema: { body: PasswordChangeBody } }, async (request, reply) => {
      const p = self(request);
      const body = request.body;
      await auth.changePassword(p.username, body.newPassword, eventContextOf(request, 'password changed by its owner'), body.currentPassword);
      return reply.status(204).send();
    });

    app.get('/accounts', async () => ({ accounts: await auth.listAccounts() }));

    app.post(
      '/accounts',
      { schema: { body: NewAccountBody } },
      async (request, reply) => {
        const account = await auth.createAccount(request.body, eventContextOf(request));
        return reply.status(201).send(account);
      },
    );

    app.get('/accounts/:username', { schema: { params: UsernameParams } }, async (request) => viewOf(await auth.account(request.params.username)));

    for (const action of ['disable', 'enable'] as const) {
      app.post(`/accounts/:username/${action}`, { schema: { params: UsernameParams, body: ReasonBody } }, async (request) => {
        const { username } = request.params;
        if (action === 'disable' && request.tallyPrincipal?.username === username) throw new TallyError('INVALID_REQUEST', 'you cannot disable your own account');
        const reason = request.body?.reason;
        return auth.setDisabled(username, action === 'disable', eventContextOf(request, reason));
      });
    }

    app.post('/accounts/:username/email', { schema: { params: UsernameParams, body: EmailBody } }, async (request) => {
      const { username } = request.params;
      return auth.setEmail(username, request.body.email, eventContextOf(request, 'e-mail address set by an administrator'));
    });

    app.post('/accounts/:username/password', { schema: { params: UsernameParams, body: PasswordResetBody } }, async (request, reply) => {
      const { username } = request.params;
      await auth.changePassword(username, request.body.newPassword, eventContextOf(request, 'password reset by an administrator'));
      return reply.status(204).send();
    });

    app.post(
      '/accounts/:username/tokens',
      {
        schema: { params: UsernameParams, body: TokenBody },
      },
      async (request, reply) => {
        const { username } = request.params;
        const body = request.body;
        return reply.status(201).send(await auth.issueApiToken(username, body.name, eventContextOf(request, `API token "${body.name}"`), body.ttlDays));
      },
    );

    app.post(
      '/accounts/:username/tokens/:jti/revoke',
      {
        schema: { params: TokenParams },
      },
      async (request, reply) => {
        const { username, jti } = request.params;
        const account = await auth.account(username);
        // a session jti expires within the session lifetime; an API token's record knows its own expiry
        const expiresAt = account.apiTokens[jti]?.expiresAt ?? new Date(Date.now() + 366 * 86_400_000).toISOString();
        await auth.revoke(username, jti, expiresAt, eventContextOf(request, 'revoked by an administrator'));
        return reply.status(204).send();
      },
    );
  };
}
