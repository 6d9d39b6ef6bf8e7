/** Jest in native ESM mode (run with --experimental-vm-modules, see package.json). */
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

export default {
  projects: [
    { ...common, displayName: 'unit', roots: ['<rootDir>/src'], testMatch: ['**/*.spec.ts'] },
    {
      ...common,
      displayName: 'e2e',
      roots: ['<rootDir>/test'],
      testMatch: ['**/*.e2e-spec.ts'],
      // Several instances, or a database to take away, need a server: the embedded database
      // serves one process only. These run in the PostgreSQL pass, and so does the spec that
      // starts a Redis Cluster of its own (redis-server processes are the heavy part of a run).
      testPathIgnorePatterns: process.env.DATABASE_URL
        ? []
        : ['/scale-out\\.e2e-spec\\.ts$', '/redis-cluster\\.e2e-spec\\.ts$', '/outage\\.e2e-spec\\.ts$', '/migrations\\.e2e-spec\\.ts$'],
      globalSetup: '<rootDir>/test/support/global-setup.mjs',
      globalTeardown: '<rootDir>/test/support/global-teardown.mjs',
      slowTestThreshold: 20,
    },
  ],
  testTimeout: 30_000,
};
