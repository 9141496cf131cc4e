import { Select } from 'antd';
import { useLocale } from '../i18n/locale';
import { core } from '../i18n/core';
import { useMessages } from '../i18n/messages';
import type { Locale } from '../i18n/types';

/** 中文 / English. Labelled for screen readers; usable on the sign-in page too. */
export function LanguageSwitch() {
  const { locale, setLocale } = useLocale();
  const t = useMessages(core);
  return (
    <Select<Locale>
      aria-label={t('language')}
      value={locale}
      onChange={setLocale}
      style={{ width: 110 }}
      options={[
        { value: 'zh-TW', label: '繁體中文' },
        { value: 'en', label: 'English' },
      ]}
    />
  );
}
