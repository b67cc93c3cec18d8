import type { Transporter } from 'nodemailer';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html?: string;
  /** Files sent with the message (an incident letter's PDF). */
  attachments?: MailAttachment[];
}

export interface MailAttachment {
  filename: string;
  content: Buffer;
  contentType: string;
}

export interface Mailer {
  send(message: MailMessage): Promise<void>;
  close(): void | Promise<void>;
}

/**
 * Sends through any SMTP server (SMTP_URL), or the local sink in development and tests.
 * nodemailer is loaded and the transport made on the first message (ADR 0010): many processes
 * never send one.
 */
export class SmtpMailer implements Mailer {
  private transport: Promise<Transporter> | undefined;
  constructor(
    private readonly smtpUrl: string,
    private readonly from: string,
  ) {
    // Fail at start, as creating the transport here used to, rather than on the first email.
    if (!/^smtps?:\/\/[^/]/i.test(smtpUrl)) {
      throw new Error('SMTP_URL must be an smtp:// or smtps:// address');
    }
  }
  async send(message: MailMessage): Promise<void> {
    this.transport ??= import('nodemailer').then((m) => m.default.createTransport(this.smtpUrl));
    await (await this.transport).sendMail({ from: this.from, ...message });
  }
  close(): void {
    void this.transport?.then((t) => t.close()).catch(() => undefined);
  }
}
