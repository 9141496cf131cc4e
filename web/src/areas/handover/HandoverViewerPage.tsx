import { useEffect, useMemo, useState } from 'react';
import { ArrowLeftOutlined } from '@ant-design/icons';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Alert, Button, Card, Form, Result, Select, Skeleton, Table, Tag } from 'antd';
import { useNavigate, useParams } from 'react-router';
import { ApiError } from '../../api/errors';
import { NotFound } from '../../components/NotFound';
import { PageContainer } from '../../components/PageContainer';
import { Watermark } from '../../components/Watermark';
import { formatDateTime } from '../../i18n/format';
import { useMessages } from '../../i18n/messages';
import { PAGE_SIZES } from '../../shared/table';
import { fetchView, keys, type RowsView } from './api';
import { messages } from './messages';

/** The viewer is a deterrent, not a lock (R-HANDOVER-HOLD: view only): no context menu (save as, print, copy). */
const noMenu = (e: React.MouseEvent) => e.preventDefault();

/**
 * /handover/:id/view — the in-browser viewer (R-HANDOVER-HOLD: view only) for the holder or the
 * clerk the file is delegated to: spreadsheet and CSV rows page by page as the server sends them,
 * a PDF (stamped by the server on every page) inline from an object URL. No download control,
 * no context menu, a watermark; every page fetched is one audit event on the server, so nothing
 * is refetched in the background or kept after leaving.
 */
export default function HandoverViewerPage() {
  const t = useMessages(messages);
  const navigate = useNavigate();
  const id = Number(useParams().id);
  const valid = Number.isInteger(id) && id > 0;
  const [page, setPage] = useState(1);
  const [pageSize, setPageSize] = useState(50);
  const [sheet, setSheet] = useState(1);
  const view = useQuery({
    queryKey: keys.view(id, page, pageSize, sheet),
    queryFn: () => fetchView(id, page, pageSize, sheet),
    enabled: valid,
    staleTime: Infinity,
    gcTime: 0,
    refetchOnWindowFocus: false,
    refetchOnReconnect: false,
    placeholderData: keepPreviousData,
  });
  const pdf = view.data?.kind === 'pdf' ? view.data.blob : null;
  const pdfUrl = useObjectUrl(pdf);

  if (!valid) return <NotFound />;
  const serial = `HF-${id}`;
  const back = (
    <Button icon={<ArrowLeftOutlined />} onClick={() => void navigate(`/handover/${id}`)}>
      {t('back')}
    </Button>
  );
  let body: React.ReactNode;
  if (view.isLoading) body = <Skeleton active />;
  else if (view.error) {
    const err = view.error instanceof ApiError ? view.error : null;
    body = <Result status={err?.status === 410 ? 'info' : '403'} title={err?.status === 410 ? t('destroyedNotice') : t('notAvailable')} subTitle={err?.text} />;
  } else if (view.data?.kind === 'rows') {
    body = (
      <RowsTable
        v={view.data.body}
        loading={view.isFetching}
        onPage={(p, size) => {
          setPage(size === pageSize ? p : 1);
          setPageSize(size);
        }}
        onSheet={(s) => {
          setSheet(s);
          setPage(1);
        }}
      />
    );
  } else if (pdfUrl) {
    body = (
      <Card>
        {/* The browser's own PDF toolbar (save, print) is hidden; the server stamped every page with the viewer and the time. */}
        <iframe title={t('pdfTitle')} src={`${pdfUrl}#toolbar=0&navpanes=0`} style={{ width: '100%', height: '75vh', border: 0 }} />
      </Card>
    );
  }
  return (
    <PageContainer title={t('viewerTitle', { serial })} description={t('viewerIntro')} extra={back} breadcrumb={[{ title: t('listTitle') }, { title: serial, path: `/handover/${id}` }, { title: t('viewFile') }]}>
      <Watermark>
        <div onContextMenu={noMenu} onDragStart={noMenu} style={{ userSelect: 'none' }} data-testid="handover-viewer">
          {body}
        </div>
      </Watermark>
    </PageContainer>
  );
}

/** An object URL for the blob while it is shown, revoked when it changes or the page is left. */
function useObjectUrl(blob: Blob | null): string | null {
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    if (!blob) return;
    const u = URL.createObjectURL(blob);
    setUrl(u);
    return () => {
      URL.revokeObjectURL(u);
      setUrl(null);
    };
  }, [blob]);
  return url;
}

function RowsTable({ v, loading, onPage, onSheet }: { v: RowsView; loading: boolean; onPage: (page: number, size: number) => void; onSheet: (s: number) => void }) {
  const t = useMessages(messages);
  const width = useMemo(() => v.rows.reduce((n, r) => Math.max(n, r.cells.length), 0), [v.rows]);
  const columns = useMemo(
    () => [
      { title: t('row'), dataIndex: 'row', key: 'row', width: 72, fixed: 'left' as const },
      ...Array.from({ length: width }, (_, i) => ({
        title: columnName(i),
        key: `c${i}`,
        render: (_: unknown, r: RowsView['rows'][number]) => r.cells[i] ?? '',
      })),
    ],
    [width, t],
  );
  return (
    <Card>
      <Alert
        type="warning"
        showIcon
        style={{ marginBottom: 12 }}
        message={t('viewOnly', { viewer: v.stamp.viewer, at: formatDateTime(v.stamp.viewedAt) })}
        action={<Tag>{t('rowsTotal', { total: v.totalRows })}</Tag>}
      />
      {v.sheetCount !== null && v.sheetCount > 1 && (
        <Form layout="inline" style={{ marginBottom: 12 }}>
          <Form.Item label={t('sheet')} htmlFor="handover-sheet">
            <Select
              id="handover-sheet"
              style={{ width: 120 }}
              value={v.sheet ?? 1}
              onChange={onSheet}
              options={Array.from({ length: v.sheetCount }, (_, i) => ({ value: i + 1, label: String(i + 1) }))}
            />
          </Form.Item>
        </Form>
      )}
      <Table
        rowKey="row"
        size="small"
        bordered
        loading={loading}
        scroll={{ x: 'max-content' }}
        dataSource={v.rows}
        columns={columns}
        pagination={{ current: v.page, pageSize: v.pageSize, total: v.totalRows, showSizeChanger: true, pageSizeOptions: PAGE_SIZES, onChange: onPage }}
      />
    </Card>
  );
}

/** A, B, …, Z, AA, … as in a spreadsheet. */
function columnName(i: number): string {
  let s = '';
  for (let n = i + 1; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
}
