import { useState } from 'react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Button, Flex, Input, Select, Space, Table } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { Link, useNavigate } from 'react-router';
import { api, unwrap } from '../../api/client';
import { PageContainer } from '../../components/PageContainer';
import { formatDateTime } from '../../i18n/format';
import { useMessages } from '../../i18n/messages';
import { useSession } from '../../session/SessionProvider';
import { PAGE_SIZES, useServerSort } from '../../shared/table';
import { messages } from './messages';
import { StatusTag, USER_STATUSES, type UserView } from './shared';
import { CreateUserDialog, EditUserDialog, OffboardDialog, ResetPasswordDialog } from './UserDialogs';

type Status = (typeof USER_STATUSES)[number];
/** The columns the server sorts by (?sort=), by the column's dataIndex. */
const SORTS = { username: 'username', displayName: 'displayName', createdAt: 'createdAt', status: 'status' } as const;

/** /admin/users — accounts: search, status filter, server paging; create, edit, reset password, offboard (R-IT-PERMS, R-ONBOARD, R-OFFBOARD). */
export default function UsersPage() {
  const t = useMessages(messages);
  const { can } = useSession();
  const navigate = useNavigate();
  const manage = can('user:manage');
  const mayOffboard = can('user:offboard');
  const [q, setQ] = useState('');
  const [status, setStatus] = useState<Status | undefined>();
  const [page, setPage] = useState({ current: 1, pageSize: 20 });
  const sort = useServerSort(SORTS, () => setPage((p) => ({ ...p, current: 1 })));
  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState<UserView | null>(null);
  const [resetting, setResetting] = useState<UserView | null>(null);
  const [leaving, setLeaving] = useState<UserView | null>(null);
  const users = useQuery({
    queryKey: ['admin', 'users', 'list', q, status ?? null, sort.key, page],
    placeholderData: keepPreviousData,
    queryFn: () =>
      unwrap(
        api.GET('/api/v1/users', {
          params: {
            query: {
              ...(q ? { q } : {}),
              ...(status ? { status } : {}),
              ...sort.query,
              limit: page.pageSize,
              offset: (page.current - 1) * page.pageSize,
            },
          },
        }),
      ),
  });
  const { sorted } = sort;
  return (
    <PageContainer
      title={t('usersTitle')}
      description={t('usersIntro')}
      extra={
        manage && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>
            {t('newUser')}
          </Button>
        )
      }
    >
      <Flex gap={12} wrap style={{ marginBottom: 16 }}>
        <Input.Search
          aria-label={t('searchUsers')}
          placeholder={t('searchUsers')}
          allowClear
          enterButton={t('search')}
          maxLength={64}
          style={{ width: 320 }}
          onSearch={(v) => {
            setQ(v.trim());
            setPage((p) => ({ ...p, current: 1 }));
          }}
        />
        <Select<Status | 'all'>
          aria-label={t('statusFilter')}
          style={{ width: 180 }}
          value={status ?? 'all'}
          onChange={(v) => {
            setStatus(v === 'all' ? undefined : v);
            setPage((p) => ({ ...p, current: 1 }));
          }}
          options={[{ value: 'all', label: `${t('statusFilter')}: ${t('all')}` }, ...USER_STATUSES.map((s) => ({ value: s, label: t(`status_${s}`) }))]}
        />
      </Flex>
      <Table<UserView>
        rowKey="id"
        size="middle"
        loading={users.isFetching}
        dataSource={users.data?.items}
        scroll={{ x: 'max-content' }}
        onChange={sort.onChange}
        pagination={{
          ...page,
          total: users.data?.total ?? 0,
          showSizeChanger: true,
          pageSizeOptions: PAGE_SIZES,
          onChange: (current, pageSize) => setPage({ current, pageSize }),
        }}
        columns={[
          { title: t('username'), dataIndex: 'username', ...sorted('username'), render: (u: string, r) => <Link to={`/admin/users/${r.id}`}>{u}</Link> },
          { title: t('displayName'), dataIndex: 'displayName', ...sorted('displayName') },
          { title: t('department'), dataIndex: 'departmentCode', render: (c: string | null) => c ?? '—' },
          { title: t('status'), dataIndex: 'status', ...sorted('status'), render: (s: string) => <StatusTag status={s} /> },
          { title: t('createdAt'), dataIndex: 'createdAt', ...sorted('createdAt'), render: (v: string) => formatDateTime(v) },
          {
            title: t('actions'),
            key: 'actions',
            render: (_: unknown, r) => (
              <Space wrap size={4}>
                <Button size="small" onClick={() => navigate(`/admin/users/${r.id}`)} aria-label={`${t('details')} ${r.username}`}>
                  {t('details')}
                </Button>
                {manage && r.status !== 'offboarded' && (
                  <>
                    <Button size="small" onClick={() => setEditing(r)} aria-label={`${t('edit')} ${r.username}`}>
                      {t('edit')}
                    </Button>
                    <Button size="small" onClick={() => setResetting(r)} aria-label={`${t('resetPassword')} ${r.username}`}>
                      {t('resetPassword')}
                    </Button>
                  </>
                )}
                {mayOffboard && r.status !== 'offboarded' && (
                  <Button size="small" danger onClick={() => setLeaving(r)} aria-label={`${t('offboard')} ${r.username}`}>
                    {t('offboard')}
                  </Button>
                )}
              </Space>
            ),
          },
        ]}
      />
      <CreateUserDialog open={creating} onClose={() => setCreating(false)} onCreated={(u) => navigate(`/admin/users/${u.id}`)} />
      <EditUserDialog user={editing} onClose={() => setEditing(null)} />
      <ResetPasswordDialog user={resetting} onClose={() => setResetting(null)} />
      <OffboardDialog user={leaving} onClose={() => setLeaving(null)} />
    </PageContainer>
  );
}
