export * from './pool.js';
export * from './migrate.js';
export * from './group-commit.js';
