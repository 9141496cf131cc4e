import { useCallback, useState } from 'react';
import { Alert, App, Button, Card, Checkbox, Descriptions, Form, Input, Modal, Popconfirm, Space, Table, Tag, Typography } from 'antd';
import { DeleteOutlined, EditOutlined, EyeOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate, useParams } from 'react-router';
import { api, unwrap } from '../../api/client';
import { ApiError } from '../../api/errors';
import { FullPageSpin } from '../../components/FullPageSpin';
import { NoPermission } from '../../components/NoPermission';
import { PageContainer } from '../../components/PageContainer';
import { Revealed } from '../../components/Revealed';
import { Watermark } from '../../components/Watermark';
import { applyApiErrors, showApiError, useReloadOnConflict } from '../../forms/apiErrors';
import { formatDateTime } from '../../i18n/format';
import { useMessages } from '../../i18n/messages';
import { useSession } from '../../session/SessionProvider';
import { AccessLogCard } from '../../shared/AccessLogTable';
import { useProjectsWhere } from '../../shared/org';
import { CustomerFormModal } from './CustomerFormModal';
import { messages } from './messages';
import { PERSONAL_FIELDS, type PersonalField, type Revealed as RevealedValues } from './shared';

const REVEAL_SECONDS = 60;

/** A case status or type in words (unknown values as they are). */
function enumLabel(t: ReturnType<typeof useMessages<keyof (typeof messages)['en']>>, prefix: 'st' | 'ty', v: string): string {
  const key = `${prefix}_${v}` as keyof (typeof messages)['en'];
  const text = t(key);
  return text === key ? v : text;
}

/**
 * /customers/:id — for customer:read holders the customer (CustomerDetail) with, for access_log:read
 * holders, who viewed it; for an auditor (access_log:read without customer:read) only who viewed
 * it: the record itself is neither asked for nor shown (and so not read).
 */
export default function CustomerPage() {
  const { can } = useSession();
  if (can('customer:read')) return <CustomerDetail />;
  if (can('access_log:read')) return <AccessLogOnly />;
  return <NoPermission permission="customer:read" />;
}

/** The auditor's view of /customers/:id: the access log only (ids, never customer data). */
function AccessLogOnly() {
  const t = useMessages(messages);
  const id = Number(useParams().id);
  const valid = Number.isInteger(id) && id > 0;
  return (
    <Watermark>
      <PageContainer title={t('detailTitle', { id: valid ? id : '' })} description={t('logOnlyIntro')} breadcrumb={[{ title: t('detailTitle', { id: valid ? id : '' }) }]}>
        <Space orientation="vertical" size={16} style={{ width: '100%' }}>
          <Alert type="info" showIcon title={t('logOnlyNote')} />
          {valid && <AccessLogCard of="customer" id={id} />}
        </Space>
      </PageContainer>
    </Watermark>
  );
}

/**
 * One customer, masked; reveal behind a reason (R-SECRET: the clear values live only in this
 * page's state, shown 60 s and gone when the page is left); edit, delete; the customer's cases
 * (links to /cases/:id); who viewed it (access_log:read).
 */
function CustomerDetail() {
  const t = useMessages(messages);
  const { can } = useSession();
  const mayLog = can('access_log:read');
  const { message } = App.useApp();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const id = Number(useParams().id);
  const { scopesOf } = useProjectsWhere('customer:read');
  const [editing, setEditing] = useState(false);
  const [asking, setAsking] = useState(false);
  const [revealed, setRevealed] = useState<RevealedValues | null>(null);
  const hide = useCallback(() => setRevealed(null), []);

  const customer = useQuery({
    queryKey: ['customers', 'one', id],
    enabled: Number.isInteger(id) && id > 0,
    queryFn: () => unwrap(api.GET('/api/v1/customers/{id}', { params: { path: { id: String(id) } } })),
  });
  const c = customer.data;
  const scopes = scopesOf(c?.project);
  const mayCases = !!c && can('case:read', scopes);
  const cases = useQuery({
    queryKey: ['customers', 'cases', id],
    enabled: mayCases,
    queryFn: () => unwrap(api.GET('/api/v1/cases', { params: { query: { project: c!.project, customerId: id, limit: 50, offset: 0 } } })),
  });

  const reload = useReloadOnConflict(['customers', 'one', id], ['customers', 'cases', id]);
  const remove = useMutation({
    mutationFn: () => unwrap(api.DELETE('/api/v1/customers/{id}', { params: { path: { id: String(id) } } })),
    onSuccess: () => {
      message.success(t('deleted'));
      qc.removeQueries({ queryKey: ['customers', 'one', id] });
      void qc.invalidateQueries({ queryKey: ['customers', 'list'] });
      navigate(`/customers?project=${encodeURIComponent(c!.project)}`);
    },
    onError: (err) => showApiError(err, { reload }),
  });

  if (customer.isLoading) return <FullPageSpin />;
  if (customer.error || !c) {
    const err = customer.error;
    // A customer deleted since (or out of the caller's projects) still has its readers.
    return (
      <Watermark>
        <PageContainer title={t('detailTitle', { id: Number.isFinite(id) ? id : '' })}>
          <Space orientation="vertical" size={16} style={{ width: '100%' }}>
            <Alert type="error" showIcon title={err instanceof ApiError ? err.text : String(err ?? '')} action={<Link to="/customers">{t('back')}</Link>} />
            {mayLog && Number.isInteger(id) && id > 0 && <AccessLogCard of="customer" id={id} />}
          </Space>
        </PageContainer>
      </Watermark>
    );
  }

  const mayReveal = can('customer:reveal', scopes);
  const value = (f: PersonalField) => {
    if (revealed && f in revealed) {
      const v = f === 'phones' ? (revealed.phones ?? []).join(', ') : ((revealed[f] as string | null | undefined) ?? '');
      return v ? <Revealed value={v} seconds={REVEAL_SECONDS} onHidden={hide} /> : t('noValue');
    }
    const masked = f === 'phones' ? c.phones.join(', ') : c[f];
    return masked ? (
      <span>
        {masked} <Tag>{t('maskedNote')}</Tag>
      </span>
    ) : (
      t('noValue')
    );
  };

  return (
    <Watermark>
      <PageContainer
        title={t('detailTitle', { id: c.id })}
        description={t('detailIntro')}
        breadcrumb={[{ title: t('listTitle'), path: `/customers?project=${encodeURIComponent(c.project)}` }, { title: t('detailTitle', { id: c.id }) }]}
        extra={
          <>
            {mayReveal && (
              <Button icon={<EyeOutlined />} onClick={() => setAsking(true)}>
                {t('reveal')}
              </Button>
            )}
            {can('customer:update', scopes) && (
              <Button icon={<EditOutlined />} onClick={() => setEditing(true)}>
                {t('edit')}
              </Button>
            )}
            {can('customer:delete', scopes) && (
              <Popconfirm title={t('deleteConfirm')} okText={t('delete')} cancelText={t('cancel')} onConfirm={() => remove.mutate()}>
                <Button danger icon={<DeleteOutlined />} loading={remove.isPending}>
                  {t('delete')}
                </Button>
              </Popconfirm>
            )}
          </>
        }
      >
        <Space orientation="vertical" size={16} style={{ width: '100%' }}>
          {!mayReveal && <Alert type="info" showIcon title={t('noReveal')} />}
          {revealed && <Alert type="warning" showIcon title={t('revealedTitle')} />}
          <Card>
            <Descriptions
              column={{ xs: 1, md: 2 }}
              items={[
                { key: 'project', label: t('project'), children: c.project },
                { key: 'name', label: t('name'), children: c.name },
                { key: 'unit', label: t('unit'), children: c.unit },
                { key: 'nationality', label: t('nationality'), children: c.nationality === 'foreign' ? t('foreign') : t('domestic') },
                ...PERSONAL_FIELDS.map((f) => ({ key: f, label: t(f), children: value(f) })),
                { key: 'notes', label: t('notes'), children: c.notes ?? t('noValue'), span: 2 },
                { key: 'createdAt', label: t('createdAt'), children: formatDateTime(c.createdAt) },
                { key: 'updatedAt', label: t('updatedAt'), children: formatDateTime(c.updatedAt) },
              ]}
            />
          </Card>
          {mayCases && (
            <Card title={<h2 style={{ fontSize: 16, margin: 0 }}>{t('cases')}</h2>}>
              <Table
                rowKey="id"
                size="small"
                loading={cases.isLoading}
                pagination={false}
                scroll={{ x: 500 }}
                dataSource={cases.data?.items ?? []}
                locale={{ emptyText: t('noCases') }}
                columns={[
                  { title: t('caseNo'), dataIndex: 'caseNo', render: (no: string, r: { id: number }) => <Link to={`/cases/${r.id}`}>{no}</Link> },
                  { title: t('caseStatus'), dataIndex: 'status', render: (v: string) => enumLabel(t, 'st', v) },
                  { title: t('caseType'), dataIndex: 'type', render: (v: string) => enumLabel(t, 'ty', v) },
                ]}
              />
            </Card>
          )}
          {mayLog && <AccessLogCard of="customer" id={c.id} />}
          <Typography.Paragraph>
            <Link to={`/customers?project=${encodeURIComponent(c.project)}`}>{t('back')}</Link>
          </Typography.Paragraph>
        </Space>
      </PageContainer>
      <CustomerFormModal open={editing} customer={c} onClose={() => setEditing(false)} onSaved={(n) => qc.setQueryData(['customers', 'one', id], n)} />
      <RevealModal
        open={asking}
        id={c.id}
        onClose={() => setAsking(false)}
        onRevealed={(r) => {
          setRevealed(r);
          // The reveal is a read of its own: the access log shows it.
          if (mayLog) void qc.invalidateQueries({ queryKey: ['access-log', 'customer', c.id] });
        }}
      />
    </Watermark>
  );
}

/** Asks which fields and why; POST /customers/:id/reveal (audited: fields and reason, never values). */
function RevealModal({ open, id, onClose, onRevealed }: { open: boolean; id: number; onClose: () => void; onRevealed: (r: RevealedValues) => void }) {
  const t = useMessages(messages);
  const [form] = Form.useForm<{ fields: PersonalField[]; reason: string }>();
  const [busy, setBusy] = useState(false);
  // A plain call, not a mutation: the answer goes straight into the page's state, nowhere else.
  const run = async (v: { fields: PersonalField[]; reason: string }) => {
    setBusy(true);
    try {
      const r = await unwrap(api.POST('/api/v1/customers/{id}/reveal', { params: { path: { id: String(id) } }, body: { fields: v.fields, reason: v.reason.trim() } }));
      onRevealed(r);
      onClose();
    } catch (err) {
      applyApiErrors(form, err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal open={open} title={t('revealTitle')} onCancel={onClose} onOk={() => form.submit()} okText={t('revealSubmit')} cancelText={t('cancel')} confirmLoading={busy} destroyOnHidden>
      <Typography.Paragraph>{t('revealIntro')}</Typography.Paragraph>
      <Form form={form} layout="vertical" initialValues={{ fields: ['phones'] }} onFinish={run} preserve={false} autoComplete="off">
        <Form.Item name="fields" label={t('revealFields')} rules={[{ required: true, type: 'array', min: 1, message: t('required') }]}>
          <Checkbox.Group options={PERSONAL_FIELDS.map((f) => ({ value: f, label: t(f) }))} />
        </Form.Item>
        <Form.Item name="reason" label={t('revealReason')} extra={t('revealReasonHint')} rules={[{ required: true, whitespace: true, min: 5, message: t('revealReasonHint') }]}>
          <Input.TextArea rows={2} maxLength={500} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
