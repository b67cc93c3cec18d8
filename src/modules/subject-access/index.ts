/**
 * The subject access module's public surface (docs/architecture.md, "Boundaries"): its service's
 * type (`Services.subjectAccess`) and who may handle requests.
 */
export type { SubjectAccessService } from './subject-access.service.ts';
export { canHandleSubjectAccess, canViewSubjectAccess } from './subject-access.policy.ts';
