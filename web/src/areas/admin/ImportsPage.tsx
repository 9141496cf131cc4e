import { useState } from 'react';
import { useMutation, useQuery } from '@tanstack/react-query';
import { Alert, Button, Card, Checkbox, Descriptions, Flex, Form, Radio, Select, Table, Typography, Upload } from 'antd';
import { UploadOutlined } from '@ant-design/icons';
import { api, rawFetch, unwrapAs } from '../../api/client';
import { PageContainer } from '../../components/PageContainer';
import { Watermark } from '../../components/Watermark';
import { applyApiErrors } from '../../forms/apiErrors';
import { useMessages } from '../../i18n/messages';
import { useProjects } from '../../shared/org';
import { PAGE_SIZES } from '../../shared/table';
import { ToneTag, type Tone } from '../../shared/tone';
import { messages } from './messages';
import { projectOptions } from './shared';

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** POST /api/v1/customers/import, GET /api/v1/imports/:id (src/features/customers/import: no response schema yet). */
interface ImportView {
  id: string;
  project: string;
  status: 'queued' | 'running' | 'succeeded' | 'failed' | 'interrupted';
  dryRun: boolean;
  totalRows: number;
  processedRows: number;
  created: number;
  updated: number;
  skipped: number;
  errorCount: number;
  errors: { row: number; column: string | null; message: string }[];
  message: string | null;
}
const TONES: Record<ImportView['status'], Tone> = { queued: 'grey', running: 'blue', succeeded: 'green', failed: 'red', interrupted: 'gold' };

interface Values {
  project: string;
  dryRun: boolean;
  onError: 'abort' | 'skip';
}

/**
 * The file goes as the raw body (the route reads a stream, not a form). Its name stays out of the
 * URL: a file name may name a customer.
 */
async function upload(file: File, v: Values): Promise<ImportView> {
  const qs = new URLSearchParams({ project: v.project, dryRun: String(v.dryRun), onError: v.onError });
  const type = /\.xlsx$/i.test(file.name) ? XLSX_TYPE : 'text/csv';
  const r = await rawFetch(`/api/v1/customers/import?${qs}`, { method: 'POST', headers: { 'Content-Type': type }, body: file });
  return (await r.json()) as ImportView;
}

/** /admin/imports — customer records from a file: dry run with its row errors, then the import (R-CTRL-IT). */
export default function ImportsPage() {
  const t = useMessages(messages);
  const [form] = Form.useForm<Values>();
  const projects = useProjects();
  const [file, setFile] = useState<File | null>(null);
  const [result, setResult] = useState<ImportView | null>(null);
  const send = useMutation({
    mutationFn: (v: Values) => upload(file!, v),
    onSuccess: setResult,
    onError: (err) => applyApiErrors(form, err),
  });
  // A large file runs in the background (202): its state is polled until it ends.
  const running = result && (result.status === 'queued' || result.status === 'running');
  useQuery({
    queryKey: ['admin', 'import', result?.id],
    enabled: !!running,
    refetchInterval: 2_000,
    queryFn: async () => {
      const v = await unwrapAs<ImportView>(api.GET('/api/v1/imports/{id}', { params: { path: { id: result!.id } } }));
      setResult(v);
      return v;
    },
  });
  return (
    <PageContainer title={t('importsTitle')} description={t('importsIntro')}>
      <Card>
        <Form form={form} layout="vertical" name="import" initialValues={{ dryRun: true, onError: 'abort' }} onFinish={(v) => send.mutate(v)} style={{ maxWidth: 560 }}>
          <Form.Item name="project" label={t('project')} rules={[{ required: true, message: t('required') }]}>
            <Select showSearch={{ optionFilterProp: 'label' }} loading={projects.isLoading} options={projectOptions(projects.data)} />
          </Form.Item>
          <Form.Item label={t('file')} required>
            <Flex gap={12} align="center" wrap>
              <Upload
                accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                maxCount={1}
                showUploadList={false}
                beforeUpload={(f) => {
                  setFile(f);
                  setResult(null);
                  return false;
                }}
              >
                <Button icon={<UploadOutlined />}>{t('chooseFile')}</Button>
              </Upload>
              <Typography.Text data-testid="import-file">{file ? file.name : t('noFile')}</Typography.Text>
            </Flex>
          </Form.Item>
          <Form.Item name="dryRun" valuePropName="checked">
            <Checkbox>{t('dryRun')}</Checkbox>
          </Form.Item>
          <Form.Item name="onError" label={t('onError')}>
            <Radio.Group
              options={[
                { value: 'abort', label: t('onError_abort') },
                { value: 'skip', label: t('onError_skip') },
              ]}
            />
          </Form.Item>
          <Button type="primary" htmlType="submit" disabled={!file} loading={send.isPending || !!running}>
            {t('upload')}
          </Button>
        </Form>
      </Card>
      {result && (
        <Watermark>
          <Card style={{ marginTop: 16 }} title={<h2 style={{ fontSize: 16, margin: 0 }}>{t('importStatus')}</h2>}>
            {result.dryRun && result.status === 'succeeded' && <Alert type="info" showIcon title={t('dryRunDone')} style={{ marginBottom: 12 }} />}
            {result.message && !(result.dryRun && result.status === 'succeeded') && <Alert type={result.status === 'failed' ? 'error' : 'info'} showIcon title={result.message} style={{ marginBottom: 12 }} />}
            <Descriptions
              size="small"
              column={{ xs: 1, md: 3 }}
              items={[
                { key: 's', label: t('status'), children: <ToneTag tone={TONES[result.status]}>{t(`is_${result.status}`)}</ToneTag> },
                { key: 'n', label: t('totalRows'), children: `${result.processedRows} / ${result.totalRows}` },
                { key: 'c', label: t('createdCount'), children: result.created },
                { key: 'u', label: t('updatedCount'), children: result.updated },
                { key: 'k', label: t('skippedCount'), children: result.skipped },
                { key: 'e', label: t('errorCount'), children: result.errorCount },
              ]}
            />
            {result.errors.length > 0 && (
              <Table
                style={{ marginTop: 12 }}
                size="small"
                rowKey={(e) => `${e.row}-${e.column ?? ''}-${e.message}`}
                dataSource={result.errors}
                scroll={{ x: 'max-content' }}
                pagination={{ pageSize: 20, showSizeChanger: true, pageSizeOptions: PAGE_SIZES }}
                columns={[
                  { title: t('row'), dataIndex: 'row', width: 80 },
                  { title: t('column'), dataIndex: 'column', render: (c: string | null) => c ?? '—' },
                  { title: t('message'), dataIndex: 'message' },
                ]}
              />
            )}
          </Card>
        </Watermark>
      )}
    </PageContainer>
  );
}
