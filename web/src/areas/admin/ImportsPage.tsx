import { useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Checkbox, Descriptions, Flex, Form, Progress, Radio, Select, Space, Table, Typography, Upload } from 'antd';
import { CheckCircleOutlined, UploadOutlined } from '@ant-design/icons';
import { api, ApiError, rawFetch, unwrapAs } from '../../api/client';
import { PageContainer } from '../../components/PageContainer';
import { Watermark } from '../../components/Watermark';
import { applyApiErrors, showApiError, useReloadOnConflict } from '../../forms/apiErrors';
import { formatDateTime } from '../../i18n/format';
import { useMessages } from '../../i18n/messages';
import { useProjects } from '../../shared/org';
import { PAGE_SIZES } from '../../shared/table';
import { ToneTag, type Tone } from '../../shared/tone';
import { messages } from './messages';
import { projectOptions } from './shared';

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** POST /api/v1/customers/import, GET /api/v1/imports/:id, POST /api/v1/imports/:id/commit (src/features/customers/import: no response schema yet). */
interface ImportView {
  id: string;
  project: string;
  status: 'queued' | 'running' | 'succeeded' | 'failed' | 'interrupted';
  dryRun: boolean;
  onError: 'abort' | 'skip';
  fileName: string | null;
  totalRows: number;
  processedRows: number;
  created: number;
  updated: number;
  skipped: number;
  errorCount: number;
  errors: { row: number; column: string | null; message: string }[];
  message: string | null;
  /** A dry run that may be committed: until when (null: it may not, or no longer). */
  commitUntil: string | null;
  /** The import a dry run was committed as. */
  committedAs: string | null;
}
const OPEN: ImportView['status'][] = ['queued', 'running'];
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

/** A failed import answers 422 import_failed with the import itself in details: shown like any result. */
const failedImport = (err: unknown): ImportView | null =>
  err instanceof ApiError && err.code === 'import_failed' && err.details && typeof err.details === 'object' && 'id' in err.details ? (err.details as ImportView) : null;

/** /admin/imports — customer records from a file: dry run with its row errors, then the import (R-CTRL-IT). */
export default function ImportsPage() {
  const t = useMessages(messages);
  const [form] = Form.useForm<Values>();
  const projects = useProjects();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [file, setFile] = useState<File | null>(null);
  const [shownId, setShownId] = useState<string | null>(null);
  const show = (v: ImportView) => {
    qc.setQueryData(['admin', 'import', v.id], v);
    setShownId(v.id);
  };
  // The import shown: refreshed every second while it runs (a large file runs in the background: 202), then no more.
  const current = useQuery({
    queryKey: ['admin', 'import', shownId],
    enabled: !!shownId,
    staleTime: 1_000,
    refetchInterval: (q) => (q.state.data && OPEN.includes(q.state.data.status) ? 1_000 : false),
    queryFn: () => unwrapAs<ImportView>(api.GET('/api/v1/imports/{id}', { params: { path: { id: shownId! } } })),
  });
  const result = shownId ? (current.data ?? null) : null;
  // A 409 on commit (committed meanwhile, expired): the dry run is read again and shows why.
  const reload = useReloadOnConflict(['admin', 'import']);
  const send = useMutation({
    mutationFn: (v: Values) => upload(file!, v),
    onSuccess: show,
    onError: (err) => {
      const failed = failedImport(err);
      if (failed) show(failed);
      applyApiErrors(form, err);
    },
  });
  const commit = useMutation({
    mutationFn: (dry: ImportView) => unwrapAs<ImportView>(api.POST('/api/v1/imports/{id}/commit', { params: { path: { id: dry.id } } })),
    onSuccess: (v) => {
      show(v);
      message.success(t('commitStarted'));
    },
    onError: (err) => {
      const failed = failedImport(err);
      if (failed) show(failed);
      showApiError(err, { reload });
    },
  });
  const running = !!result && OPEN.includes(result.status);
  const expired = !!result?.commitUntil && new Date(result.commitUntil).getTime() <= Date.now();
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
                  setShownId(null);
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
          <Button type="primary" htmlType="submit" disabled={!file} loading={send.isPending || running}>
            {t('upload')}
          </Button>
        </Form>
      </Card>
      {result && (
        <Watermark>
          <Card style={{ marginTop: 16 }} title={<h2 style={{ fontSize: 16, margin: 0 }}>{t('importStatus')}</h2>}>
            {result.dryRun && result.status === 'succeeded' && <Alert type="info" showIcon title={t('dryRunDone')} style={{ marginBottom: 12 }} />}
            {!result.dryRun && result.status === 'succeeded' && <Alert type="success" showIcon title={t('importDone')} style={{ marginBottom: 12 }} />}
            {/* Why it failed or stopped: the server's own words (a succeeded import's summary is the counts below). */}
            {result.message && (result.status === 'failed' || result.status === 'interrupted') && <Alert type="error" showIcon title={result.message} style={{ marginBottom: 12 }} />}
            <ImportProgress view={result} />
            <Descriptions
              size="small"
              column={{ xs: 1, md: 3 }}
              items={[
                { key: 's', label: t('status'), children: <ToneTag tone={TONES[result.status]}>{t(`is_${result.status}`)}</ToneTag> },
                { key: 'n', label: t('totalRows'), children: `${result.processedRows} / ${result.totalRows}` },
                { key: 'c', label: result.dryRun ? t('wouldCreate') : t('createdCount'), children: result.created },
                { key: 'u', label: result.dryRun ? t('wouldUpdate') : t('updatedCount'), children: result.updated },
                { key: 'k', label: t('skippedCount'), children: result.skipped },
                { key: 'e', label: t('errorCount'), children: result.errorCount },
              ]}
            />
            {result.dryRun && result.status === 'succeeded' && (
              <div style={{ marginTop: 12 }}>
                {result.committedAs ? (
                  <Alert
                    type="success"
                    showIcon
                    title={t('alreadyCommitted')}
                    action={
                      <Button size="small" onClick={() => setShownId(result.committedAs)}>
                        {t('showCommitted')}
                      </Button>
                    }
                  />
                ) : result.commitUntil && !expired ? (
                  <Space wrap align="center">
                    <Button type="primary" icon={<CheckCircleOutlined />} loading={commit.isPending} onClick={() => commit.mutate(result)}>
                      {result.errorCount ? t('commitValidRows') : t('commitDryRun')}
                    </Button>
                    <Typography.Text type="secondary">{t('commitUntil', { time: formatDateTime(result.commitUntil) })}</Typography.Text>
                  </Space>
                ) : (
                  <Alert type="warning" showIcon title={result.errorCount && result.onError === 'abort' ? t('cannotCommitErrors') : t('cannotCommitExpired')} />
                )}
              </div>
            )}
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

/** The progress of an import: a bar (rows done of rows in the file) with the state and the counts in words. */
function ImportProgress({ view }: { view: ImportView }) {
  const t = useMessages(messages);
  const total = Math.max(view.totalRows, view.processedRows);
  const done = !OPEN.includes(view.status);
  const percent = view.status === 'succeeded' ? 100 : total ? Math.floor((view.processedRows / total) * 100) : 0;
  const status = view.status === 'succeeded' ? 'success' : view.status === 'failed' || view.status === 'interrupted' ? 'exception' : 'active';
  const words = t(`progress_${view.status}`, { processed: view.processedRows, total });
  return (
    <div style={{ marginBottom: 12 }} data-testid="import-progress" data-status={view.status}>
      <Progress percent={percent} status={status} aria-label={t('progressLabel')} aria-valuetext={words} />
      <Typography.Text role="status" aria-live="polite" type={done && view.status !== 'succeeded' ? 'danger' : undefined}>
        {words}
      </Typography.Text>
    </div>
  );
}
