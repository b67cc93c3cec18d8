/**
 * The media module's public surface: the only file another module imports from
 * (docs/architecture.md, "Boundaries"): its service's type (`Services.media`), the error a
 * photo that may not be published raises, and who may use the library.
 */
export { MediaNotPublishableError, type MediaService } from './media.service.ts';
export { canUseMediaLibrary } from './media.policy.ts';

// The items a pupil is tagged in, originals and renditions (subject access, issue 16 item 5).
export { mediaAboutPupil, type MediaAboutPupil } from './media-subject-access.repository.ts';
