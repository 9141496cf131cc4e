import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import type { paths } from '../../api/schema';
import { useLocale } from '../../i18n/locale';
import { useSession } from '../../session/SessionProvider';

export type Robot = paths['/api/v1/notification-robots']['get']['responses'][200]['content']['application/json']['items'][number];

/** Every cached answer about the robots (the deliveries page names robot targets from it). */
export const ROBOTS_KEY = ['admin', 'notification-robots'] as const;

/**
 * The kinds of message with their titles in the current language (the catalogue, as the caller's
 * own notification preferences list it; the same cache as the settings page).
 */
export function useKindOptions() {
  const { locale } = useLocale();
  const q = useQuery({ queryKey: ['notifications', 'preferences'], queryFn: () => unwrap(api.GET('/api/v1/me/notification-preferences')) });
  const options = (q.data?.kinds ?? []).map((k) => ({ value: k.kind, label: locale === 'zh-TW' ? k.title['zh-Hant'] : k.title.en }));
  return { loading: q.isLoading, options, title: new Map(options.map((o) => [o.value, o.label])) };
}

/** The robots (when the caller may read them; else none). */
export function useRobots() {
  const { can } = useSession();
  return useQuery({ queryKey: ROBOTS_KEY, enabled: can('notification_robot:read'), queryFn: () => unwrap(api.GET('/api/v1/notification-robots')) });
}
