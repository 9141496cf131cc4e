import { Alert, Card, Col, Empty, List, Row, Table, Tag, Typography } from 'antd';
import { Link } from 'react-router';
import { PageContainer } from '../../components/PageContainer';
import { core, roleNames } from '../../i18n/core';
import { useLocale } from '../../i18n/locale';
import { useMessages } from '../../i18n/messages';
import { useVisibleAreas } from '../../layout/menu';
import { useSession } from '../../session/SessionProvider';
import { useUnreadCount } from '../inbox/api';
import { scopeLabel } from '../../session/scopeLabel';
import { messages } from './messages';
import { WorkSection } from './WorkSection';

/** / — "My work": what waits for the user (GET /api/v1/me/work), their roles and scopes, and the areas they can open. */
export default function HomePage() {
  const t = useMessages(messages);
  const tc = useMessages(core);
  const { locale, pick } = useLocale();
  const { user, assignments, permissions } = useSession();
  const areas = useVisibleAreas();
  // The bell's count (one cached query: no second request).
  const unread = useUnreadCount().data ?? 0;
  const links = areas.flatMap(({ area, items }) => items.filter((i) => i.path !== '/').map((i) => ({ area, item: i })));
  return (
    <PageContainer title={t('title')} description={t('intro')}>
      <Typography.Paragraph strong>{t('welcome', { name: user.displayName })}</Typography.Paragraph>
      {unread > 0 && (
        <Alert
          type="info"
          showIcon
          style={{ marginBottom: 16 }}
          title={t('unreadNotifications', { n: unread })}
          action={<Link to="/inbox">{t('openInbox')}</Link>}
        />
      )}
      <WorkSection />
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={12}>
          <Card title={<h2 style={{ fontSize: 16, margin: 0 }}>{t('roles')}</h2>} extra={t('permissions', { count: permissions.length })}>
            <Table
              size="small"
              rowKey="id"
              pagination={false}
              dataSource={assignments}
              locale={{ emptyText: t('noRoles') }}
              columns={[
                { title: t('role'), dataIndex: 'role', render: (r: string) => roleNames[r]?.[locale] ?? r },
                { title: t('scope'), dataIndex: 'scope', render: (s: string) => <Tag>{scopeLabel(s, tc)}</Tag> },
              ]}
            />
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <Card title={<h2 style={{ fontSize: 16, margin: 0 }}>{t('links')}</h2>}>
            {links.length ? (
              <List
                dataSource={links}
                renderItem={({ area, item }) => (
                  <List.Item>
                    <Link to={item.path}>
                      {area.icon} {pick(item.label)}
                    </Link>
                  </List.Item>
                )}
              />
            ) : (
              <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} />
            )}
          </Card>
        </Col>
      </Row>
    </PageContainer>
  );
}
