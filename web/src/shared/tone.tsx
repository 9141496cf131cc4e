import type { ReactNode } from 'react';
import { Tag } from 'antd';

/**
 * Tag colours with AA contrast: dark text on a light tint (antd's preset tag colours, e.g. gold,
 * fall below 4.5:1 at 12 px). [text, background, border].
 */
const TONES = {
  green: ['#135200', '#f6ffed', '#b7eb8f'],
  red: ['#a8071a', '#fff1f0', '#ffa39e'],
  gold: ['#613400', '#fffbe6', '#ffe58f'],
  orange: ['#873800', '#fff7e6', '#ffd591'],
  blue: ['#003eb3', '#e6f4ff', '#91caff'],
  geekblue: ['#10239e', '#f0f5ff', '#adc6ff'],
  purple: ['#391085', '#f9f0ff', '#d3adf7'],
  cyan: ['#00474f', '#e6fffb', '#87e8de'],
  magenta: ['#780650', '#fff0f6', '#ffadd2'],
  grey: ['#262626', '#fafafa', '#d9d9d9'],
} as const;
export type Tone = keyof typeof TONES;

/** The style of a tone, for a Tag (or anything tinted like one). */
export function toneStyle(tone: Tone): { color: string; background: string; borderColor: string } {
  const [color, background, borderColor] = TONES[tone];
  return { color, background, borderColor };
}

/** A Tag in one of the AA tones. */
export function ToneTag({ tone, children }: { tone: Tone; children: ReactNode }) {
  return <Tag style={toneStyle(tone)}>{children}</Tag>;
}
