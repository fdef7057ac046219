/** Jest runs the TypeScript sources directly (ESM) through @swc/jest; tsc type-checks separately. */
export default {
  testEnvironment: 'node',
  // Writes engine/component-table.ts from the registerComponent() calls (a new component file needs no build).
  globalSetup: '<rootDir>/scripts/gen-component-table.mjs',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'es6' } }],
  },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  testTimeout: 30000,
};
