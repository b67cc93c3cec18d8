import type { simpleParser } from 'mailparser';
import type { SMTPServer } from 'smtp-server';

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

  async start(port: number): Promise<number> {
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
      server.once('error', reject);
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
