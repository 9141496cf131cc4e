import type { paths } from '../../api/schema';

/** A customer as the API shows it: personal fields masked (R-SECRET). */
export type CustomerView = paths['/api/v1/customers/{id}']['get']['responses'][200]['content']['application/json'];
export type Revealed = paths['/api/v1/customers/{id}/reveal']['post']['responses'][200]['content']['application/json'];
export type PersonalField = 'phones' | 'idNumber' | 'employer' | 'email' | 'emergencyContact';
export const PERSONAL_FIELDS: PersonalField[] = ['phones', 'idNumber', 'employer', 'email', 'emergencyContact'];
