import { SolutionOutlined } from '@ant-design/icons';
import type { AreaDef } from '../types';
import { lazyPage } from '../lazy';

/** Complaint cases (R-CASE-*): the desk, one case, and the monthly statistics (each page its own chunk). */
export const area: AreaDef = {
  key: 'cases',
  title: { 'zh-TW': '投訴個案', en: 'Complaint cases' },
  icon: <SolutionOutlined />,
  menu: [
    { path: '/cases', label: { 'zh-TW': '客訴案件', en: 'Cases' }, permission: 'case:read' },
    { path: '/cases/statistics', label: { 'zh-TW': '客訴統計', en: 'Case statistics' }, permission: 'case_stats:read' },
  ],
  routes: [
    { path: '/cases', element: lazyPage(() => import('./CasesPage'), 'case:read') },
    { path: '/cases/statistics', element: lazyPage(() => import('./CaseStatisticsPage'), 'case_stats:read') },
    { path: '/cases/:id', element: lazyPage(() => import('./CaseDetailPage'), 'case:read') },
  ],
};
