import type { CSSProperties } from 'react';
import { useQuery } from '@tanstack/react-query';
import { Select } from 'antd';
import { api, unwrap } from '../api/client';
import type { paths } from '../api/schema';

type PeopleQuery = paths['/api/v1/people']['get']['parameters']['query'];
/** The permissions the people picker answers for (the route's enum). */
export type PickPermission = PeopleQuery['permission'];
/** A person as the pickers list them. */
export type Person = paths['/api/v1/people']['get']['responses'][200]['content']['application/json']['items'][number];

/** "Display name (username)": how a person is named in pickers and records. */
export const personLabel = (p: Pick<Person, 'displayName' | 'username'>): string => `${p.displayName} (${p.username})`;

/**
 * The people picker: who holds `permission` in `scope` (GET /api/v1/people), less `exclude`
 * (e.g. the caller, who may not witness their own act). No scope: nothing is asked.
 */
export function usePeople(permission: PickPermission, scope: string | undefined, { exclude = [], enabled = true }: { exclude?: number[]; enabled?: boolean } = {}) {
  const q = useQuery({
    queryKey: ['people', permission, scope ?? ''],
    enabled: enabled && !!scope,
    queryFn: async () => (await unwrap(api.GET('/api/v1/people', { params: { query: { permission, scope: scope! } } }))).items,
    staleTime: 60_000,
  });
  return { ...q, data: (q.data ?? []).filter((p) => !exclude.includes(p.id)) };
}

/** A Select over people (search by name or username): nobody types an id. */
export function PersonSelect({
  people,
  loading,
  value,
  onChange,
  id,
  placeholder,
  style,
}: {
  people: Pick<Person, 'id' | 'displayName' | 'username'>[];
  loading?: boolean;
  value?: number;
  onChange?: (v: number) => void;
  id?: string;
  placeholder?: string;
  style?: CSSProperties;
}) {
  return (
    <Select
      id={id}
      style={style}
      placeholder={placeholder}
      showSearch={{ optionFilterProp: 'label' }}
      loading={loading}
      value={value}
      onChange={onChange}
      options={people.map((p) => ({ value: p.id, label: personLabel(p) }))}
    />
  );
}
