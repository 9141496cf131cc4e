import type { AreaDef } from './types';
import { area as home } from './home';
import { area as inbox } from './inbox';
import { area as paper } from './paper';
import { area as customers } from './customers';
import { area as handover } from './handover';
import { area as supervision } from './supervision';
import { area as cases } from './cases';
import { area as admin } from './admin';
import { area as audit } from './audit';
import { area as survey } from './survey';
import { area as inventory } from './inventory';

/**
 * Every area of the console, in menu order. A new area: create areas/<key>/index.tsx exporting
 * `area: AreaDef` (see areas/home) and add ONE line here.
 */
export const areas: AreaDef[] = [
  home,
  inbox,
  paper,
  customers,
  survey,
  inventory,
  handover,
  supervision,
  cases,
  admin,
  audit,
];
