import nodemailer, { type Transporter } from 'nodemailer';
import type { Text } from './messages';

/**
 * E-mail over SMTP (TALLY_SMTP_URL). Each e-mail carries a Message-ID derived from its delivery id: if the
 * service dies after the server accepted an e-mail but before the outbox recorded it, the e-mail sent again
 * after the restart has the same Message-ID, which mail systems treat as the same message.
 */
export interface Mail {
  to: string;
  deliveryId: string;
  subject: string;
  text: string;
  language: 'vi' | 'en';
}

export interface Mailer {
  send(mail: Mail): Promise<void>;
  close(): void;
}

export const messageIdHeader = (deliveryId: string): string => `<${deliveryId}@tally.notifications>`;

export function smtpMailer(url: string, from: string): Mailer {
  const transport: Transporter = nodemailer.createTransport(url, { from });
  return {
    async send(mail) {
      await transport.sendMail({
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        messageId: messageIdHeader(mail.deliveryId),
        headers: { 'Content-Language': mail.language, 'X-Tally-Delivery-Id': mail.deliveryId },
      });
    },
    close() {
      transport.close();
    },
  };
}

/** One e-mail for a day's messages. */
export function digestText(items: Array<{ text: Text; createdAt: string }>, language: 'vi' | 'en', day: string): { subject: string; text: string } {
  const subject = language === 'en' ? `Tally: ${items.length} notification(s) of ${day}` : `Tally: ${items.length} thông báo ngày ${day}`;
  const text = items.map((i) => `- ${i.text.title}\n  ${i.text.body.replace(/\n/g, '\n  ')}`).join('\n\n');
  return { subject, text };
}
