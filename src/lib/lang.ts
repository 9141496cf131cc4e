/** The languages people read the service in: a user's profile, a group robot's messages (Traditional Chinese by default). */
export const LANGS = ['zh-Hant', 'en'] as const;
export type Lang = (typeof LANGS)[number];

/** A stored language (user_account.language, notification_robot.language) as a Lang: zh-Hant unless it is one we write in. */
export const langOf = (v: string | null | undefined): Lang => ((LANGS as readonly string[]).includes(v ?? '') ? (v as Lang) : 'zh-Hant');
