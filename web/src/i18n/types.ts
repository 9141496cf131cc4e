/** The console's languages: Traditional Chinese by default, English as a switch. */
export type Locale = 'zh-TW' | 'en';
export const LOCALES: readonly Locale[] = ['zh-TW', 'en'];

/** A text in both languages (area titles, menu labels). */
export type Bilingual = Record<Locale, string>;

/**
 * An area's message table: the same keys in both languages (the English table must have every key
 * of the Chinese one; TypeScript says which is missing). Placeholders: `{name}`.
 */
export type Messages<K extends string = string> = { 'zh-TW': Record<K, string>; en: Record<K, string> };

/** Declares a message table with checked keys: `export const messages = defineMessages({ 'zh-TW': {...}, en: {...} })`. */
export function defineMessages<const M extends Record<string, string>>(m: { 'zh-TW': M; en: Record<keyof M, string> }): Messages<Extract<keyof M, string>> {
  return m as Messages<Extract<keyof M, string>>;
}

/** Fills `{name}` placeholders. */
export function fill(text: string, vars?: Record<string, string | number>): string {
  if (!vars) return text;
  return text.replace(/\{(\w+)\}/g, (m, k: string) => (k in vars ? String(vars[k]) : m));
}
