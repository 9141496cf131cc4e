import { useEffect, useState, useSyncExternalStore } from 'react';
import { Button, Modal } from 'antd';
import { activity } from '../api/events';
import { core } from '../i18n/core';
import { useMessages } from '../i18n/messages';
import { useSession, useSignOut } from './SessionProvider';

/** Warn this long before the server's idle timeout ends the session (contract: 2 minutes). */
const WARN_SECONDS = 120;
/**
 * Sign out this long before the server would: the sign-out then still reaches a live session and
 * revokes it on the server (after the expiry it could only be refused as expired).
 */
const MARGIN_SECONDS = 5;

/**
 * The sliding idle timeout, seen from the browser: every API answer (this tab or another) resets
 * it (api/events.ts). Two minutes before the end a modal counts down; "stay signed in" makes a
 * call (GET /me), which slides the session; at zero the console signs out and says why.
 */
export function IdleWatcher() {
  const t = useMessages(core);
  const { refresh } = useSession();
  const signOut = useSignOut();
  const { at, idleSeconds } = useSyncExternalStore(activity.subscribe, activity.get);
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(id);
  }, []);
  const remaining = Math.ceil(idleSeconds - MARGIN_SECONDS - (now - at) / 1000);
  useEffect(() => {
    if (remaining <= 0) void signOut('idle');
  }, [remaining, signOut]);
  const warn = remaining > 0 && remaining <= WARN_SECONDS;
  return (
    <Modal
      open={warn}
      title={t('idleTitle')}
      closable={false}
      mask={{ closable: false }}
      keyboard={false}
      footer={[
        <Button key="out" onClick={() => void signOut('signedOut')}>
          {t('signOut')}
        </Button>,
        <Button key="stay" type="primary" autoFocus onClick={() => void refresh()}>
          {t('staySignedIn')}
        </Button>,
      ]}
    >
      <p role="timer" aria-live="polite">
        {t('idleBody', { seconds: Math.max(remaining, 0) })}
      </p>
    </Modal>
  );
}
