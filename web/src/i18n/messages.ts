import { useCallback } from 'react';
import { getLocale, useLocale } from './locale';
import { fill, type Messages } from './types';

export type T<K extends string> = (key: K, vars?: Record<string, string | number>) => string;

/** `const t = useMessages(messages); t('title'); t('count', { n: 3 })` — re-renders on a language switch. */
export function useMessages<K extends string>(messages: Messages<K>): T<K> {
  const { locale } = useLocale();
  return useCallback<T<K>>((key, vars) => fill(messages[locale][key] ?? key, vars), [messages, locale]);
}

/** The same outside components (current language at call time). */
export function translate<K extends string>(messages: Messages<K>, key: K, vars?: Record<string, string | number>): string {
  return fill(messages[getLocale()][key] ?? key, vars);
}
