/**
 * The audit module's public surface: the only file another module imports from
 * (docs/architecture.md, "Boundaries"). The audit log's service type (`Services.audit`), who did
 * something (`Actor`, `systemActor`) and the chain an entry belongs to.
 */
export { chainFor, systemActor, type Actor, type AuditService } from './audit.service.ts';

// The audit entries about one person (subject access, issue 16 item 5).
export { auditAboutPerson, type AuditAboutPerson } from './audit-subject-access.repository.ts';
