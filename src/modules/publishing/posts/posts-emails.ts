/**
 * The emails about a post: to the approvers when it waits, else to its author.
 */
import { formatDateTimeInWords } from '../../../web/dates.ts';
import type { PostEmailKind, PostsParts, PostsDeps } from './posts-deps.ts';

export class PostsEmails {
  constructor(
    private readonly deps: PostsDeps,
    private readonly parts: PostsParts,
  ) {}

  private get db() {
    return this.deps.database.db;
  }

  // ---------------------------------------------------------------------------------------
  // Emails

  /** Sends the email about a post: to the approvers when it waits, else to its author. */
  async sendEmail(schoolId: string, postId: string, kind: PostEmailKind): Promise<void> {
    const { repository, people, mailer, baseUrl } = this.deps;
    const post = await repository.getById(this.db, schoolId, postId);
    if (!post) return;
    const link = `${baseUrl}/posts/${postId}`;
    if (kind === 'waiting') {
      if (post.status !== 'pending') return;
      const { roles } = await this.parts.service.settings(schoolId);
      const byRole = await people.staffWithRole(this.db, schoolId, roles.approverRole.value);
      // And the holders of the profile's approver responsibilities (roles.approverResponsibilities).
      const holders = new Set(
        (await this.deps.responsibilityHolders?.(schoolId, roles.approverResponsibilities.value)) ??
          [],
      );
      const byResponsibility =
        holders.size > 0
          ? (await people.staffRoster(this.db, schoolId)).filter(
              (s) => holders.has(s.id) && !byRole.some((r) => r.id === s.id),
            )
          : [];
      const approvers = [...byRole, ...byResponsibility].filter((s) => s.id !== post.authorId);
      for (const a of approvers) {
        await mailer.send({
          to: a.email,
          subject: `A post is waiting for your approval: ${post.title}`,
          text: [
            `A post is waiting for your approval: “${post.title}”.`,
            post.expiresAt
              ? `If it is not decided by ${formatDateTimeInWords(post.expiresAt)} it expires.`
              : '',
            `Read it, see its checks and decide: ${link}`,
          ]
            .filter(Boolean)
            .join('\n\n'),
        });
      }
      return;
    }
    const author = await people.getStaffById(this.db, post.authorId);
    if (!author) return;
    const sentences: Record<Exclude<PostEmailKind, 'waiting'>, [string, string]> = {
      approved: [
        `Your post was approved: ${post.title}`,
        post.scheduledAt && post.scheduledAt > this.deps.clock.now()
          ? `Your post “${post.title}” was approved. It goes out on ${formatDateTimeInWords(post.scheduledAt)}.`
          : `Your post “${post.title}” was approved and is going out now.`,
      ],
      returned: [
        `Your post was returned with comments: ${post.title}`,
        `Your post “${post.title}” was returned with comments:\n\n${post.decisionComment ?? ''}\n\nChange it and send it again.`,
      ],
      expired: [
        `Your post expired before it was approved: ${post.title}`,
        `Your post “${post.title}” was not approved in time and has expired. You can change it and send it again.`,
      ],
      refused: [
        `Your post could not go out: ${post.title}`,
        `Your post “${post.title}” could not go out: ${post.decisionComment ?? 'a check no longer passes.'}`,
      ],
      failed: [
        `Your post could not be delivered: ${post.title}`,
        `Your post “${post.title}” could not be delivered to one of its channels. The post’s page says why.`,
      ],
    };
    const [subject, text] = sentences[kind];
    await mailer.send({ to: author.email, subject, text: `${text}\n\n${link}` });
  }
}
