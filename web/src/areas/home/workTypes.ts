import type { paths } from '../../api/schema';

/** GET /api/v1/me/work (myWorkSchema of src/features/work/work.service.ts). */
export type MyWork = paths['/api/v1/me/work']['get']['responses'][200]['content']['application/json'];
export type WorkItem = MyWork['items'][number];
export type WorkKind = WorkItem['kind'];
export type WorkRef = WorkItem['refs'][number];
