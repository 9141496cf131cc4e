import { useState } from 'react';
import { Alert, App, Button, Card, Col, Descriptions, Popconfirm, Row, Timeline, Typography } from 'antd';
import { DownloadOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { api, download, unwrap } from '../../api/client';
import { FullPageSpin } from '../../components/FullPageSpin';
import { CrashResult } from '../../components/ErrorBoundary';
import { PageContainer } from '../../components/PageContainer';
import { Watermark } from '../../components/Watermark';
import { showApiError, useReloadOnConflict } from '../../forms/apiErrors';
import { formatDateTime } from '../../i18n/format';
import { useMessages, type T } from '../../i18n/messages';
import { useSession } from '../../session/SessionProvider';
import { projectScopes, useProjects } from '../../shared/org';
import { decideConfirmation } from './Confirmations';
import { DestroyModal, LostModal, ReturnModal } from './CopyActions';
import { messages } from './messages';
import { CopyStatusTag, ReasonModal } from './shared';
import type { Confirmation, Copy, PrintRequest } from './types';

type Modal = 'return' | 'destroy' | 'lost' | 'decline' | null;

/** The copy's story, oldest first, from the copy view, its print request and its returns and destructions as recorded. */
function timeline(c: Copy, r: PrintRequest | undefined, history: Confirmation[] | undefined, t: T<keyof (typeof messages)['en']>) {
  const method = (m: string | null | undefined) => (m ? t(`m_${m}` as 'm_other') : '—');
  const name = (u: { displayName: string } | null | undefined) => u?.displayName ?? '—';
  const items: { at: string | null; title: string; color?: string }[] = [];
  // Requested (the recipient is the requester), approved, issued: one step each, as the Rules list them.
  items.push({ at: r?.createdAt ?? c.requestedAt, title: t('tl_requested', { who: name(r?.requestedBy ?? c.holder) }) });
  items.push({ at: r?.decidedAt ?? c.issuedAt, title: r?.decidedBy ? t('tl_approved', { who: r.decidedBy.displayName }) : t('tl_approvedAnon'), color: 'green' });
  items.push({ at: c.issuedAt, title: t('tl_issued', { n: c.copyNumber, total: c.copiesTotal, holder: name(c.holder), serial: c.serial }), color: 'green' });
  if (c.printCount > 0) items.push({ at: null, title: t('tl_printed', { count: c.printCount }), color: 'gray' });
  if (c.signedAt) items.push({ at: c.signedAt, title: t('tl_signed'), color: 'blue' });
  // Each return or destruction as recorded, and how it ended (the two-person rule, R-NO-PAPER).
  const acts = history ?? (c.confirmation ? [c.confirmation] : []);
  for (const h of acts) {
    const who = name(h.requestedBy);
    const confirmer = name(h.confirmer);
    const isReturn = h.kind === 'copy_return';
    items.push({
      at: h.requestedAt,
      title: isReturn ? t('tl_returnRecorded', { who, keeper: confirmer }) : t('tl_destructionRecorded', { who, method: method(h.method), place: h.place ?? '—', witness: confirmer }),
      color: 'purple',
    });
    if (h.state === 'confirmed') {
      items.push({ at: h.decidedAt, title: isReturn ? t('tl_keeperConfirmed', { keeper: confirmer }) : t('tl_witnessed', { witness: confirmer }), color: isReturn ? 'cyan' : 'gray' });
    } else if (h.state === 'declined') {
      items.push({ at: h.decidedAt, title: t('tl_declined', { role: t(`role_${h.role}`), who: confirmer, reason: h.declineReason ?? '—' }), color: 'red' });
    } else if (h.state === 'expired') {
      items.push({ at: h.dueAt, title: t('tl_expired', { role: t(`role_${h.role}`) }), color: 'orange' });
    }
  }
  if (!history) {
    // Without the history (not loaded): what the copy itself records.
    if (c.returnedAt) items.push({ at: c.returnedAt, title: t('tl_returned', { keeper: name(c.returnedTo) }), color: 'purple' });
    if (c.keeperConfirmedAt) items.push({ at: c.keeperConfirmedAt, title: t('tl_keeperConfirmed', { keeper: name(c.returnedTo) }), color: 'cyan' });
    if (c.witnessConfirmedAt) items.push({ at: c.witnessConfirmedAt, title: t('tl_witnessed', { witness: name(c.witness) }), color: 'gray' });
  }
  if (c.destroyedAt && c.witnessConfirmedAt) {
    items.push({ at: c.destroyedAt, title: t('tl_destroyed', { who: name(c.destroyedBy), method: method(c.destructionMethod), place: c.destructionPlace ?? '—' }), color: 'gray' });
  }
  if (c.lostAt) items.push({ at: c.lostAt, title: t('tl_lost', { who: name(c.lostReportedBy), incident: c.incidentId ?? '—' }), color: 'red' });
  const out = !c.destroyedAt && !c.lostAt && !c.keeperConfirmedAt;
  if (out) items.push({ at: c.expiresAt, title: t('tl_expires'), color: c.status === 'overdue' ? 'red' : 'gray' });
  return items
    .map((i, n) => ({ ...i, n }))
    .sort((a, b) => (a.at && b.at ? a.at.localeCompare(b.at) || a.n - b.n : a.n - b.n))
    .map((i) => ({ key: `${i.n}`, color: i.color, title: i.at ? formatDateTime(i.at) : undefined, content: i.title }));
}

/** /copies/:serial: the copy, its timeline, and what I may do with it now. */
export default function CopyDetailPage() {
  const serial = useParams().serial ?? '';
  const t = useMessages(messages);
  const qc = useQueryClient();
  const { message } = App.useApp();
  const { user, can } = useSession();
  const projects = useProjects().data ?? [];
  const [modal, setModal] = useState<Modal>(null);
  const copyQ = useQuery({ queryKey: ['copy', serial], queryFn: () => unwrap(api.GET('/api/v1/copies/{serial}', { params: { path: { serial } } })), retry: false });
  const c = copyQ.data;
  const project = projects.find((p) => p.code === c?.project);
  const scopes = project ? projectScopes(project) : c ? [`project:${c.project}`] : [];
  // The request: its requester, or a reader of the project's requests (no refused call for anyone else).
  const mayReadRequest = Boolean(c) && (c!.holder?.id === user.id || can('print_request:read', scopes));
  const requestQ = useQuery({
    queryKey: ['print-request', c?.printRequestId],
    enabled: mayReadRequest,
    queryFn: () => unwrap(api.GET('/api/v1/print-requests/{id}', { params: { path: { id: String(c!.printRequestId) } } })),
    retry: false,
  });
  // Whoever may see the copy may see its returns and destructions (same rule on the server).
  const historyQ = useQuery({
    queryKey: ['copy', serial, 'confirmations'],
    enabled: Boolean(c),
    queryFn: async () => (await unwrap(api.GET('/api/v1/copies/{serial}/confirmations', { params: { path: { serial } } }))).items,
    retry: false,
  });
  const refresh = () => {
    void qc.invalidateQueries({ queryKey: ['copy', serial] });
    void qc.invalidateQueries({ queryKey: ['copies'] });
  };
  const reload = useReloadOnConflict(['copy', serial], ['copies']);
  const act = useMutation({
    mutationFn: async (what: 'download' | 'sign' | 'confirm') => {
      if (what === 'download') return download(`/api/v1/copies/${encodeURIComponent(serial)}/pdf`);
      if (what === 'sign') return unwrap(api.POST('/api/v1/copies/{serial}/sign', { params: { path: { serial } } }));
      return decideConfirmation({ kind: c!.confirmation!.kind, serial }, 'confirm');
    },
    onSuccess: (_, what) => {
      message.success(what === 'download' ? t('downloaded') : what === 'sign' ? t('signed') : t('confirmedMsg'));
      refresh();
    },
    onError: (err) => {
      showApiError(err);
      refresh();
    },
  });

  if (copyQ.isPending) return <FullPageSpin />;
  if (copyQ.isError || !c) return <CrashResult error={copyQ.error} />;

  const me = user.id;
  const pending = c.confirmation?.state === 'pending' ? c.confirmation : null;
  const located = !c.destroyedAt && !c.lostAt && c.status !== 'destroyed' && c.status !== 'lost';
  const withRecipient = located && !c.keeperConfirmedAt && c.status !== 'returned';
  const isRecipient = c.holder?.id === me;
  const isKeeper = c.status === 'returned' && c.returnedTo?.id === me;
  const supervisor = can('controlled_copy:witness', scopes);
  const acts = {
    download: isRecipient && withRecipient && !pending,
    sign: isRecipient && withRecipient && !pending && !c.signedAt,
    return: isRecipient && withRecipient && !pending,
    destroy: located && !pending && ((isRecipient && withRecipient) || isKeeper || supervisor),
    lost: located && !pending && ((isRecipient && withRecipient) || isKeeper || supervisor),
    decide: pending !== null && pending.confirmer?.id === me,
  };
  const busy = (w: string) => act.isPending && act.variables === w;

  return (
    <PageContainer
      title={t('copyTitle', { serial: c.serial })}
      breadcrumb={[{ title: t('copiesTitle'), path: '/copies' }, { title: c.serial }]}
      extra={
        <>
          {acts.download && (
            <Button icon={<DownloadOutlined />} loading={busy('download')} onClick={() => act.mutate('download')}>
              {t('download')}
            </Button>
          )}
          {acts.sign && (
            <Popconfirm title={t('signConfirm', { serial: c.serial })} okText={t('sign')} cancelText={t('cancel')} onConfirm={() => act.mutateAsync('sign').catch(() => undefined)}>
              <Button type="primary" loading={busy('sign')}>
                {t('sign')}
              </Button>
            </Popconfirm>
          )}
          {acts.return && <Button onClick={() => setModal('return')}>{t('returnCopy')}</Button>}
          {acts.destroy && (
            <Button danger onClick={() => setModal('destroy')}>
              {t('destroy')}
            </Button>
          )}
          {acts.lost && <Button onClick={() => setModal('lost')}>{t('reportLost')}</Button>}
          {acts.decide && (
            <>
              <Popconfirm
                title={pending!.kind === 'copy_return' ? t('confirmReturn', { serial: c.serial }) : t('confirmDestruction', { serial: c.serial })}
                okText={t('confirm')}
                cancelText={t('cancel')}
                onConfirm={() => act.mutateAsync('confirm').catch(() => undefined)}
              >
                <Button type="primary" loading={busy('confirm')}>
                  {t('confirm')}
                </Button>
              </Popconfirm>
              <Button danger onClick={() => setModal('decline')}>
                {t('decline')}
              </Button>
            </>
          )}
        </>
      }
    >
      <Watermark>
        {pending && (
          <Alert
            type="info"
            showIcon
            style={{ marginBottom: 16 }}
            title={t('pendingAlert', { role: t(`role_${pending.role}`), who: pending.confirmer?.displayName ?? '—', due: formatDateTime(pending.dueAt) })}
          />
        )}
        {c.confirmation?.state === 'expired' && <Alert type="warning" showIcon style={{ marginBottom: 16 }} title={t('expiredAlert', { role: t(`role_${c.confirmation.role}`) })} />}
        <Row gutter={[16, 16]}>
          <Col xs={24} lg={14}>
            <Card title={<h2 style={{ fontSize: 16, margin: 0 }}>{t('details')}</h2>}>
              <Descriptions column={1} size="small" bordered>
                <Descriptions.Item label={t('status')}>
                  <CopyStatusTag status={c.status} />
                </Descriptions.Item>
                <Descriptions.Item label={t('project')}>{c.project}</Descriptions.Item>
                <Descriptions.Item label={t('holder')}>{c.holder?.displayName ?? '—'}</Descriptions.Item>
                {c.returnedTo && <Descriptions.Item label={t('keeper')}>{c.returnedTo.displayName}</Descriptions.Item>}
                {c.witness && <Descriptions.Item label={t('witness')}>{c.witness.displayName}</Descriptions.Item>}
                <Descriptions.Item label={t('copyNo')}>
                  {c.copyNumber}/{c.copiesTotal}
                </Descriptions.Item>
                <Descriptions.Item label={t('request')}>
                  {mayReadRequest ? <Link to="/print-requests">#{c.printRequestId}</Link> : `#${c.printRequestId}`}
                </Descriptions.Item>
                <Descriptions.Item label={t('purpose')}>{c.purpose}</Descriptions.Item>
                <Descriptions.Item label={t('recordCount')}>{c.recordCount}</Descriptions.Item>
                <Descriptions.Item label={t('issuedAt')}>{formatDateTime(c.issuedAt)}</Descriptions.Item>
                <Descriptions.Item label={t('expiresAt')}>{formatDateTime(c.expiresAt)}</Descriptions.Item>
                <Descriptions.Item label={t('printCount')}>{c.printCount}</Descriptions.Item>
                {c.destructionNote && <Descriptions.Item label={t('note')}>{c.destructionNote}</Descriptions.Item>}
              </Descriptions>
            </Card>
          </Col>
          <Col xs={24} lg={10}>
            <Card title={<h2 style={{ fontSize: 16, margin: 0 }}>{t('timeline')}</h2>}>
              <Timeline items={timeline(c, requestQ.data, historyQ.data, t)} />
            </Card>
          </Col>
        </Row>
        <Typography.Paragraph type="secondary" style={{ marginTop: 16 }}>
          {t('noTransfer')}
        </Typography.Paragraph>
      </Watermark>
      <ReturnModal open={modal === 'return'} copy={c} onClose={() => setModal(null)} onDone={refresh} />
      <DestroyModal open={modal === 'destroy'} copy={c} onClose={() => setModal(null)} onDone={refresh} />
      <LostModal open={modal === 'lost'} copy={c} onClose={() => setModal(null)} onDone={refresh} />
      <ReasonModal
        open={modal === 'decline'}
        title={t('declineTitle', { serial: c.serial })}
        onCancel={() => setModal(null)}
        reload={reload}
        onSubmit={async (reason) => {
          await decideConfirmation({ kind: pending!.kind, serial }, 'decline', reason);
          setModal(null);
          message.success(t('declinedMsg'));
          refresh();
        }}
      />
    </PageContainer>
  );
}

