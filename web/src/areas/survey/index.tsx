import { FormOutlined } from '@ant-design/icons';
import type { AreaDef } from '../types';
import { lazyPage } from '../lazy';

/** Survey and census notes (R-SURVEY-REDACT): menu items and lazy routes. */
export const area: AreaDef = {
  key: 'survey',
  title: { 'zh-TW': '走訪紀錄', en: 'Survey notes' },
  icon: <FormOutlined />,
  menu: [{ path: '/survey', label: { 'zh-TW': '走訪紀錄', en: 'Survey notes' }, permission: 'survey_note:read' }],
  routes: [{ path: '/survey', element: lazyPage(() => import('./SurveyPage'), 'survey_note:read') }],
};
