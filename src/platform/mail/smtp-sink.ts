import type { simpleParser } from 'mailparser';
import type { SMTPServer } from 'smtp-server';
import { isAddressInUse, PortInUseError } from '../ports.ts';
import { SmtpMailer, type MailMessage, type Mailer } from './mailer.ts';

/** mailparser, loaded when the first message arrives (ADR 0010). */
let parser: Promise<typeof simpleParser> | undefined;
const loadParser = () => (parser ??= import('mailparser').then((m) => m.simpleParser));

export interface CapturedMail {
  id: number;
  receivedAt: Date;
  from: string;
  to: string[];
  subject: string;
  text: string;
  /** The files that came with it (name, type and bytes). */
  attachments: { filename: string; contentType: string; content: Buffer }[];
}

/**
 * A real SMTP server on 127.0.0.1 that keeps what it receives in memory. Used in development and
 * tests instead of a mock; the development-only outbox page lists its messages.
 */
export class SmtpSink {
  readonly messages: CapturedMail[] = [];
  private server: SMTPServer | undefined;
  private nextId = 1;
  private waiters: Array<() => void> = [];
  port = 0;

  /** Listens on 127.0.0.1:port (0: any free port); `variable` is the setting named if it is taken. */
  async start(port: number, variable = 'SMTP_SINK_PORT'): Promise<number> {
    // Only development and tests run the sink: production never loads smtp-server (ADR 0010).
    const { SMTPServer } = await import('smtp-server');
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData: (stream, session, callback) => {
        loadParser()
          .then((simpleParser) => simpleParser(stream))
          .then((parsed) => {
            this.messages.push({
              id: this.nextId++,
              receivedAt: new Date(),
              from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              to: session.envelope.rcptTo.map((r) => r.address),
              subject: parsed.subject ?? '',
              text: parsed.text ?? '',
              attachments: parsed.attachments.map((a) => ({
                filename: a.filename ?? '',
                contentType: a.contentType,
                content: a.content,
              })),
            });
            if (this.messages.length > 500) this.messages.shift();
            for (const w of this.waiters.splice(0)) w();
            callback();
          })
          .catch((error: Error) => callback(error));
      },
    });
    const server = this.server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error) =>
        reject(
          isAddressInUse(error)
            ? new PortInUseError(variable, port, 'the development mail sink')
            : error,
        ),
      );
      server.listen(port, '127.0.0.1', () => resolve());
    });
    const address = server.server.address();
    this.port = typeof address === 'object' && address ? address.port : port;
    return this.port;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  /** Resolves with the first message to `to` received after `since` (tests). */
  async waitFor(
    to: string,
    options: { since?: number; timeoutMs?: number } = {},
  ): Promise<CapturedMail> {
    const deadline = Date.now() + (options.timeoutMs ?? 5000);
    for (;;) {
      const found = this.messages.find(
        (m) =>
          m.id > (options.since ?? 0) && m.to.some((t) => t.toLowerCase() === to.toLowerCase()),
      );
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`No email to ${to} arrived`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 100);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  lastId(): number {
    return this.messages.at(-1)?.id ?? 0;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/**
 * Mail from a CLI command run without a Lanyard server and without SMTP_URL: a sink on a free
 * port (never SMTP_SINK_PORT, which a server elsewhere may hold) is started for the first message
 * only, and what it caught is reported (recipient and subject) when the command ends.
 */
export class OnDemandSinkMailer implements Mailer {
  private sink: Promise<{ sink: SmtpSink; mailer: SmtpMailer }> | undefined;
  constructor(
    private readonly from: string,
    private readonly report: (message: string) => void,
  ) {}
  async send(message: MailMessage): Promise<void> {
    this.sink ??= (async () => {
      const sink = new SmtpSink();
      await sink.start(0);
      return { sink, mailer: new SmtpMailer(sink.url, this.from) };
    })();
    const { mailer } = await this.sink;
    await mailer.send(message);
  }
  async close(): Promise<void> {
    if (!this.sink) return;
    const { sink, mailer } = await this.sink;
    for (const m of sink.messages)
      this.report(
        `No mail server (SMTP_URL unset, no Lanyard running): not sent to ${m.to.join(', ')}: ${m.subject}`,
      );
    mailer.close();
    await sink.stop();
  }
}
