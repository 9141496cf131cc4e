import { useEffect, useRef, useSyncExternalStore } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { useLocation, useNavigate } from 'react-router';
import { agreementRequired, sessionEnded } from '../api/events';
import { loginPath } from './next';
import { ME_KEY } from './SessionProvider';

/**
 * Reacts to what the API client saw (api/events.ts): a 401 ends the session here too (cached
 * answers dropped, /login?next=<this path>); agreement_required refetches /me, whose gate then
 * shows /agreement. Mounted once at the router's root.
 */
export function ShellEvents() {
  const qc = useQueryClient();
  const navigate = useNavigate();
  const { pathname } = useLocation();
  const ended = useSyncExternalStore(sessionEnded.subscribe, sessionEnded.get);
  const agreement = useSyncExternalStore(agreementRequired.subscribe, agreementRequired.get);
  const seen = useRef({ ended, agreement });

  useEffect(() => {
    if (ended === seen.current.ended) return;
    seen.current.ended = ended;
    if (pathname === '/login') return;
    qc.clear();
    navigate(loginPath(pathname), { replace: true, state: { notice: 'sessionEnded' } });
  }, [ended, pathname, qc, navigate]);

  useEffect(() => {
    if (agreement === seen.current.agreement) return;
    seen.current.agreement = agreement;
    void qc.invalidateQueries({ queryKey: ME_KEY });
  }, [agreement, qc]);

  return null;
}
