import { createBrowserRouter, Outlet, type RouteObject } from 'react-router';
import { areas } from './areas';
import { lazyPage } from './areas/lazy';
import { RouteError } from './components/ErrorBoundary';
import { NotFound } from './components/NotFound';
import { RetryBanner } from './components/RetryBanner';
import { AppLayout } from './layout/AppLayout';
import { Authenticated } from './session/Authenticated';
import { LoginPage } from './session/LoginPage';
import { ShellEvents } from './session/ShellEvents';

function Root() {
  return (
    <>
      <ShellEvents />
      <RetryBanner />
      <Outlet />
    </>
  );
}

/**
 * / (root: shell events, 503 banner)
 *   /login                        public
 *   (Authenticated: /me, agreement gate, idle timer)
 *     /agreement                  no menu
 *     (AppLayout: menu, header)
 *       ...every area's routes, /account/password, * -> NotFound
 */
export const routes: RouteObject[] = [
  {
    path: '/',
    element: <Root />,
    errorElement: <RouteError />,
    children: [
      { path: 'login', element: <LoginPage /> },
      {
        element: <Authenticated />,
        children: [
          { path: 'agreement', element: lazyPage(() => import('./session/AgreementPage')) },
          {
            element: <AppLayout />,
            errorElement: <RouteError />,
            children: [
              ...areas.flatMap((a) => a.routes),
              { path: 'account/password', element: lazyPage(() => import('./session/PasswordPage')) },
              { path: '*', element: <NotFound /> },
            ],
          },
        ],
      },
    ],
  },
];

export const router = createBrowserRouter(routes);
