import { useEffect, useState } from 'react';
import { Alert, App, Button, Card, DatePicker, Form, Select, Space } from 'antd';
import { DownloadOutlined } from '@ant-design/icons';
import dayjs, { type Dayjs } from 'dayjs';
import { download } from '../../api/client';
import { PageContainer } from '../../components/PageContainer';
import { showApiError } from '../../forms/apiErrors';
import { getCompanyTimeZone } from '../../i18n/format';
import { useMessages } from '../../i18n/messages';
import { useSession } from '../../session/SessionProvider';
import { projectScopes, useProjects } from '../../shared/org';
import { messages } from './messages';

type Format = 'csv' | 'xlsx' | 'pdf';
interface Values {
  period: [Dayjs, Dayjs];
  scope: string;
}

/** /ledger-form: the §7 Borrowing & Destruction Record Form (R-LEDGER-FORM) for a period and a scope, as CSV, XLSX or PDF. */
export default function LedgerFormPage() {
  const t = useMessages(messages);
  const { can } = useSession();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const [busy, setBusy] = useState<Format | null>(null);
  const projects = useProjects().data ?? [];
  const departments = [...new Set(projects.map((p) => p.departmentCode).filter((d): d is string => Boolean(d)))].sort();
  const scopes = [
    ...(can('ledger_form:read', '*') ? [{ value: '*', label: t('scopeCompany') }] : []),
    ...departments.filter((d) => can('ledger_form:read', `dept:${d}`)).map((d) => ({ value: `dept:${d}`, label: t('scopeDept', { code: d }) })),
    ...projects.filter((p) => can('ledger_form:read', projectScopes(p))).map((p) => ({ value: `project:${p.code}`, label: `${t('scopeProject', { code: p.code })} ${p.name}` })),
  ];
  // This month so far, in the company's zone (the days are whole local days, both included).
  const today = dayjs().tz(getCompanyTimeZone());
  const initial = { period: [today.startOf('month'), today] as [Dayjs, Dayjs] };

  // The first scope once the projects are known (the form's initial values are taken only once).
  const first = scopes[0]?.value;
  useEffect(() => {
    if (first && !form.getFieldValue('scope')) form.setFieldValue('scope', first);
  }, [first, form]);

  const get = async (format: Format) => {
    let v: Values;
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    const q = new URLSearchParams({ from: v.period[0].format('YYYY-MM-DD'), to: v.period[1].format('YYYY-MM-DD'), scope: v.scope, format });
    setBusy(format);
    try {
      await download(`/api/v1/ledger/form?${q.toString()}`);
      message.success(t('formDownloaded'));
    } catch (err) {
      showApiError(err);
    } finally {
      setBusy(null);
    }
  };

  return (
    <PageContainer title={t('formTitle')} description={t('formIntro')}>
      <Card style={{ maxWidth: 720 }}>
        <Form form={form} layout="vertical" initialValues={initial}>
          <Form.Item name="period" label={t('period')} rules={[{ required: true, message: t('periodRequired') }]}>
            <DatePicker.RangePicker allowClear={false} />
          </Form.Item>
          <Form.Item name="scope" label={t('scope')} rules={[{ required: true, message: t('scopeRequired') }]}>
            <Select showSearch={{ optionFilterProp: 'label' }} options={scopes} />
          </Form.Item>
          <Alert type="info" showIcon title={t('formHint')} style={{ marginBottom: 16 }} />
          <Space wrap>
            {(['csv', 'xlsx', 'pdf'] as const).map((f) => (
              <Button key={f} type={f === 'pdf' ? 'primary' : 'default'} icon={<DownloadOutlined />} loading={busy === f} disabled={busy !== null && busy !== f} onClick={() => void get(f)}>
                {t(f)}
              </Button>
            ))}
          </Space>
        </Form>
      </Card>
    </PageContainer>
  );
}
