import { useState } from 'react';
import { App, Badge, Button, Dropdown, Empty, Flex, Spin, theme, Typography } from 'antd';
import { BellOutlined, SettingOutlined } from '@ant-design/icons';
import { Link, useNavigate } from 'react-router';
import { showApiError } from '../../forms/apiErrors';
import { formatDateTime } from '../../i18n/format';
import { useMessages } from '../../i18n/messages';
import { consolePath, useInbox, useMarkAllRead, useMarkRead, useUnreadCount, type InboxItem } from './api';
import { messages } from './messages';

/** How many messages the bell's panel lists (the inbox has the rest). */
const LATEST = 6;

/**
 * The header's bell: the unread count (polled, see useUnreadCount), and on click the latest few
 * messages, "mark all read", and the ways to the inbox and the settings. Choosing a message marks
 * it read and opens its record's page (the inbox when it has none).
 */
export function NotificationBell() {
  const t = useMessages(messages);
  const { message } = App.useApp();
  const navigate = useNavigate();
  const { token } = theme.useToken();
  const [open, setOpen] = useState(false);
  const unread = useUnreadCount();
  const latest = useInbox({ limit: LATEST, offset: 0 }, open);
  const markRead = useMarkRead();
  const markAll = useMarkAllRead();
  const n = unread.data ?? 0;

  const choose = (m: InboxItem) => {
    setOpen(false);
    if (!m.readAt) markRead.mutate(m.id, { onError: showApiError });
    navigate(consolePath(m.link) ?? '/inbox');
  };

  const panel = (
    <div
      role="dialog"
      aria-label={t('latest')}
      style={{ width: 380, maxWidth: 'calc(100vw - 24px)', background: token.colorBgElevated, borderRadius: token.borderRadiusLG, boxShadow: token.boxShadowSecondary }}
    >
      <Flex justify="space-between" align="center" style={{ padding: '10px 16px', borderBottom: `1px solid ${token.colorBorderSecondary}` }}>
        <Typography.Text strong>{t('latest')}</Typography.Text>
        <Button
          size="small"
          type="link"
          disabled={n === 0}
          loading={markAll.isPending}
          onClick={() => markAll.mutate(undefined, { onSuccess: (k) => message.success(t('markedAll', { n: k })), onError: showApiError })}
        >
          {t('markAllRead')}
        </Button>
      </Flex>
      <div style={{ maxHeight: 360, overflowY: 'auto' }}>
        {latest.isLoading ? (
          <Flex justify="center" style={{ padding: 24 }}>
            <Spin />
          </Flex>
        ) : latest.data?.items.length ? (
          <ul className="notification-list">
            {latest.data.items.map((m) => (
              <li key={m.id}>
                <button
                  type="button"
                  className="notification-item"
                  data-unread={m.readAt ? undefined : 'true'}
                  onClick={() => choose(m)}
                  aria-label={`${m.readAt ? t('read') : t('unread')}: ${m.subject}, ${formatDateTime(m.createdAt)}`}
                >
                  <Flex gap={8} align="baseline">
                    {!m.readAt && <Badge status="processing" />}
                    <span style={{ fontWeight: m.readAt ? 400 : 600, flex: 1 }}>{m.subject}</span>
                  </Flex>
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {formatDateTime(m.createdAt)}
                  </Typography.Text>
                </button>
              </li>
            ))}
          </ul>
        ) : (
          <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('noMessages')} style={{ padding: 16 }} />
        )}
      </div>
      <Flex justify="space-between" align="center" style={{ padding: '8px 16px', borderTop: `1px solid ${token.colorBorderSecondary}` }}>
        <Link to="/inbox" onClick={() => setOpen(false)}>
          {t('viewAll')}
        </Link>
        <Link to="/settings/notifications" onClick={() => setOpen(false)}>
          <SettingOutlined /> {t('settings')}
        </Link>
      </Flex>
    </div>
  );

  return (
    <Dropdown open={open} onOpenChange={setOpen} trigger={['click']} placement="bottomRight" popupRender={() => panel}>
      <Button type="text" aria-label={n ? t('bellUnread', { n }) : t('bellNone')} aria-haspopup="dialog" aria-expanded={open} data-testid="notification-bell">
        <Badge count={n} size="small" overflowCount={99} offset={[4, -2]}>
          <BellOutlined style={{ fontSize: 18 }} />
        </Badge>
      </Button>
    </Dropdown>
  );
}
