import { useState } from 'react';
import { App, Badge, Button, Empty, Flex, Modal, Pagination, Segmented, Space, Spin, theme, Typography } from 'antd';
import { CheckOutlined, SettingOutlined } from '@ant-design/icons';
import { useNavigate } from 'react-router';
import { PageContainer } from '../../components/PageContainer';
import { showApiError } from '../../forms/apiErrors';
import { formatDateTime } from '../../i18n/format';
import { useMessages } from '../../i18n/messages';
import { PAGE_SIZES, type Page } from '../../shared/table';
import { ToneTag } from '../../shared/tone';
import { consolePath, useInbox, useMarkAllRead, useMarkRead, type InboxItem } from './api';
import { messages } from './messages';

/**
 * /inbox — every message to the user, newest first, paged on the server; unread ones stand out
 * and can be shown alone. Opening one shows it whole and marks it read; its link leads to the
 * record's page. Messages hold numbers and links only (the server writes no customer data).
 */
export default function InboxPage() {
  const t = useMessages(messages);
  const { message } = App.useApp();
  const navigate = useNavigate();
  const { token } = theme.useToken();
  const [unreadOnly, setUnreadOnly] = useState(false);
  const [page, setPage] = useState<Page>({ current: 1, pageSize: 20 });
  const [opened, setOpened] = useState<InboxItem | null>(null);
  const list = useInbox({ limit: page.pageSize, offset: (page.current - 1) * page.pageSize, unread: unreadOnly });
  const markRead = useMarkRead();
  const markAll = useMarkAllRead();
  const unread = list.data?.unread ?? 0;

  const open = (m: InboxItem) => {
    setOpened(m);
    if (!m.readAt) markRead.mutate(m.id, { onError: showApiError });
  };
  const target = consolePath(opened?.link);

  return (
    <PageContainer
      title={t('inboxTitle')}
      description={t('inboxIntro')}
      extra={
        <>
          <Button icon={<SettingOutlined />} onClick={() => navigate('/settings/notifications')}>
            {t('settings')}
          </Button>
          <Button
            type="primary"
            icon={<CheckOutlined />}
            disabled={unread === 0}
            loading={markAll.isPending}
            onClick={() => markAll.mutate(undefined, { onSuccess: (n) => message.success(t('markedAll', { n })), onError: showApiError })}
          >
            {t('markAllRead')}
          </Button>
        </>
      }
    >
      <Flex gap={16} align="center" wrap style={{ marginBottom: 16 }}>
        <Segmented<'all' | 'unread'>
          aria-label={t('filter')}
          value={unreadOnly ? 'unread' : 'all'}
          onChange={(v) => {
            setUnreadOnly(v === 'unread');
            setPage((p) => ({ ...p, current: 1 }));
          }}
          options={[
            { value: 'all', label: t('filterAll') },
            { value: 'unread', label: t('filterUnread') },
          ]}
        />
        <Typography.Text type="secondary" aria-live="polite">
          {t('total', { n: list.data?.total ?? 0 })} · {t('unreadTotal', { n: unread })}
        </Typography.Text>
      </Flex>
      <Spin spinning={list.isFetching}>
        <div style={{ minHeight: list.data?.items.length ? undefined : 96, background: token.colorBgContainer, border: `1px solid ${token.colorBorderSecondary}`, borderRadius: token.borderRadiusLG, overflow: 'hidden' }}>
          {list.data?.items.length ? (
            <ul className="notification-list">
              {list.data.items.map((m) => (
                <li key={m.id}>
                  <button
                    type="button"
                    className="notification-item"
                    data-unread={m.readAt ? undefined : 'true'}
                    onClick={() => open(m)}
                    aria-label={`${m.readAt ? t('read') : t('unread')}: ${m.subject}`}
                  >
                    <Flex justify="space-between" gap={12} wrap>
                      <Flex gap={8} align="center" style={{ minWidth: 0, flex: 1 }}>
                        {!m.readAt && <Badge status="processing" />}
                        <span style={{ fontWeight: m.readAt ? 400 : 600 }}>{m.subject}</span>
                        {m.action && <ToneTag tone="orange">{t('actionNeeded')}</ToneTag>}
                      </Flex>
                      <Typography.Text type="secondary">{formatDateTime(m.createdAt)}</Typography.Text>
                    </Flex>
                    <Typography.Paragraph type="secondary" ellipsis={{ rows: 1 }} style={{ margin: '4px 0 0' }}>
                      {m.body}
                    </Typography.Paragraph>
                  </button>
                </li>
              ))}
            </ul>
          ) : (
            !list.isLoading && <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('noMessages')} style={{ padding: 24 }} />
          )}
        </div>
      </Spin>
      <Flex justify="flex-end" style={{ marginTop: 16 }}>
        <Pagination
          current={page.current}
          pageSize={page.pageSize}
          total={list.data?.total ?? 0}
          pageSizeOptions={PAGE_SIZES}
          showSizeChanger
          onChange={(current, pageSize) => setPage({ current: pageSize === page.pageSize ? current : 1, pageSize })}
        />
      </Flex>
      <Modal
        open={!!opened}
        title={opened?.subject}
        onCancel={() => setOpened(null)}
        footer={
          <Space>
            <Button onClick={() => setOpened(null)}>{t('close')}</Button>
            {target && (
              <Button type="primary" onClick={() => navigate(target)}>
                {t('openRecord')}
              </Button>
            )}
          </Space>
        }
      >
        {opened && (
          <>
            <Space size={8} style={{ marginBottom: 12 }} wrap>
              <Typography.Text type="secondary">{formatDateTime(opened.createdAt)}</Typography.Text>
              {opened.action && <ToneTag tone="orange">{t('actionNeeded')}</ToneTag>}
            </Space>
            <Typography.Paragraph style={{ whiteSpace: 'pre-wrap' }}>{opened.body}</Typography.Paragraph>
          </>
        )}
      </Modal>
    </PageContainer>
  );
}
