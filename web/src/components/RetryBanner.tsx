import { useSyncExternalStore } from 'react';
import { Alert, Button } from 'antd';
import { useQueryClient } from '@tanstack/react-query';
import { unavailable } from '../api/events';
import { core } from '../i18n/core';
import { useMessages } from '../i18n/messages';

/** Shown while the service answers 503 (database unreachable...): one global banner with a retry. */
export function RetryBanner() {
  const t = useMessages(core);
  const qc = useQueryClient();
  const state = useSyncExternalStore(unavailable.subscribe, unavailable.get);
  if (!state) return null;
  return (
    <Alert
      type="warning"
      banner
      role="alert"
      title={t('unavailable')}
      action={
        <Button
          size="small"
          onClick={() => {
            unavailable.set(null);
            void qc.refetchQueries({ type: 'active' });
          }}
        >
          {t('retry')}
        </Button>
      }
    />
  );
}
