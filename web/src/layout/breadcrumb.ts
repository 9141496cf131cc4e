import type { ReactNode } from 'react';
import { useLocale } from '../i18n/locale';
import { useCurrentMenuItem } from './menu';

/** Area › menu item of the current path (PageContainer's default breadcrumb); empty on the home page. */
export function useBreadcrumb(): { title: ReactNode; path?: string }[] {
  const { pick } = useLocale();
  const current = useCurrentMenuItem();
  if (!current || current.item.path === '/') return [];
  const crumbs: { title: ReactNode; path?: string }[] = [{ title: pick(current.area.title) }];
  if (current.area.menu.length > 1 || pick(current.item.label) !== pick(current.area.title)) {
    crumbs.push({ title: pick(current.item.label), path: current.item.path });
  }
  return crumbs;
}
