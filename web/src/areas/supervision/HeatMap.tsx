import { Flex, Typography } from 'antd';
import { useMessages } from '../../i18n/messages';
import { messages } from './messages';
import { LEVEL_STYLE, levelOf } from './risk';

const ROWS = [5, 4, 3, 2, 1];
const COLS = [1, 2, 3, 4, 5];

/**
 * R-RISK-MONTHLY: the 5×5 risk matrix, likelihood (rows, 5 at the top) × impact (columns). Each
 * cell is a button naming its likelihood, impact, score, level (as text, not colour only) and how
 * many risk items it holds; selecting it opens that cell's risk items.
 */
export function HeatMap({ matrix, onSelect }: { matrix: number[][]; onSelect: (likelihood: number, impact: number) => void }) {
  const t = useMessages(messages);
  return (
    <div>
      <div role="group" aria-label={t('heatMap')} style={{ display: 'grid', gridTemplateColumns: '88px repeat(5, minmax(72px, 1fr))', gap: 4, maxWidth: 640 }}>
        {ROWS.map((l) => (
          <Row key={l} l={l} matrix={matrix} onSelect={onSelect} />
        ))}
        <div />
        {COLS.map((i) => (
          <div key={i} style={{ textAlign: 'center', fontSize: 12 }}>
            {t('impact')} {i}
          </div>
        ))}
      </div>
      <Flex gap={12} wrap style={{ marginTop: 8 }}>
        <Typography.Text type="secondary">{t('legend')}</Typography.Text>
      </Flex>
    </div>
  );
}

function Row({ l, matrix, onSelect }: { l: number; matrix: number[][]; onSelect: (likelihood: number, impact: number) => void }) {
  const t = useMessages(messages);
  return (
    <>
      <div style={{ display: 'flex', alignItems: 'center', fontSize: 12 }}>
        {t('likelihood')} {l}
      </div>
      {COLS.map((i) => {
        const level = levelOf(l, i);
        const style = LEVEL_STYLE[level];
        const count = matrix[l - 1]?.[i - 1] ?? 0;
        const levelText = t(`lv_${level}`);
        return (
          <button
            key={i}
            type="button"
            className="sv-heat-cell"
            aria-label={t('cellLabel', { l, i, score: l * i, level: levelText, count })}
            onClick={() => onSelect(l, i)}
            style={{
              background: style.background,
              border: `2px solid ${count ? style.border : 'transparent'}`,
              borderRadius: 6,
              minHeight: 64,
              padding: 4,
              cursor: 'pointer',
              color: '#1f1f1f',
              display: 'flex',
              flexDirection: 'column',
              alignItems: 'center',
              justifyContent: 'center',
              gap: 2,
            }}
          >
            <span style={{ fontSize: 11 }} aria-hidden>
              {l * i} · {levelText}
            </span>
            <strong style={{ fontSize: 18 }} aria-hidden>
              {count || ''}
            </strong>
          </button>
        );
      })}
    </>
  );
}
