import { join } from 'node:path';
import type { HierarchyQuery } from '@tally/contracts';
import type { EventStore } from '@tally/eventstore';
import type { Logger } from '@tally/runtime';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { AuthService } from './auth-service';
import { collectRoutes, installAuthHooks, installInputGuards, uncovered, type RouteRecord } from './hooks';
import { authRoutes } from './routes';
import { loadAuthSettings, type AuthSettings } from './settings';
import { TokenSigner, loadTokenSecret } from './tokens';

/** What the platform wires: the service, its routes, and the hooks on the HTTP app. */
export interface Auth {
  readonly service: AuthService;
  readonly enforced: boolean;
  /** the hierarchy the subtree checks use */
  readonly hierarchy: HierarchyQuery;
  readonly routes: FastifyPluginAsync;
  /** installs input guards, route collection and (when enforced) the auth hooks; call before registering routes */
  install(app: FastifyInstance): void;
  /** every route registered after install() */
  registeredRoutes(): RouteRecord[];
  /** registered routes without an access policy (refused at runtime) */
  uncoveredRoutes(): RouteRecord[];
}

export interface AuthOptions {
  store: EventStore;
  hierarchy: HierarchyQuery;
  logger: Logger;
  dataDir: string;
  /** TallyConfig.auth */
  enforce: boolean;
  nudgeRelay?: () => void;
  settings?: Partial<AuthSettings>;
}

/** Loads accounts and bootstraps `admin` (first start). */
export async function createAuth(options: AuthOptions): Promise<Auth> {
  const settings: AuthSettings = { ...loadAuthSettings(), ...options.settings };
  const signer = new TokenSigner(loadTokenSecret(settings.tokenSecret, join(options.dataDir, 'token-secret')), settings.previousTokenSecrets);
  const service = new AuthService({
    store: options.store,
    hierarchy: options.hierarchy,
    signer,
    settings,
    logger: options.logger,
    ...(options.nudgeRelay ? { nudgeRelay: options.nudgeRelay } : {}),
  });
  await service.start();
  if (!options.enforce) options.logger.warn('TALLY_AUTH=off: every route is open to anyone; never run a deployment like this');
  if (settings.oidc) options.logger.warn({ issuer: settings.oidc.issuer }, 'OIDC is configured but not implemented yet; only Tally tokens are accepted');
  let routes: RouteRecord[] = [];
  return {
    service,
    enforced: options.enforce,
    hierarchy: options.hierarchy,
    routes: authRoutes(service),
    install(app) {
      routes = collectRoutes(app);
      installInputGuards(app);
      if (options.enforce) installAuthHooks(app, service, options.hierarchy);
      app.addHook('onReady', async () => {
        const missing = uncovered(routes);
        if (missing.length > 0) options.logger.error({ routes: missing.map((r) => `${r.method} ${r.url}`) }, 'routes without an access policy: they refuse every call');
      });
    },
    registeredRoutes: () => [...routes],
    uncoveredRoutes: () => uncovered(routes),
  };
}
