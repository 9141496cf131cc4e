import { App as AntApp, ConfigProvider } from 'antd';
import enUS from 'antd/locale/en_US';
import zhTW from 'antd/locale/zh_TW';
import dayjs from 'dayjs';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { RouterProvider } from 'react-router';
import { ApiError } from './api/errors';
import { FeedbackBridge } from './components/feedback';
import { LocaleProvider, useLocale } from './i18n/locale';
import { router } from './router';
import { themeConfig } from './theme';

/**
 * Queries: a 4xx is an answer (no retry); network errors and 5xx retry twice. No refetch on
 * window focus: every call slides the session, so background refetches would defeat the idle
 * timeout (areas should not poll either without a reason).
 */
export const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      retry: (count, err) => !(err instanceof ApiError && err.status >= 400 && err.status < 500) && count < 2,
      refetchOnWindowFocus: false,
    },
    mutations: { retry: false },
  },
});

function Localized() {
  const { locale } = useLocale();
  dayjs.locale(locale === 'zh-TW' ? 'zh-tw' : 'en');
  return (
    <ConfigProvider locale={locale === 'zh-TW' ? zhTW : enUS} theme={themeConfig}>
      <AntApp>
        <FeedbackBridge />
        <RouterProvider router={router} />
      </AntApp>
    </ConfigProvider>
  );
}

export function App() {
  return (
    <LocaleProvider>
      <QueryClientProvider client={queryClient}>
        <Localized />
      </QueryClientProvider>
    </LocaleProvider>
  );
}
