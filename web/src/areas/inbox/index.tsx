import { BellOutlined } from '@ant-design/icons';
import type { AreaDef } from '../types';
import { lazyPage } from '../lazy';
import { NotificationBell } from './Bell';

/**
 * Notifications (issue 13): the header's bell with the unread count, the inbox, and the user's own
 * settings (e-mail address, language, per kind in-app / e-mail / daily digest). Everyone signed in
 * has them. The bell is in the first load (header); the pages are their own chunks.
 */
export const area: AreaDef = {
  key: 'inbox',
  title: { 'zh-TW': '通知', en: 'Notifications' },
  icon: <BellOutlined />,
  menu: [{ path: '/inbox', label: { 'zh-TW': '通知', en: 'Notifications' } }],
  routes: [
    { path: '/inbox', element: lazyPage(() => import('./InboxPage')) },
    { path: '/settings/notifications', element: lazyPage(() => import('./SettingsPage')) },
  ],
  header: [NotificationBell],
};
