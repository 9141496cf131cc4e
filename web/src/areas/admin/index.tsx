import { SettingOutlined } from '@ant-design/icons';
import type { AreaDef } from '../types';
import { lazyPage } from '../lazy';

/**
 * Administration: the IT admin's work (R-IT-PERMS, R-ONBOARD, R-OFFBOARD, R-SCOPE): accounts and
 * their roles, the organisation, the policy, the scheduled jobs, customer imports and the record of exports (R-CTRL-IT), external releases (R-EXTERNAL), and the
 * notification group robots and undelivered messages (issue 13). Each page its own chunk.
 */
export const area: AreaDef = {
  key: 'admin',
  title: { 'zh-TW': '系統管理', en: 'Administration' },
  icon: <SettingOutlined />,
  menu: [
    { path: '/admin/users', label: { 'zh-TW': '使用者帳號', en: 'Users' }, permission: 'user:read' },
    { path: '/admin/org', label: { 'zh-TW': '組織', en: 'Organisation' }, permission: 'org:manage' },
    { path: '/admin/policy', label: { 'zh-TW': '存取政策', en: 'Access policy' }, permission: 'policy:read' },
    { path: '/admin/jobs', label: { 'zh-TW': '排程工作', en: 'Scheduled jobs' }, permission: 'job:read' },
    { path: '/admin/imports', label: { 'zh-TW': '匯入客戶資料', en: 'Import customers' }, permission: 'customer:import' },
    { path: '/admin/exports', label: { 'zh-TW': '匯出紀錄', en: 'Exports' }, permission: 'customer:export' },
    { path: '/admin/releases', label: { 'zh-TW': '對外提供', en: 'External releases' }, permission: 'external_release:read' },
    { path: '/admin/robots', label: { 'zh-TW': '群組機器人', en: 'Group robots' }, permission: 'notification_robot:read' },
    { path: '/admin/deliveries', label: { 'zh-TW': '未送達通知', en: 'Undelivered notifications' }, permission: 'notification_delivery:read' },
  ],
  routes: [
    { path: '/admin/users', element: lazyPage(() => import('./UsersPage'), 'user:read') },
    { path: '/admin/users/:id', element: lazyPage(() => import('./UserPage'), 'user:read') },
    { path: '/admin/org', element: lazyPage(() => import('./OrgPage'), 'org:read') },
    { path: '/admin/policy', element: lazyPage(() => import('./PolicyPage'), 'policy:read') },
    { path: '/admin/jobs', element: lazyPage(() => import('./JobsPage'), 'job:read') },
    { path: '/admin/imports', element: lazyPage(() => import('./ImportsPage'), 'customer:import') },
    { path: '/admin/exports', element: lazyPage(() => import('./ExportsPage'), 'customer:export') },
    { path: '/admin/releases', element: lazyPage(() => import('./ReleasesPage'), 'external_release:read') },
    { path: '/admin/robots', element: lazyPage(() => import('./RobotsPage'), 'notification_robot:read') },
    { path: '/admin/deliveries', element: lazyPage(() => import('./DeliveriesPage'), 'notification_delivery:read') },
  ],
};
