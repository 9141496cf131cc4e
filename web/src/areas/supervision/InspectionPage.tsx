import { useEffect, useRef, useState } from 'react';
import { Alert, Button, Card, Descriptions, Flex, Form, Input, List, Modal, Radio, Result, Space, Spin, Tag, Typography } from 'antd';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { api, download, unwrap } from '../../api/client';
import { PageContainer } from '../../components/PageContainer';
import { feedback } from '../../components/feedback';
import { applyApiErrors, isConflict, showApiError, useReloadOnConflict, type ConflictReload } from '../../forms/apiErrors';
import { formatDateTime } from '../../i18n/format';
import { useLocale } from '../../i18n/locale';
import { useMessages } from '../../i18n/messages';
import { useSession } from '../../session/SessionProvider';
import { FindingsCard } from './FindingsCard';
import { messages } from './messages';
import { StatusTag } from './StatusTag';
import { RectificationTable } from './RectificationsCard';
import type { Inspection, InspectionItem } from './types';

type Entry = { result: InspectionItem['result']; notes?: string; evidence?: string };
type Values = { items: Record<string, Entry> };

const entries = (i: Inspection): Values => ({
  items: Object.fromEntries(i.items.map((it) => [String(it.id), { result: it.result, notes: it.notes ?? '', evidence: it.evidence ?? '' }])),
});
const orNull = (s: string | undefined) => (s && s.trim() ? s.trim() : null);

/** /supervision/inspections/:id — the whole checklist on one page, saved in one request (R-INSPECT). */
export default function InspectionPage() {
  const t = useMessages(messages);
  const { locale } = useLocale();
  const id = Number(useParams().id);
  const { can } = useSession();
  const qc = useQueryClient();
  const [form] = Form.useForm<Values>();
  const [dirty, setDirty] = useState(false);
  const [completing, setCompleting] = useState(false);
  const q = useQuery({ queryKey: ['inspection', id], queryFn: () => unwrap(api.GET('/api/v1/inspections/{id}', { params: { path: { id: String(id) } } })) });
  const i = q.data;
  const conduct = !!i && i.status === 'in_progress' && can('inspection:conduct', `project:${i.project}`);

  // A refetch (after a finding or a rectification) must not overwrite unsaved checklist entries.
  const dirtyRef = useRef(false);
  dirtyRef.current = dirty;
  useEffect(() => {
    if (i && !dirtyRef.current) form.setFieldsValue(entries(i));
  }, [i, form]);

  // 409: someone completed the inspection (or changed it) first: reload it; the typed entries stay (dirty).
  const reload = useReloadOnConflict(['inspection', id], ['inspections']);
  const set = (next: Inspection) => {
    qc.setQueryData(['inspection', id], next);
    void qc.invalidateQueries({ queryKey: ['inspections'] });
  };
  const save = useMutation({
    mutationFn: (v: Values) => {
      const items = i!.items
        .map((it) => ({ it, e: v.items[String(it.id)] }))
        .filter(({ e }) => e && e.result !== 'pending')
        .map(({ it, e }) => ({ itemId: it.id, result: e.result as 'pass' | 'fail' | 'na', notes: orNull(e.notes), evidence: orNull(e.evidence) }));
      return unwrap(api.PUT('/api/v1/inspections/{id}/checklist', { params: { path: { id: String(id) } }, body: { items } }));
    },
    onSuccess: (next) => {
      setDirty(false);
      dirtyRef.current = false;
      form.setFieldsValue(entries(next));
      set(next);
      feedback().message.success(t('checklistSaved'));
    },
    onError: (err) => {
      // body.items.N.* names the N-th entry sent, not a field of the form: shown as one message.
      applyApiErrors(null, err, { reload });
    },
  });

  if (q.isLoading) return <Spin />;
  if (q.isError || !i) return <Result status="warning" title={q.error instanceof Error ? q.error.message : ''} />;
  const dl = (format: 'pdf' | 'xlsx') => download(`/api/v1/inspections/${id}/report?format=${format}`).catch(showApiError);

  return (
    <PageContainer
      title={t('inspectionTitle', { project: `${i.project} ${i.projectName}`, period: i.period })}
      description={
        <Space wrap>
          <StatusTag tone={i.status === 'completed' ? 'ok' : 'info'}>{t(`is_${i.status}`)}</StatusTag>
          <Typography.Text type="secondary">{t('counts', { ...i.counts })}</Typography.Text>
        </Space>
      }
      breadcrumb={[{ title: t('inspectionsTitle'), path: '/supervision/inspections' }, { title: `${i.project} ${i.period}` }]}
      extra={
        <>
          <Button onClick={() => void dl('pdf')}>{`${t('report')} PDF`}</Button>
          <Button onClick={() => void dl('xlsx')}>{`${t('report')} XLSX`}</Button>
          {conduct && (
            <Button type="primary" danger={i.findingCounts.majorHazard > 0} onClick={() => setCompleting(true)} disabled={dirty}>
              {t('complete')}
            </Button>
          )}
        </>
      }
    >
      {i.status === 'completed' && (
        <Descriptions
          size="small"
          style={{ marginBottom: 16 }}
          items={[
            { key: 'c', label: t('completedAt'), children: formatDateTime(i.completedAt) },
            { key: 'k', label: t('conclusion'), children: i.conclusion ?? '—' },
          ]}
        />
      )}
      {i.notices.length > 0 && (
        <Alert
          type="error"
          showIcon
          style={{ marginBottom: 16 }}
          title={t('noticesOfInspection')}
          description={
            <List size="small" dataSource={i.notices} renderItem={(n) => <List.Item><Link to="/supervision/notices">{n.title}</Link></List.Item>} />
          }
        />
      )}
      <Card title={<h2 style={{ fontSize: 16, margin: 0 }}>{t('checklist')}</h2>} extra={conduct && dirty && <StatusTag tone="warn">{t('unsaved')}</StatusTag>}>
        {conduct && <Typography.Paragraph type="secondary">{t('checklistIntro')}</Typography.Paragraph>}
        <Form form={form} layout="vertical" disabled={!conduct} onValuesChange={() => setDirty(true)} onFinish={(v) => save.mutate(v)}>
          {i.items.map((it) => (
            <ChecklistRow key={it.id} it={it} locale={locale} />
          ))}
          {conduct && (
            <Flex gap={8} style={{ position: 'sticky', bottom: 0, background: '#fff', padding: '12px 0', zIndex: 2 }}>
              <Button type="primary" htmlType="submit" loading={save.isPending}>
                {t('saveChecklist')}
              </Button>
              {dirty && <Typography.Text type="warning">{t('unsaved')}</Typography.Text>}
            </Flex>
          )}
        </Form>
      </Card>
      <FindingsCard i={i} conduct={conduct} onChanged={() => void q.refetch()} />
      <Card title={<h2 style={{ fontSize: 16, margin: 0 }}>{t('rectifications')}</h2>} style={{ marginTop: 16 }}>
        <RectificationTable rows={i.rectifications} manager={can('inspection:conduct', `project:${i.project}`) ? { kind: 'inspection', inspectionId: i.id } : null} onChanged={() => void q.refetch()} />
      </Card>
      {completing && <Complete i={i} onClose={() => setCompleting(false)} onDone={set} reload={reload} />}
    </PageContainer>
  );
}

function ChecklistRow({ it, locale }: { it: InspectionItem; locale: string }) {
  const t = useMessages(messages);
  const check = locale === 'en' ? it.checkEn : it.checkZh;
  const name = String(it.id);
  return (
    <section aria-labelledby={`sv-item-${it.id}`} style={{ borderTop: '1px solid #f0f0f0', padding: '12px 0' }}>
      <Typography.Title level={3} id={`sv-item-${it.id}`} style={{ fontSize: 14, margin: 0 }}>
        {it.position}. {check}
      </Typography.Title>
      <Space size={4} wrap style={{ margin: '4px 0 8px' }}>
        <Tag>{it.requirementId}</Tag>
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {it.clause}
        </Typography.Text>
        {it.figures.map((f) => (
          <Tag key={f.key} color={f.value > 0 ? 'orange' : 'default'} style={{ color: '#1f1f1f' }}>
            {locale === 'en' ? f.labelEn : f.labelZh}: {f.value}
          </Tag>
        ))}
      </Space>
      <Flex gap={16} wrap align="flex-start">
        <Form.Item name={['items', name, 'result']} label={t('resultOf', { n: it.position })} style={{ marginBottom: 8 }}>
          <Radio.Group
            optionType="button"
            options={[
              { value: 'pass', label: t('r_pass') },
              { value: 'fail', label: t('r_fail') },
              { value: 'na', label: t('r_na') },
            ]}
          />
        </Form.Item>
        <Form.Item name={['items', name, 'notes']} label={t('notes')} style={{ flex: '1 1 240px', marginBottom: 8 }}>
          <Input.TextArea rows={1} autoSize={{ minRows: 1, maxRows: 4 }} maxLength={4000} />
        </Form.Item>
        <Form.Item name={['items', name, 'evidence']} label={t('evidence')} style={{ flex: '1 1 200px', marginBottom: 8 }}>
          <Input.TextArea rows={1} autoSize={{ minRows: 1, maxRows: 4 }} maxLength={4000} />
        </Form.Item>
      </Flex>
    </section>
  );
}

function Complete({ i, onClose, onDone, reload }: { i: Inspection; onClose: () => void; onDone: (i: Inspection) => void; reload: ConflictReload }) {
  const t = useMessages(messages);
  const [form] = Form.useForm<{ conclusion?: string }>();
  const m = useMutation({
    mutationFn: (v: { conclusion?: string }) =>
      unwrap(api.POST('/api/v1/inspections/{id}/complete', { params: { path: { id: String(i.id) } }, body: v.conclusion?.trim() ? { conclusion: v.conclusion.trim() } : {} })),
    onSuccess: (next) => {
      onDone(next);
      feedback().message.success(t('completed'));
      onClose();
    },
    onError: (err) => {
      // 409 (items pending, a finding missing, or completed meanwhile): the message says why and the
      // inspection reloads behind the dialog. Completed by someone else: nothing is left to complete,
      // so the dialog closes on the current record; otherwise it stays with the conclusion typed.
      applyApiErrors(form, err, { reload });
      if (isConflict(err) && (err.code === 'already_completed' || err.code === 'inspection_completed')) onClose();
    },
  });
  return (
    <Modal open title={t('complete')} okText={t('complete')} cancelText={t('cancel')} onCancel={onClose} onOk={() => form.submit()} confirmLoading={m.isPending}>
      <Typography.Paragraph>{t('completeConfirm')}</Typography.Paragraph>
      <Form form={form} layout="vertical" onFinish={(v) => m.mutate(v)}>
        <Form.Item name="conclusion" label={t('conclusion')}>
          <Input.TextArea rows={4} maxLength={4000} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
