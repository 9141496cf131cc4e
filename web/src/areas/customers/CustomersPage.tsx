import { useState } from 'react';
import { App, Alert, Button, Card, Checkbox, Empty, Form, Input, Modal, Radio, Select, Space, Table, Tag } from 'antd';
import { DownloadOutlined, PlusOutlined, SearchOutlined } from '@ant-design/icons';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Link, useSearchParams } from 'react-router';
import { api, download, unwrap } from '../../api/client';
import { PageContainer } from '../../components/PageContainer';
import { Watermark } from '../../components/Watermark';
import { applyApiErrors } from '../../forms/apiErrors';
import { formatDateTime } from '../../i18n/format';
import { useMessages } from '../../i18n/messages';
import { useSession } from '../../session/SessionProvider';
import { useProjectsWhere } from '../../shared/org';
import { serverPagination } from '../../shared/table';
import { CustomerFormModal } from './CustomerFormModal';
import { messages } from './messages';
import { PERSONAL_FIELDS, type CustomerView, type PersonalField } from './shared';

type SearchValues = { by: 'phone' | 'idNumber'; value: string };

/**
 * /customers — a project's customers, masked, paged on the server; exact search by phone or ID
 * number sent in a POST body (never in a URL: R-SECRET); create; export for who may.
 * Only the project code goes into the page URL (?project=).
 */
export default function CustomersPage() {
  const t = useMessages(messages);
  const { can } = useSession();
  const { message } = App.useApp();
  const { projects, loading, scopesOf } = useProjectsWhere('customer:read');
  const [params, setParams] = useSearchParams();
  const chosen = params.get('project');
  const project = chosen && projects.includes(chosen) ? chosen : projects[0];
  const [page, setPage] = useState({ current: 1, pageSize: 20 });
  const [found, setFound] = useState<CustomerView[] | null>(null);
  const [searching, setSearching] = useState(false);
  const [creating, setCreating] = useState(false);
  const [exporting, setExporting] = useState(false);
  const [searchForm] = Form.useForm<SearchValues>();

  const list = useQuery({
    queryKey: ['customers', 'list', project, page.current, page.pageSize],
    enabled: !!project,
    placeholderData: keepPreviousData,
    queryFn: () =>
      unwrap(
        api.GET('/api/v1/customers', {
          params: { query: { project: project!, limit: page.pageSize, offset: (page.current - 1) * page.pageSize } },
        }),
      ),
  });

  const chooseProject = (p: string) => {
    setParams({ project: p }, { replace: true });
    setPage((s) => ({ ...s, current: 1 }));
    setFound(null);
    searchForm.resetFields();
  };

  // The number goes in the body of a POST and stays in this form only (no cache, no URL).
  const runSearch = async (v: SearchValues) => {
    setSearching(true);
    try {
      const body = v.by === 'phone' ? { project: project!, phone: v.value.trim() } : { project: project!, idNumber: v.value.trim() };
      const r = await unwrap(api.POST('/api/v1/customers/search', { body }));
      setFound(r.items);
    } catch (err) {
      applyApiErrors(searchForm, err, { fieldMap: { phone: ['value'], idNumber: ['value'] } });
    } finally {
      setSearching(false);
    }
  };

  const scopes = scopesOf(project);
  const mayCreate = can('customer:create', scopes);
  const mayExport = can('customer:export', scopes);

  const columns = [
    { title: 'ID', dataIndex: 'id', width: 80 },
    { title: t('name'), dataIndex: 'name' },
    { title: t('unit'), dataIndex: 'unit' },
    { title: t('phones'), dataIndex: 'phones', render: (p: string[]) => p.join(', ') },
    { title: t('idNumber'), dataIndex: 'idNumber', render: (v: string | null) => v ?? '' },
    { title: t('nationality'), dataIndex: 'nationality', render: (v: string) => (v === 'foreign' ? t('foreign') : t('domestic')) },
    { title: t('updatedAt'), dataIndex: 'updatedAt', render: (v: string) => formatDateTime(v) },
    {
      title: t('actions'),
      key: 'actions',
      fixed: 'right' as const,
      render: (_: unknown, c: CustomerView) => (
        <Link to={`/customers/${c.id}`} aria-label={t('openNamed', { id: c.id })}>
          {t('open')}
        </Link>
      ),
    },
  ];

  return (
    <Watermark>
      <PageContainer
        title={t('listTitle')}
        description={t('listIntro')}
        extra={
          <>
            {mayExport && (
              <Button icon={<DownloadOutlined />} onClick={() => setExporting(true)} disabled={!project}>
                {t('export')}
              </Button>
            )}
            {mayCreate && (
              <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} disabled={!project}>
                {t('create')}
              </Button>
            )}
          </>
        }
      >
        {!loading && projects.length === 0 ? (
          <Alert type="info" showIcon title={t('noProject')} />
        ) : (
          <Space orientation="vertical" size={16} style={{ width: '100%' }}>
            <Card size="small">
              <Space wrap align="start" size={24}>
                <Form layout="vertical">
                  <Form.Item label={t('project')} htmlFor="customers-project" style={{ marginBottom: 0 }}>
                    <Select
                      id="customers-project"
                      style={{ minWidth: 200 }}
                      loading={loading}
                      value={project}
                      placeholder={t('projectPlaceholder')}
                      onChange={chooseProject}
                      options={projects.map((p) => ({ value: p, label: p }))}
                      showSearch
                    />
                  </Form.Item>
                </Form>
                <Form form={searchForm} layout="vertical" initialValues={{ by: 'phone' }} onFinish={runSearch} autoComplete="off">
                  <h2 style={{ fontSize: 14, margin: '0 0 8px' }}>{t('searchTitle')}</h2>
                  <Space wrap align="start">
                    <Form.Item name="by" label={t('searchBy')} style={{ marginBottom: 0 }}>
                      <Radio.Group
                        optionType="button"
                        options={[
                          { value: 'phone', label: t('byPhone') },
                          { value: 'idNumber', label: t('byIdNumber') },
                        ]}
                      />
                    </Form.Item>
                    <Form.Item
                      name="value"
                      label={t('searchValue')}
                      extra={t('searchValueHint')}
                      rules={[{ required: true, whitespace: true, message: t('searchValueRequired') }]}
                      style={{ marginBottom: 0, minWidth: 240 }}
                    >
                      <Input allowClear />
                    </Form.Item>
                    <Form.Item label=" " colon={false} style={{ marginBottom: 0 }}>
                      <Space>
                        <Button htmlType="submit" icon={<SearchOutlined />} loading={searching} disabled={!project}>
                          {t('search')}
                        </Button>
                        {found && (
                          <Button
                            onClick={() => {
                              setFound(null);
                              searchForm.resetFields();
                            }}
                          >
                            {t('clearSearch')}
                          </Button>
                        )}
                      </Space>
                    </Form.Item>
                  </Space>
                </Form>
              </Space>
            </Card>
            {found && <Tag color="blue">{t('searchResults', { count: found.length })}</Tag>}
            <Table<CustomerView>
              rowKey="id"
              size="middle"
              scroll={{ x: 900 }}
              columns={columns}
              loading={!found && list.isFetching}
              dataSource={found ?? list.data?.items ?? []}
              locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} /> }}
              pagination={
                found
                  ? false
                  : serverPagination(page, setPage, list.data?.total, (total) => t('total', { total }))
              }
            />
          </Space>
        )}
      </PageContainer>
      <CustomerFormModal open={creating} project={project} onClose={() => setCreating(false)} />
      {project && (
        <ExportModal
          open={exporting}
          project={project}
          onClose={() => setExporting(false)}
          onDone={() => message.success(t('exportDone'))}
        />
      )}
    </Watermark>
  );
}

/** Export (customer:export, the IT admin): purpose and fields, streamed as a file through download(). */
function ExportModal({ open, project, onClose, onDone }: { open: boolean; project: string; onClose: () => void; onDone: () => void }) {
  const t = useMessages(messages);
  const [form] = Form.useForm<{ purpose: string; format: 'csv' | 'xlsx'; fields: PersonalField[] }>();
  const [busy, setBusy] = useState(false);
  const run = async (v: { purpose: string; format: 'csv' | 'xlsx'; fields: PersonalField[] }) => {
    setBusy(true);
    try {
      const q = new URLSearchParams({ project, format: v.format, purpose: v.purpose.trim() });
      if (v.fields.length && v.fields.length < PERSONAL_FIELDS.length) q.set('fields', v.fields.join(','));
      await download(`/api/v1/customers/export?${q.toString()}`);
      onDone();
      onClose();
    } catch (err) {
      applyApiErrors(form, err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal open={open} title={t('exportTitle')} onCancel={onClose} onOk={() => form.submit()} okText={t('export')} cancelText={t('cancel')} confirmLoading={busy} destroyOnHidden>
      <Form form={form} layout="vertical" initialValues={{ format: 'csv', fields: PERSONAL_FIELDS }} onFinish={run} preserve={false}>
        <Form.Item name="purpose" label={t('exportPurpose')} extra={t('exportPurposeHint')} rules={[{ required: true, whitespace: true, min: 5, message: t('exportPurposeHint') }]}>
          <Input.TextArea rows={2} maxLength={500} />
        </Form.Item>
        <Form.Item name="format" label={t('exportFormat')}>
          <Radio.Group options={[{ value: 'csv', label: 'CSV' }, { value: 'xlsx', label: 'XLSX' }]} />
        </Form.Item>
        <Form.Item name="fields" label={t('exportFields')}>
          <Checkbox.Group options={PERSONAL_FIELDS.map((f) => ({ value: f, label: t(f) }))} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
