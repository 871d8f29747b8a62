/**
 * When the raw-mail bucket's lifecycle rule (infra/aws: expire-raw-mail,
 * `retention.rawMail.days`) expires an object: S3 adds the days to the
 * object's creation time and rounds up to the next midnight UTC
 * (S3 User Guide, "Lifecycle configuration elements: Days"). The local hub
 * applies the same rule to HUB_DATA_DIR/mail, and the subject access report
 * states it for each raw copy.
 */
export const DEFAULT_RAW_MAIL_DAYS = 30;

const DAY_MS = 86_400_000;

export function rawMailExpiresAt(createdAt: Date, days: number): Date {
  return new Date(Math.floor((createdAt.getTime() + days * DAY_MS) / DAY_MS) * DAY_MS + DAY_MS);
}
