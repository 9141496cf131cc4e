import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import { LOCALES, type Bilingual, type Locale } from './types';

// The language choice is not customer data: it may live in localStorage (team rule: nothing else does).
const STORAGE_KEY = 'custodian.locale';

function initialLocale(): Locale {
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    if (saved && (LOCALES as readonly string[]).includes(saved)) return saved as Locale;
  } catch {
    // Storage disabled: the default.
  }
  return 'zh-TW';
}

// Code outside React (the API client's messages, applyApiErrors) reads the current language here.
let current: Locale = initialLocale();
/** The current language, for code outside components. Components use useLocale(). */
export const getLocale = (): Locale => current;

interface LocaleState {
  locale: Locale;
  setLocale: (l: Locale) => void;
  /** The text of a Bilingual in the current language. */
  pick: (b: Bilingual) => string;
}

const LocaleContext = createContext<LocaleState | null>(null);

export function LocaleProvider({ children }: { children: ReactNode }) {
  const [locale, set] = useState<Locale>(current);
  const setLocale = useCallback((l: Locale) => {
    current = l;
    try {
      localStorage.setItem(STORAGE_KEY, l);
    } catch {
      // Not persisted; still switched for this page.
    }
    document.documentElement.lang = l === 'zh-TW' ? 'zh-Hant' : 'en';
    set(l);
  }, []);
  const value = useMemo<LocaleState>(() => ({ locale, setLocale, pick: (b) => b[locale] }), [locale, setLocale]);
  return <LocaleContext.Provider value={value}>{children}</LocaleContext.Provider>;
}

/** `const { locale, setLocale, pick } = useLocale();` */
export function useLocale(): LocaleState {
  const v = useContext(LocaleContext);
  if (!v) throw new Error('useLocale() outside <LocaleProvider>');
  return v;
}
