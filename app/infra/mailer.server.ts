import nodemailer from "nodemailer";

/** SMTP from SMTP_URL (e.g. smtp://user:pass@host:587); null when unset (development: the outbox keeps messages). */
export function smtpTransport() {
  const url = process.env.SMTP_URL;
  if (!url) return null;
  return nodemailer.createTransport(url);
}

export function mailFrom(): string {
  return process.env.MAIL_FROM || "不良贷款清收交易平台 <no-reply@npl.local>";
}
