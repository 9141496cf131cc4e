import { Button, Result } from 'antd';
import { Link } from 'react-router';
import { core } from '../i18n/core';
import { useMessages } from '../i18n/messages';

/** 403: for a route whose permission the user lacks, and for a 403 answer (`permission` names what was missing). */
export function NoPermission({ permission }: { permission?: string | null }) {
  const t = useMessages(core);
  return (
    <Result
      status="403"
      title={<h1 style={{ fontSize: 22, margin: 0 }}>{t('noPermissionTitle')}</h1>}
      subTitle={permission ? t('noPermissionNamed', { permission }) : t('noPermissionBody')}
      extra={
        <Link to="/">
          <Button type="primary" tabIndex={-1}>
            {t('backHome')}
          </Button>
        </Link>
      }
    />
  );
}
