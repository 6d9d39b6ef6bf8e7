/** Jest in native ESM mode (run with --experimental-vm-modules, see package.json). */
import { availableParallelism } from 'node:os';

const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2023',
      keepClassNames: true,
    },
    module: { type: 'es6' },
    sourceMaps: 'inline',
  },
];

const common = {
  transform: { '^.+\\.ts$': swc },
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testEnvironment: 'node',
};

/** Specs that need servers the embedded pass does not have; each says why in the printed line. */
const serverOnly = [
  'scale-out.e2e-spec.ts',
  'recovery-scale-out.e2e-spec.ts',
  'redis-cluster.e2e-spec.ts',
  'outage.e2e-spec.ts',
  'migrations.e2e-spec.ts',
  'load-balancer.e2e-spec.ts',
  'user-cache-faults.e2e-spec.ts',
];
const redisOnly = ['redis-sessions.e2e-spec.ts'];
const ignoredSpecs = [...(process.env.DATABASE_URL ? [] : serverOnly), ...(process.env.REDIS_URL ? [] : redisOnly)];
if (ignoredSpecs.length > 0 && !process.env.JEST_WORKER_ID) {
  console.log(
    `Not run here: ${ignoredSpecs.join(', ')}. The embedded database serves one process, so the ` +
      'multi-instance and outage specs need DATABASE_URL (PostgreSQL); sessions live in Redis only with REDIS_URL. ' +
      '.ci/run runs them in its PostgreSQL + Redis pass.',
  );
}

export default {
  projects: [
    {
      ...common,
      displayName: 'unit',
      roots: ['<rootDir>/src', '<rootDir>/scripts', '<rootDir>/bench'],
      testMatch: ['**/*.spec.ts'],
    },
    {
      ...common,
      displayName: 'e2e',
      roots: ['<rootDir>/test'],
      testMatch: ['**/*.e2e-spec.ts'],
      // Several instances, or a database to take away, need a server: the embedded database
      // serves one process only. These run in the PostgreSQL pass, and so do the specs that
      // start servers of their own (a Redis Cluster, nginx and instances of the built service).
      testPathIgnorePatterns: ignoredSpecs.map((spec) => `/${spec.replace(/\./g, '\\.')}$`),
      globalSetup: '<rootDir>/test/support/global-setup.mjs',
      globalTeardown: '<rootDir>/test/support/global-teardown.mjs',
      slowTestThreshold: 20,
    },
  ],
  testTimeout: 30_000,
  // Jest's default is one worker fewer than the CPUs: one on a 2-core machine. The e2e files spend
  // much of their time waiting (child processes, servers of their own, timers), so two workers
  // there took the embedded pass from 447 s to 267 s. Each file has a database of its own.
  maxWorkers: Math.max(2, availableParallelism() - 1),
  // `npm run test:cov`: V8's own coverage, since the sources are compiled by SWC and run as native
  // ES modules (no Babel instrumentation); the report goes to the ignored coverage/ folder.
  coverageProvider: 'v8',
  coverageDirectory: '<rootDir>/coverage',
  coverageReporters: ['text-summary', 'html', 'lcov'],
  collectCoverageFrom: ['src/**/*.ts', '!src/**/*.spec.ts', '!src/**/*.fixture.ts', '!src/metadata.ts'],
  // After the PostgreSQL pass (instances, nginx, a Redis Cluster started and stopped by the specs)
  // the Jest process was seen finishing every test and the global teardown, then spinning in
  // Node's exit-time handle cleanup instead of exiting. The results are final by then: exit.
  forceExit: true,
};
