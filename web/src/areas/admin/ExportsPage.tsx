import { useState } from 'react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Button, DatePicker, Flex, Form, Select, Table, Typography } from 'antd';
import { ReloadOutlined } from '@ant-design/icons';
import { Link } from 'react-router';
import { api, unwrap } from '../../api/client';
import type { paths } from '../../api/schema';
import { PageContainer } from '../../components/PageContainer';
import { Watermark } from '../../components/Watermark';
import { formatDateTime } from '../../i18n/format';
import { useMessages } from '../../i18n/messages';
import { useSession } from '../../session/SessionProvider';
import { useProjects } from '../../shared/org';
import { periodQuery, type Period } from '../../shared/period';
import { serverPagination } from '../../shared/table';
import { messages } from './messages';
import { projectOptions } from './shared';

type ExportItem = paths['/api/v1/exports']['get']['responses'][200]['content']['application/json']['items'][number];

/**
 * /admin/exports — the record of customer exports (R-CTRL-IT: the IT admin alone exports, and
 * reviews them here): who, when, project, purpose, personal fields, rows, and the external
 * release an export delivered. Paged by the server; filtered by project and period.
 */
export default function ExportsPage() {
  const t = useMessages(messages);
  const { can } = useSession();
  const projects = useProjects();
  const [project, setProject] = useState<string | undefined>();
  const [period, setPeriod] = useState<Period>(null);
  const [page, setPage] = useState({ current: 1, pageSize: 20 });
  const list = useQuery({
    queryKey: ['admin', 'exports', project ?? null, periodQuery(period), page],
    placeholderData: keepPreviousData,
    queryFn: () =>
      unwrap(
        api.GET('/api/v1/exports', {
          params: { query: { ...(project ? { project } : {}), ...periodQuery(period), limit: page.pageSize, offset: (page.current - 1) * page.pageSize } },
        }),
      ),
  });
  const fieldName = (f: string) => t(`field_${f}` as 'field_phones');
  return (
    <PageContainer
      title={t('exportsTitle')}
      description={t('exportsIntro')}
      extra={
        <Button icon={<ReloadOutlined />} onClick={() => void list.refetch()} loading={list.isFetching}>
          {t('refresh')}
        </Button>
      }
    >
      <Watermark>
        <Form layout="vertical" component="div">
          <Flex gap={16} wrap style={{ marginBottom: 8 }}>
            <Form.Item label={t('project')} htmlFor="exports-project" style={{ minWidth: 220 }}>
              <Select
                id="exports-project"
                allowClear
                showSearch={{ optionFilterProp: 'label' }}
                placeholder={t('allProjects')}
                loading={projects.isLoading}
                options={projectOptions(projects.data)}
                value={project}
                onChange={(v) => {
                  setProject(v);
                  setPage((p) => ({ ...p, current: 1 }));
                }}
              />
            </Form.Item>
            <Form.Item label={t('period')} htmlFor="exports-period" style={{ minWidth: 300 }}>
              <DatePicker.RangePicker
                id="exports-period"
                allowEmpty={[true, true]}
                placeholder={[t('from'), t('to')]}
                value={period}
                onChange={(v) => {
                  setPeriod(v);
                  setPage((p) => ({ ...p, current: 1 }));
                }}
              />
            </Form.Item>
          </Flex>
        </Form>
        <Table<ExportItem>
          rowKey="id"
          size="middle"
          loading={list.isFetching}
          dataSource={list.data?.items}
          scroll={{ x: 'max-content' }}
          pagination={serverPagination(page, setPage, list.data?.total, (total) => t('exportsTotal', { total }))}
          columns={[
            { title: t('exportedAt'), dataIndex: 'createdAt', render: (v: string) => formatDateTime(v) },
            {
              title: t('exportedBy'),
              key: 'by',
              render: (_: unknown, e) => {
                const name = e.createdBy.displayName ?? e.createdBy.username ?? `#${e.createdBy.id}`;
                return can('user:read') ? <Link to={`/admin/users/${e.createdBy.id}`}>{name}</Link> : name;
              },
            },
            { title: t('project'), dataIndex: 'project' },
            { title: t('purpose'), dataIndex: 'purpose', render: (p: string) => <div style={{ maxWidth: 280, whiteSpace: 'normal' }}>{p}</div> },
            { title: t('fields'), dataIndex: 'fields', render: (f: string[]) => (f.length ? f.map(fieldName).join('、') : t('none')) },
            { title: t('rowCount'), dataIndex: 'rowCount', align: 'right' },
            { title: t('format'), dataIndex: 'format', render: (f: string) => f.toUpperCase() },
            { title: t('release'), dataIndex: 'releaseId', render: (r: number | null) => (r === null ? '—' : t('releaseNo', { id: r })) },
            { title: t('exportId'), dataIndex: 'id', render: (id: string) => <Typography.Text code copyable={{ text: id }}>{id.slice(0, 8)}</Typography.Text> },
          ]}
        />
      </Watermark>
    </PageContainer>
  );
}
