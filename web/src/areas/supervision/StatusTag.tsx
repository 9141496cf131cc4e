import type { ReactNode } from 'react';
import { Tag } from 'antd';

/**
 * A status tag with explicit light background and dark text (AA contrast at 12 px whatever the
 * theme's preset status colours are).
 */
const TONES = {
  ok: { background: '#f6ffed', borderColor: '#95de64', color: '#135200' },
  info: { background: '#e6f4ff', borderColor: '#91caff', color: '#003eb3' },
  warn: { background: '#fffbe6', borderColor: '#ffd666', color: '#613400' },
  danger: { background: '#fff1f0', borderColor: '#ffa39e', color: '#820014' },
  neutral: { background: '#fafafa', borderColor: '#d9d9d9', color: '#262626' },
} as const;
export type Tone = keyof typeof TONES;

export function StatusTag({ tone, children }: { tone: Tone; children: ReactNode }) {
  return <Tag style={TONES[tone]}>{children}</Tag>;
}
