import { useEffect, useState } from 'react';
import { Typography } from 'antd';
import { core } from '../i18n/core';
import { useMessages } from '../i18n/messages';

/**
 * A revealed value (a full phone or ID number after POST .../reveal): shown for `seconds`
 * (default 60), then hidden; gone as soon as the component unmounts. Keep the value only in
 * component state (never in the query cache, the URL or storage).
 * `<Revealed value={phone} onHidden={() => setPhone(null)} />`
 */
export function Revealed({ value, seconds = 60, onHidden }: { value: string; seconds?: number; onHidden?: () => void }) {
  const t = useMessages(core);
  const [left, setLeft] = useState(seconds);
  useEffect(() => {
    // Against a fixed deadline, not counted ticks: a background tab's slowed timers must not keep it longer.
    const deadline = Date.now() + seconds * 1000;
    const tick = () => setLeft(Math.max(0, Math.ceil((deadline - Date.now()) / 1000)));
    tick();
    const id = setInterval(tick, 1000);
    return () => clearInterval(id);
  }, [value, seconds]);
  useEffect(() => {
    if (left <= 0) onHidden?.();
  }, [left, onHidden]);
  if (left <= 0) return <Typography.Text type="secondary">{t('hidden')}</Typography.Text>;
  return (
    <span>
      <Typography.Text copyable={false} strong>
        {value}
      </Typography.Text>{' '}
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        ({t('hiddenAfter', { seconds: left })})
      </Typography.Text>
    </span>
  );
}
