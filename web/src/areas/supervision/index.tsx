import { SafetyCertificateOutlined } from '@ant-design/icons';
import type { AreaDef } from '../types';
import { lazyPage } from '../lazy';

/** Supervision (R-RISK-MONTHLY, R-INSPECT, R-PORTS, R-REWARD, R-PENALTY): menu items and lazy routes (each page its own chunk). */
export const area: AreaDef = {
  key: 'supervision',
  title: { 'zh-TW': '監督檢查', en: 'Supervision' },
  icon: <SafetyCertificateOutlined />,
  menu: [
    { path: '/supervision/assessments', label: { 'zh-TW': '月度風險評估', en: 'Risk assessments' }, permission: 'risk_assessment:read' },
    { path: '/supervision/inspections', label: { 'zh-TW': '雙月檢查', en: 'Inspections' }, permission: 'inspection:read' },
    // Every signed-in user: anyone may be named the owner of a rectification (R-RISK-MONTHLY, R-INSPECT).
    { path: '/supervision/my-rectifications', label: { 'zh-TW': '我的整改', en: 'My rectifications' } },
    { path: '/supervision/notices', label: { 'zh-TW': '通報批評', en: 'Notices' } },
    { path: '/supervision/ports', label: { 'zh-TW': '端口登記', en: 'Port register' }, permission: 'port_register:read' },
    { path: '/supervision/incidents', label: { 'zh-TW': '洩密事件', en: 'Incidents' } },
    { path: '/supervision/sanctions', label: { 'zh-TW': '獎勵與處罰', en: 'Rewards and penalties' }, permission: 'sanction:read' },
  ],
  routes: [
    { path: '/supervision/assessments', element: lazyPage(() => import('./AssessmentsPage'), 'risk_assessment:read') },
    { path: '/supervision/assessments/:id', element: lazyPage(() => import('./AssessmentPage'), 'risk_assessment:read') },
    { path: '/supervision/inspections', element: lazyPage(() => import('./InspectionsPage'), 'inspection:read') },
    { path: '/supervision/inspections/:id', element: lazyPage(() => import('./InspectionPage'), 'inspection:read') },
    { path: '/supervision/notices', element: lazyPage(() => import('./NoticesPage')) },
    // The owner's own list (self access on the server), so no permission here.
    { path: '/supervision/my-rectifications', element: lazyPage(() => import('./MyRectificationsPage')) },
    { path: '/supervision/ports', element: lazyPage(() => import('./PortsPage'), 'port_register:read') },
    // Reporting is open to every signed-in user (R-REWARD); the list needs incident:read.
    { path: '/supervision/incidents', element: lazyPage(() => import('./IncidentsPage')) },
    { path: '/supervision/sanctions', element: lazyPage(() => import('./SanctionsPage'), 'sanction:read') },
  ],
};
