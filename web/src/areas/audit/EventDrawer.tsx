import { Descriptions, Drawer, Table, Tag, Typography } from 'antd';
import type { paths } from '../../api/schema';
import { formatDateTime } from '../../i18n/format';
import { useMessages } from '../../i18n/messages';
import { messages } from './messages';

export type AuditEvent = paths['/api/v1/audit']['get']['responses'][200]['content']['application/json']['items'][number];

type Side = AuditEvent['before'];

const show = (v: unknown): string => (v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v, null, 1));

/** Rows of a before/after comparison: one per key of either side (a list or a scalar as one row). */
function rows(before: Side, after: Side): { key: string; before: unknown; after: unknown; changed: boolean }[] {
  const isObj = (x: Side): x is Record<string, unknown> => !!x && !Array.isArray(x) && typeof x === 'object';
  if ((before === null || isObj(before)) && (after === null || isObj(after))) {
    const b = before ?? {};
    const a = after ?? {};
    const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])];
    return keys.map((key) => ({ key, before: b[key], after: a[key], changed: before !== null && after !== null && JSON.stringify(b[key]) !== JSON.stringify(a[key]) }));
  }
  return [{ key: '—', before: before ?? undefined, after: after ?? undefined, changed: JSON.stringify(before) !== JSON.stringify(after) }];
}

/** One event: who, what, where, why, the chain links, and before/after side by side. */
export function EventDrawer({ event, onClose }: { event: AuditEvent | null; onClose: () => void }) {
  const t = useMessages(messages);
  const e = event;
  return (
    <Drawer open={!!e} onClose={onClose} size={720} title={e ? t('eventTitle', { seq: e.seq }) : ''} closable={{ 'aria-label': t('close') }} destroyOnHidden>
      {e && (
        <>
          <Descriptions
            size="small"
            column={1}
            bordered
            items={[
              { key: 'at', label: t('at'), children: formatDateTime(e.at) },
              { key: 'actor', label: t('actor'), children: e.actorName ?? t('system') },
              { key: 'action', label: t('action'), children: <Typography.Text code>{e.action}</Typography.Text> },
              { key: 'object', label: t('object'), children: [e.objectType, e.objectId].filter(Boolean).join(' #') || t('nothing') },
              { key: 'scope', label: t('scope'), children: e.scope ?? t('nothing') },
              {
                key: 'decision',
                label: t('decision'),
                children: e.decision ? <DecisionTag decision={e.decision} /> : t('nothing'),
              },
              { key: 'reason', label: t('reason'), children: e.reason ?? t('nothing') },
              { key: 'requestId', label: t('requestId'), children: e.requestId ?? t('nothing') },
              { key: 'ip', label: t('ip'), children: e.ip ?? t('nothing') },
              { key: 'prevHash', label: t('prevHash'), children: <Typography.Text style={{ wordBreak: 'break-all', fontSize: 12 }}>{e.prevHash}</Typography.Text> },
              { key: 'hash', label: t('hash'), children: <Typography.Text style={{ wordBreak: 'break-all', fontSize: 12 }}>{e.hash}</Typography.Text> },
            ]}
          />
          <Typography.Title level={2} style={{ fontSize: 16, marginTop: 24 }}>
            {t('before')} / {t('after')}
          </Typography.Title>
          <Table
            size="small"
            rowKey="key"
            pagination={false}
            scroll={{ x: 560 }}
            dataSource={rows(e.before, e.after)}
            locale={{ emptyText: t('nothing') }}
            columns={[
              {
                title: t('field'),
                dataIndex: 'key',
                width: 160,
                render: (k: string, r) => (
                  <span>
                    {k} {r.changed && <Tag color="red">{t('changed')}</Tag>}
                  </span>
                ),
              },
              { title: t('before'), dataIndex: 'before', render: (v: unknown) => <pre style={PRE}>{show(v)}</pre> },
              { title: t('after'), dataIndex: 'after', render: (v: unknown) => <pre style={PRE}>{show(v)}</pre> },
            ]}
          />
        </>
      )}
    </Drawer>
  );
}

const PRE = { margin: 0, whiteSpace: 'pre-wrap' as const, wordBreak: 'break-word' as const, fontSize: 12 };

/** Allowed in the default tag, denied in red (the coloured green tag is below AA contrast). */
export function DecisionTag({ decision }: { decision: 'allow' | 'deny' }) {
  const t = useMessages(messages);
  return decision === 'deny' ? <Tag color="red">{t('deny')}</Tag> : <Tag>{t('allow')}</Tag>;
}
