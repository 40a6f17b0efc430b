/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // Every core: the walks are CPU-bound and the CLI tests wait on child processes (jest's default leaves one core idle).
  maxWorkers: '100%',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: false }] },
  // Tests spawn the compiled bin/gmem.js: recompile dist/ first when the sources changed since the last build.
  globalSetup: '<rootDir>/test/support/build-if-stale.js',
  // GMEM_SEED for every fast-check property, and the seed printed when one fails.
  setupFilesAfterEnv: ['<rootDir>/test/support/fast-check-seed.ts'],
  reporters: [
    'default',
    '<rootDir>/test/support/summary-reporter.js',
    // CI reads test-output/junit.xml (one testsuite per test file).
    ...(process.env.CI ? [['jest-junit', { outputDirectory: 'test-output', outputName: 'junit.xml', classNameTemplate: '{classname}', titleTemplate: '{title}', addFileAttribute: 'true' }]] : []),
  ],
};
