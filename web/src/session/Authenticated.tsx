import { Button, Result } from 'antd';
import { Navigate, Outlet, useLocation } from 'react-router';
import { ApiError } from '../api/errors';
import { FullPageSpin } from '../components/FullPageSpin';
import { core } from '../i18n/core';
import { useMessages } from '../i18n/messages';
import { IdleWatcher } from './IdleWatcher';
import { loginPath } from './next';
import { SessionProvider, useMeQuery } from './SessionProvider';

/** Paths open while the agreement is unsigned (the server lets these calls through too, R-ONBOARD). */
const BEFORE_AGREEMENT = ['/agreement', '/account/password'];

/**
 * The signed-in part of the console: loads /me (no session: /login?next=<path>), sends an
 * unsigned user to /agreement, watches the idle timeout, and provides useSession().
 */
export function Authenticated() {
  const t = useMessages(core);
  const { pathname } = useLocation();
  const me = useMeQuery();
  // The idle timer is set by every answer's X-Session-Expires-In (api/client.ts), /me's included.

  if (me.isPending) return <FullPageSpin />;
  if (me.isError) {
    if (me.error instanceof ApiError && me.error.status === 401) return <Navigate to={loginPath(pathname)} replace />;
    return (
      <Result
        status="error"
        title={me.error instanceof ApiError && me.error.status !== 0 ? me.error.text : t('networkError')}
        extra={<Button onClick={() => void me.refetch()}>{t('retry')}</Button>}
      />
    );
  }
  if (me.data.agreement.required && !BEFORE_AGREEMENT.includes(pathname)) return <Navigate to="/agreement" replace />;
  return (
    <SessionProvider me={me.data}>
      <IdleWatcher />
      <Outlet />
    </SessionProvider>
  );
}
