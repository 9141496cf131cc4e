import { useState } from 'react';
import type { TablePaginationConfig } from 'antd';
import type { SorterResult } from 'antd/es/table/interface';

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

/**
 * Sorting a server-paged list through the server (?sort=&order=), so the whole list is sorted and
 * not only the page shown. `fields` maps a column's dataIndex to the API's sort field. Gives the
 * query part, the controlled arrows for a column (`...sorted('status')`), and the Table's onChange
 * (a new sort calls `onSort`, e.g. back to page 1).
 */
export function useServerSort<F extends string>(fields: Record<string, F>, onSort: () => void) {
  const [sort, setSort] = useState<{ column: string; order: 'ascend' | 'descend' } | null>(null);
  const query = sort ? { sort: fields[sort.column], order: sort.order === 'ascend' ? ('asc' as const) : ('desc' as const) } : {};
  const sorted = (column: string) => ({ sorter: true, sortOrder: sort?.column === column ? sort.order : null });
  const onChange = <T,>(_p: unknown, _f: unknown, sorter: SorterResult<T> | SorterResult<T>[], extra: { action: string }) => {
    if (extra.action !== 'sort') return;
    const s = Array.isArray(sorter) ? sorter[0] : sorter;
    const column = String(s?.field ?? '');
    setSort(s?.order && column in fields ? { column, order: s.order } : null);
    onSort();
  };
  return { query: query as { sort?: F; order?: 'asc' | 'desc' }, sorted, onChange, key: sort };
}
