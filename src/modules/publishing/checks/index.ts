/** Pre-publication checks: the one entry point the publishing flow calls. */
export { mayPublish, runChecks, storedCitation, summariseChecks } from './run-checks.ts';
export type { ChecksSummary } from './run-checks.ts';
export { clearNameIndexCache, nameIndexFor } from './name-index.ts';
export { loadCheckLibraries } from './libraries.ts';
export { schoolContactsFrom } from './school-contacts.ts';
export * from './types.ts';
