// Two projects: "unit" (pure logic, generator goldens, C layout, CLI on image
// files) and "vm" (scenario suites in a qemu guest against the real module).
const base = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: { warnOnly: false } }] },
  // stops the run with one message when the CLI, addon or module is not built
  globalSetup: '<rootDir>/test/global-setup.js',
};
module.exports = {
  projects: [
    { ...base, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    { ...base, displayName: 'vm', testMatch: ['<rootDir>/test/vm/**/*.test.ts'] },
  ],
};
