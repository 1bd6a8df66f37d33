/**
 * The layers, enforced inside `pnpm test` (`pnpm check:deps`). See docs/architecture.md, "Package boundaries".
 * Sources only: tests may reach across (an e2e test drives every service).
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'core-is-pure',
      comment: 'packages/core is the domain: no I/O, no framework, no other workspace package (node:crypto for hashes only)',
      severity: 'error',
      from: { path: '^packages/core/src/' },
      to: { pathNot: ['^packages/core/src/', '^node:crypto$', '^crypto$'] },
    },
    {
      name: 'services-do-not-import-each-other',
      comment:
        'a service talks to another through ports, query interfaces and events; only the composition roots wire them together: all-in-one, and a process entry point (main.ts) that hosts a second service (the sync link runs in the ingestion process; its upstream guard in the processes that own what upstream owns)',
      severity: 'error',
      from: { path: '^services/([^/]+)/src/', pathNot: ['^services/all-in-one/', '^services/[^/]+/src/main\\.ts$'] },
      to: { path: '^services/([^/]+)/', pathNot: '^services/$1/' },
    },
    {
      name: 'packages-do-not-import-services',
      severity: 'error',
      from: { path: '^packages/[^/]+/src/', pathNot: '^packages/testkit/src/(bench|chaos)/' },
      to: { path: '^services/' },
    },
    {
      name: 'sqlite-adapters-only-their-port',
      comment: 'an adapter implements its own port: the SQLite adapters import neither MongoDB/Kafka code nor another port\'s adapters',
      severity: 'error',
      from: { path: '^packages/([^/]+)/src/sqlite/' },
      to: { path: ['^packages/[^/]+/src/(mongodb|kafka)/', '^packages/(?!sqlite/|contracts/|core/)[^/]+/src/sqlite/', 'node_modules/(mongodb|kafkajs)/'], pathNot: '^packages/$1/' },
    },
    {
      name: 'mongo-adapters-only-their-port',
      severity: 'error',
      from: { path: '^packages/([^/]+)/src/mongodb/' },
      to: { path: ['^packages/[^/]+/src/(sqlite|kafka)/', '^packages/(?!mongo/|contracts/|core/)[^/]+/src/mongodb/', 'node_modules/(better-sqlite3|kafkajs)/'], pathNot: '^packages/$1/' },
    },
    {
      name: 'stores-are-independent',
      comment: 'the event store, the read store and the bus are separate ports (the relay alone bridges store and bus)',
      severity: 'error',
      from: { path: '^packages/(eventstore|readstore|eventbus)/src/', pathNot: '^packages/eventstore/src/relay' },
      to: { path: '^packages/(eventstore|readstore|eventbus)/src/', pathNot: '^packages/$1/' },
    },
    {
      name: 'declared-third-party-dependencies',
      comment: 'every npm package a source file imports is in its own package.json (not only in the root one)',
      severity: 'error',
      from: { path: '^(packages|services)/[^/]+/src/' },
      to: { dependencyTypes: ['npm-no-pkg', 'npm-unknown'] },
    },
    {
      name: 'resolvable',
      comment: 'an import that does not resolve from its package (pnpm links only what the package.json declares)',
      severity: 'error',
      from: { path: '^(packages|services)/[^/]+/src/' },
      to: { couldNotResolve: true },
    },
    {
      name: 'no-dev-dependencies-in-sources',
      severity: 'error',
      from: { path: '^(packages|services)/[^/]+/src/', pathNot: '^packages/testkit/' },
      to: { dependencyTypes: ['npm-dev'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['/generated/', '\\.d\\.ts$'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    combinedDependencies: false,
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'], mainFields: ['module', 'main', 'types'] },
  },
};
