import type { TablePaginationConfig } from 'antd';

/** The page sizes every paged list offers (the list routes take ?limit= up to 100). */
export const PAGE_SIZES = [20, 50, 100];

export type Page = { current: number; pageSize: number };

/**
 * A Table's pagination over a server-paged list ({items, total}): a new page size starts again at
 * page 1. `showTotal` words the total ("42 records").
 */
export function serverPagination(page: Page, setPage: (p: Page) => void, total: number | undefined, showTotal?: (total: number) => string): TablePaginationConfig {
  return {
    current: page.current,
    pageSize: page.pageSize,
    total: total ?? 0,
    pageSizeOptions: PAGE_SIZES,
    showSizeChanger: true,
    ...(showTotal ? { showTotal } : {}),
    onChange: (current, pageSize) => setPage({ current: pageSize === page.pageSize ? current : 1, pageSize }),
  };
}
