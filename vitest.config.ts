import { defineConfig } from 'vitest/config';

// End-to-end tests start real processes; give them room, and never run two heavy files on the same port.
export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ['default'],
  },
});
