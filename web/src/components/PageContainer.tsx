import { useEffect, type ReactNode } from 'react';
import { Breadcrumb, Flex, Typography } from 'antd';
import { Link } from 'react-router';
import { useBreadcrumb } from '../layout/breadcrumb';
import { useMessages } from '../i18n/messages';
import { core } from '../i18n/core';

export interface PageContainerProps {
  /** The page's title: the <h1> and the browser tab's title. */
  title: ReactNode;
  /** A plain title for the browser tab when `title` is not a string. */
  documentTitle?: string;
  /** Under the title: one line on what the page is for. */
  description?: ReactNode;
  /** Buttons on the right of the title (primary action last). */
  extra?: ReactNode;
  /** Replaces the breadcrumb derived from the menu (area › menu item). */
  breadcrumb?: { title: ReactNode; path?: string }[];
  children?: ReactNode;
}

/**
 * Every page's frame: breadcrumb (from the menu unless given), <h1> title, actions, content.
 * `<PageContainer title={t('title')} extra={<Button>…</Button>}>…</PageContainer>`
 */
export function PageContainer({ title, documentTitle, description, extra, breadcrumb, children }: PageContainerProps) {
  const t = useMessages(core);
  const derived = useBreadcrumb();
  const crumbs = breadcrumb ?? derived;
  const tab = documentTitle ?? (typeof title === 'string' ? title : '');
  useEffect(() => {
    document.title = tab ? `${tab} - ${t('appName')}` : t('appName');
  }, [tab, t]);
  return (
    <div>
      {crumbs.length > 0 && (
        <Breadcrumb
          style={{ marginBottom: 8 }}
          items={crumbs.map((c) => ({ title: c.path ? <Link to={c.path}>{c.title}</Link> : c.title }))}
        />
      )}
      <Flex justify="space-between" align="flex-start" wrap gap={12} style={{ marginBottom: 16 }}>
        <div>
          <Typography.Title level={1} style={{ fontSize: 22, margin: 0 }}>
            {title}
          </Typography.Title>
          {description && <Typography.Paragraph style={{ margin: '4px 0 0' }}>{description}</Typography.Paragraph>}
        </div>
        {extra && (
          <Flex gap={8} wrap>
            {extra}
          </Flex>
        )}
      </Flex>
      {children}
    </div>
  );
}
