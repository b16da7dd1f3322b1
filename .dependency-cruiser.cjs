// Dependency rules of /work/shared/ARCHITECTURE.md ("What may import what"), checked in CI by
// `pnpm deps`. Paths are real paths relative to the repository root: workspace packages are
// resolved through their node_modules symlinks and `exports`, so `@guichet/db` lands on
// packages/db/src/index.ts and every rule below can be written in terms of folders.
//
// Addition to the plan: `packages/jobs` (the PostgreSQL-backed queue) sits beside db — it
// imports core and db only, and anything above db may use it.
const path = require('node:path');

// Test code: may use testkit and vitest. Everything else is production code.
const TEST_CODE = [
  // .tsx: the portal's component tests.
  '\\.(test|spec|bench)(-d)?\\.[cm]?[jt]sx?$',
  '(^|/)(test|bench)/',
  '(^|/)global-setup\\.[cm]?[jt]s$',
  '(^|/)vitest\\.config\\.[cm]?[jt]s$',
];

// The layers, lowest first, and what each may import besides itself. Planned packages that
// don't exist yet are listed too, so their rules hold from their first file.
const core = 'packages/core';
const net = 'packages/net';
const dns = 'packages/dns';
const db = 'packages/db';
const jobs = 'packages/jobs';
const graphql = 'packages/graphql';
const audit = 'packages/audit';
const membership = 'packages/membership';
const workflow = 'packages/workflow';
const BELOW_SERVICES = [core, net, dns, db, jobs, graphql, audit, membership, workflow];
const PACKAGE_LAYERS = {
  core: [],
  net: [core], // pure network primitives
  // DNS machinery two lines share (client, checker, zone rendering, Knot publication).
  dns: [core, net],
  db: [core],
  jobs: [core, db],
  graphql: [core, net, db, jobs],
  audit: [core, net, db, jobs, graphql],
  membership: [core, net, db, jobs, graphql, audit],
  workflow: [core, net, db, jobs, graphql, audit, membership],
  // testkit builds fixtures from any shared package, never from a service line.
  testkit: [core, net, dns, db, jobs, graphql, audit, membership, workflow],
  // the CLI speaks GraphQL over HTTP: it must not reach into the database or the services.
  cli: [core, net],
};
const KNOWN_PACKAGES = Object.keys(PACKAGE_LAYERS);

const dir = (p) => `^${p}/`;
// testkit edges are judged by `testkit-only-in-tests`, not by the layer rules.
const TESTKIT = '^packages/testkit/';

const layerRules = Object.entries(PACKAGE_LAYERS).map(([name, allowed]) => ({
  name: `layer-${name}`,
  comment: `packages/${name} may import only ${allowed.length ? allowed.join(', ') : 'itself'} (ARCHITECTURE.md layers).`,
  severity: 'error',
  from: { path: dir(`packages/${name}`) },
  to: { path: '^(packages|services)/', pathNot: [dir(`packages/${name}`), TESTKIT, ...allowed.map(dir)] },
}));

// NB: in `$1` placeholders dependency-cruiser numbers only the groups that matched, so a group
// that may stay empty (alternatives in a lookahead) is written non-capturing: (?:…).
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment:
        'No import cycles between files (package-level cycles are already impossible under the layers).',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    ...layerRules,
    {
      name: 'layer-unplanned-package',
      comment:
        'A package folder that is not in the plan may not import other packages: place it in ARCHITECTURE.md and in PACKAGE_LAYERS first.',
      severity: 'error',
      from: { path: `^packages/(?!(?:${KNOWN_PACKAGES.join('|')})/)([^/]+)/` },
      to: { path: '^(packages|services)/', pathNot: ['^packages/$1/', TESTKIT] },
    },
    {
      name: 'layer-service-line',
      comment:
        'A service line (services/<line>) builds on the shared packages up to workflow, nothing above.',
      severity: 'error',
      from: { path: '^services/(?!(?:api|worker|compose)/)[^/]+/' },
      to: { path: '^packages/', pathNot: [TESTKIT, ...BELOW_SERVICES.map(dir)] },
    },
    {
      name: 'service-lines-isolated',
      comment:
        'Service lines do not import each other (nor api/worker); cross-line needs go through membership/workflow or are composed in services/api.',
      severity: 'error',
      from: { path: '^services/(?!(?:api|worker|compose|rdns|routing)/)([^/]+)/' },
      to: { path: '^services/', pathNot: '^services/$1/' },
    },
    {
      name: 'service-lines-isolated-ipam-readers',
      comment: 'rdns and routing may read ipam (through its index) and no other service.',
      severity: 'error',
      from: { path: '^services/(rdns|routing)/' },
      to: { path: '^services/', pathNot: ['^services/$1/', '^services/ipam/'] },
    },
    {
      name: 'web-speaks-graphql-only',
      comment:
        'services/web (the portal) talks to the api over HTTP only: it imports no workspace package (the api imports its index for the dist path).',
      severity: 'error',
      from: { path: '^services/web/' },
      to: { path: '^(packages|services)/', pathNot: '^services/web/' },
    },
    {
      name: 'hosts-do-not-import-each-other',
      comment:
        'services/api and services/worker are both top of the stack: shared code belongs in a package below (services/compose holds the composition both use).',
      severity: 'error',
      from: { path: '^services/(api|worker|compose)/' },
      to: { path: '^services/(api|worker)/', pathNot: '^services/$1/' },
    },
    {
      name: 'testkit-only-in-tests',
      comment:
        'testkit (fresh databases, fixtures, peer launchers) is for *.test.ts, test/, bench and vitest setup only.',
      severity: 'error',
      from: { pathNot: [...TEST_CODE, TESTKIT] },
      to: { path: TESTKIT },
    },
    {
      name: 'no-vitest-in-production',
      comment: 'Production code never imports vitest (testkit is test-only and may).',
      severity: 'error',
      from: { pathNot: [...TEST_CODE, TESTKIT] },
      to: { path: ['(^|/)node_modules/(vitest|@vitest/[^/]+)/', '^(vitest|@vitest/[^/]+)(/|$)'] },
    },
    {
      name: 'no-deep-import',
      comment:
        'Another package is reached only through its entry (src/index.ts via `exports`), never its internals.',
      severity: 'error',
      from: { path: '^((?:packages|services)/[^/]+|test)/' },
      to: {
        path: '^(packages|services)/[^/]+/',
        pathNot: ['^$1/', '^(packages|services)/[^/]+/src/index\\.ts$'],
      },
    },
    {
      name: 'no-deep-import-by-path',
      comment: 'Import another package by its name (@guichet/x), never by a relative path into its folder.',
      severity: 'error',
      from: { path: '^((?:packages|services)/[^/]+|test)/' },
      to: { path: '^(packages|services)/', pathNot: '^$1/', dependencyTypes: ['local'] },
    },
    {
      name: 'no-deep-import-by-name',
      comment: '`@guichet/x/src/...` and other subpaths are not exported: import `@guichet/x`.',
      severity: 'error',
      from: {},
      to: { path: '^@guichet/[^/]+/.' },
    },
    {
      name: 'not-to-unresolvable',
      comment:
        'Every import must resolve: a workspace package missing from package.json dependencies shows up here.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    // node_modules is not cruised, but edges into it stay visible (no-vitest-in-production needs
    // them); `exclude` would drop those edges altogether.
    doNotFollow: { path: '(^|/)node_modules/' },
    exclude: { path: ['(^|/)migrations/', '\\.d\\.ts$'] },
    // Type-only imports are architecture too (a graphql.ts naming a service's types).
    tsPreCompilationDeps: true,
    // Follow pnpm's symlinks to the real folder, so rules see packages/<name>/src/….
    preserveSymlinks: false,
    tsConfig: { fileName: path.join(__dirname, 'tsconfig.json') },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'node', 'default'],
      extensions: ['.ts', '.tsx', '.mts', '.js', '.mjs', '.cjs', '.json', '.d.ts'],
      mainFields: ['module', 'main', 'types'],
    },
    skipAnalysisNotInRules: true,
    reporterOptions: { text: { highlightFocused: true } },
  },
};
