import { useEffect, useState, type ReactNode } from 'react';
import { Watermark as AntWatermark } from 'antd';
import { useSession } from '../session/SessionProvider';
import { formatDateTime } from '../i18n/format';

/**
 * Wrap any page that shows customer data: a faint watermark with the viewer's username and the
 * time (company zone, refreshed each minute), so a photo or screenshot names its source.
 * `<Watermark><CustomerTable/></Watermark>`
 */
export function Watermark({ children }: { children: ReactNode }) {
  const { user } = useSession();
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), 60_000);
    return () => clearInterval(id);
  }, []);
  return (
    <AntWatermark content={[user.username, formatDateTime(now)]} font={{ color: 'rgba(0,0,0,0.07)', fontSize: 14 }} gap={[120, 120]} zIndex={10}>
      {children}
    </AntWatermark>
  );
}
