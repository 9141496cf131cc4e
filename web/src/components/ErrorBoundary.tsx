import { Component, type ErrorInfo, type ReactNode } from 'react';
import { Button, Result } from 'antd';
import { isRouteErrorResponse, useRouteError } from 'react-router';
import { ApiError } from '../api/errors';
import { core } from '../i18n/core';
import { translate } from '../i18n/messages';
import { useMessages } from '../i18n/messages';
import { NoPermission } from './NoPermission';
import { NotFound } from './NotFound';

/** A lazy chunk that no longer exists: the console was redeployed under the open page. */
function isStaleChunk(error: unknown): boolean {
  return error instanceof Error && /dynamically imported module|Importing a module script failed|error loading dynamically/i.test(error.message);
}

/** What a crash shows (never a blank page): 403/404 answers as such, else a reload button. */
export function CrashResult({ error }: { error: unknown }) {
  const t = useMessages(core);
  if (error instanceof ApiError && error.status === 403) return <NoPermission permission={error.permission} />;
  if ((error instanceof ApiError && error.status === 404) || (isRouteErrorResponse(error) && error.status === 404)) return <NotFound />;
  return (
    <Result
      status="error"
      title={<h1 style={{ fontSize: 22, margin: 0 }}>{t('crashTitle')}</h1>}
      subTitle={isStaleChunk(error) ? t('newVersion') : t('crashBody')}
      extra={
        <Button type="primary" onClick={() => location.reload()}>
          {t('reload')}
        </Button>
      }
    />
  );
}

/** The router's errorElement (loader/render errors of a route). */
export function RouteError() {
  return <CrashResult error={useRouteError()} />;
}

/**
 * Catches render errors below it: `<ErrorBoundary>…</ErrorBoundary>`; `resetKey` (e.g. the path)
 * clears the error when the user navigates away. The layout wraps every page in one.
 */
export class ErrorBoundary extends Component<{ children: ReactNode; resetKey?: unknown }, { error: unknown; key?: unknown }> {
  override state: { error: unknown; key?: unknown } = { error: null };

  static getDerivedStateFromError(error: unknown) {
    return { error };
  }

  static getDerivedStateFromProps(props: { resetKey?: unknown }, state: { error: unknown; key?: unknown }) {
    return props.resetKey !== state.key ? { error: null, key: props.resetKey } : null;
  }

  override componentDidCatch(error: unknown, info: ErrorInfo) {
    // The console logs only that something failed and where: never the data on screen.
    console.error(translate(core, 'crashTitle'), error instanceof Error ? error.name : typeof error, info.componentStack?.split('\n')[1]?.trim());
  }

  override render() {
    return this.state.error ? <CrashResult error={this.state.error} /> : this.props.children;
  }
}
